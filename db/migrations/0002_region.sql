-- Administrative divisions (GB/T 2260 six-digit codes, and the 9/12-digit statistical
-- codes below county level). Reference data: organizations and ID numbers point at it,
-- but unknown codes are never rejected because the list changes every year.
CREATE TABLE region (
    code        TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 12),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    parent_code TEXT REFERENCES region (code),
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5)
);
CREATE INDEX region_parent ON region (parent_code, code);
