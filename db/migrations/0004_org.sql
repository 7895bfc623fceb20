
-- The organization tree. An org is keyed by a stable `code`; where it sits in the tree is
-- NOT a column of org: it is the dated history org_parent, so every tree query can answer
-- "as of" a date and expected-reporter counts can respect when each org was open.
-- Dates are TEXT YYYY-MM-DD (calendar days, never shifted by time zones); a period is
-- [valid_from, valid_to), valid_to NULL = still current.
CREATE TABLE org (
    id          @ID@,
    code        TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    short_name  TEXT NOT NULL DEFAULT '',
    level       TEXT NOT NULL CHECK (level IN ('national','provincial','city','county','township','grassroots')),
    type        TEXT NOT NULL CHECK (length(type) BETWEEN 1 AND 32),
    region_code TEXT CHECK (region_code IS NULL OR length(region_code) = 6),
    credit_code TEXT UNIQUE CHECK (credit_code IS NULL OR length(credit_code) = 18),
    contact     TEXT NOT NULL DEFAULT '',
    opened_on   TEXT NOT NULL,
    closed_on   TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    CHECK (closed_on IS NULL OR closed_on >= opened_on)
);

CREATE TABLE org_parent (
    org_id     BIGINT NOT NULL REFERENCES org (id),
    parent_id  BIGINT REFERENCES org (id),   -- NULL: a root (the national association)
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    PRIMARY KEY (org_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    CHECK (parent_id IS NULL OR parent_id <> org_id)
);
CREATE INDEX org_parent_children ON org_parent (parent_id, valid_from);

-- "Guided by" links (a city society guided by its national society): followed where a
-- module asks for everything guided by X, never for access.
CREATE TABLE org_link (
    org_id     BIGINT NOT NULL REFERENCES org (id),
    guide_id   BIGINT NOT NULL REFERENCES org (id),
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    PRIMARY KEY (org_id, guide_id, valid_from),
    CHECK (guide_id <> org_id)
);
CREATE INDEX org_link_guide ON org_link (guide_id);
