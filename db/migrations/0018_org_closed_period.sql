-- Closed periods of organizations that were reopened (POST /api/v1/orgs/{id}/reopen).
-- org.closed_on holds the current closure only; when an org reopens, the period it was
-- closed moves here: [closed_on, reopened_on). Its placement in org_parent has the same
-- gap, so tree reads of a day inside it do not show the org; a read of the org itself on
-- such a day shows it closed (core/org.c), and yearly figures count the closure
-- (core/org_activity.c).
CREATE TABLE org_closed_period (
    org_id      BIGINT NOT NULL REFERENCES org (id),
    closed_on   TEXT NOT NULL,
    reopened_on TEXT NOT NULL,
    PRIMARY KEY (org_id, closed_on),
    CHECK (reopened_on > closed_on)
);
CREATE INDEX org_closed_period_closed ON org_closed_period (closed_on);
