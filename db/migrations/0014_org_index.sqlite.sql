-- 0014 (SQLite): org_closure, org_counted and org_count; see the comment below. Tables
-- keyed by their primary key are WITHOUT ROWID; the subtree index covers every column a
-- subtree scan in code order reads.
CREATE TABLE org_closure (
    org_id     BIGINT NOT NULL,
    anc_id     BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    code       TEXT NOT NULL,   -- org_id's code (codes never change): subtrees in code order
    moved      INTEGER NOT NULL, -- 1 when the period starts after org_id opened (a move on its chain)
    PRIMARY KEY (org_id, anc_id, valid_from)
) WITHOUT ROWID;
CREATE INDEX org_closure_sub ON org_closure (anc_id, code, valid_to);
-- the few rows that end, or start after their org opened: what differs between two dates
CREATE INDEX org_closure_left ON org_closure (anc_id, valid_to) WHERE valid_to IS NOT NULL;
CREATE INDEX org_closure_joined ON org_closure (anc_id, valid_from) WHERE moved = 1;

CREATE TABLE org_counted (
    org_id    BIGINT PRIMARY KEY,
    level     TEXT NOT NULL,
    type      TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT
);

-- gran 1: bucket YYYY, the sum of the changes in that year; 2: YYYY-MM; 3: YYYY-MM-DD
CREATE TABLE org_count (
    org_id BIGINT NOT NULL,
    gran   INTEGER NOT NULL,
    bucket TEXT NOT NULL,
    level  TEXT NOT NULL,
    type   TEXT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (org_id, gran, bucket, level, type)
) WITHOUT ROWID;

-- The tree indexed (docs/data-model.md, "Subtrees and dated counts"): org_closure lists,
-- for every org and every org above it (itself included), the periods in which it was
-- there, from org_parent; org_count holds the open organizations below each org by level
-- and type as dated changes, summed per year, month and day, so a subtree's counts for
-- any date are a few hundred rows; org_counted records the attributes those changes were
-- computed with, so a later write can take them back exactly. They replace org_tally
-- (counts for today only, and only while nothing was dated in the future) and are kept by
-- org_index_sync in every tree write's transaction.
WITH RECURSIVE up(org_id, anc_id, vf, vt, depth) AS (
    SELECT p.org_id, p.org_id, p.valid_from, p.valid_to, 0 FROM org_parent p
    UNION ALL
    SELECT up.org_id, p.parent_id,
           CASE WHEN p.valid_from > up.vf THEN p.valid_from ELSE up.vf END,
           CASE WHEN up.vt IS NULL THEN p.valid_to
                WHEN p.valid_to IS NULL OR up.vt < p.valid_to THEN up.vt ELSE p.valid_to END,
           up.depth + 1
    FROM up JOIN org_parent p ON p.org_id = up.anc_id
    WHERE p.parent_id IS NOT NULL AND (up.vt IS NULL OR p.valid_from < up.vt)
      AND (p.valid_to IS NULL OR p.valid_to > up.vf) AND up.depth < 64
)
INSERT INTO org_closure (org_id, anc_id, valid_from, valid_to, code, moved)
SELECT up.org_id, up.anc_id, up.vf, up.vt, o.code, CASE WHEN up.vf > o.opened_on THEN 1 ELSE 0 END
FROM up JOIN org o ON o.id = up.org_id WHERE true
ON CONFLICT DO NOTHING;

INSERT INTO org_counted (org_id, level, type, opened_on, closed_on)
SELECT id, level, type, opened_on, closed_on FROM org;

WITH spans(anc_id, s, e, level, type) AS (
    SELECT c.anc_id,
           CASE WHEN c.valid_from > k.opened_on THEN c.valid_from ELSE k.opened_on END,
           CASE WHEN c.valid_to IS NULL THEN k.closed_on
                WHEN k.closed_on IS NULL OR c.valid_to < k.closed_on THEN c.valid_to ELSE k.closed_on END,
           k.level, k.type
    FROM org_closure c JOIN org_counted k ON k.org_id = c.org_id WHERE c.anc_id <> c.org_id
), ev(anc_id, day, level, type, n) AS (
    SELECT anc_id, s, level, type, 1 FROM spans WHERE e IS NULL OR s < e
    UNION ALL SELECT anc_id, e, level, type, -1 FROM spans WHERE e IS NOT NULL AND s < e
)
INSERT INTO org_count (org_id, gran, bucket, level, type, n)
SELECT ev.anc_id, g.gran,
       CASE g.gran WHEN 1 THEN substr(ev.day, 1, 4) WHEN 2 THEN substr(ev.day, 1, 7) ELSE ev.day END,
       ev.level, ev.type, sum(ev.n)
FROM ev CROSS JOIN (SELECT 1 AS gran UNION ALL SELECT 2 UNION ALL SELECT 3) g
GROUP BY 1, 2, 3, 4, 5 HAVING sum(ev.n) <> 0;

DROP TABLE org_tally;
-- the probes for "anything dated in the future?" served org_tally only; SQLite's planner
-- also chose org_closed_on for searches where the code index was right (issue 10)
DROP INDEX org_opened_on;
DROP INDEX org_closed_on;
DROP INDEX org_parent_from;
