-- The workbench's figures by time rather than by walking a whole subtree: orgs opened or
-- closed in a year (core/org_activity.c picks whichever is fewer rows: the subtree or the
-- year's events), and the latest audit records about orgs, newest first, without sorting
-- them all.
CREATE INDEX org_opened ON org (opened_on);
CREATE INDEX org_closed ON org (closed_on);
CREATE INDEX audit_log_type_seq ON audit_log (object_type, seq);
