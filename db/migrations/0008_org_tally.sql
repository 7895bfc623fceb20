-- Open organizations in each org's subtree (itself included) by level and type, for the
-- tree with every recorded change applied: latest placement, not closed. Every create,
-- move, close and type change adjusts it in the same transaction, so dashboards read a
-- subtree's counts for today from a few rows instead of walking up to 200,000 orgs; a date
-- in the past (or any change dated in the future) is answered from the history instead.
CREATE TABLE org_tally (
    org_id BIGINT NOT NULL REFERENCES org (id),
    level  TEXT NOT NULL,
    type   TEXT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (org_id, level, type)
);
WITH RECURSIVE up(org_id, anc, depth) AS (
    SELECT o.id, o.id, 0 FROM org o WHERE o.closed_on IS NULL
    UNION ALL
    SELECT up.org_id, p.parent_id, up.depth + 1 FROM up
    JOIN org_parent p ON p.org_id = up.anc AND p.valid_to IS NULL
    WHERE p.parent_id IS NOT NULL AND up.depth < 64
)
INSERT INTO org_tally (org_id, level, type, n)
SELECT up.anc, o.level, o.type, count(*) FROM up JOIN org o ON o.id = up.org_id
GROUP BY up.anc, o.level, o.type;

-- "is anything dated after today?" must be an index probe
CREATE INDEX org_opened_on ON org (opened_on);
CREATE INDEX org_closed_on ON org (closed_on);
CREATE INDEX org_parent_from ON org_parent (valid_from);
