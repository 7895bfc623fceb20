-- Password history for the strict (等保 level 3) policy: the hashes an account used
-- before, so the last few cannot be chosen again. Only argon2id strings are kept.
CREATE TABLE password_history (
    user_id       BIGINT NOT NULL REFERENCES app_user (id),
    password_hash TEXT NOT NULL,
    retired_at    BIGINT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, retired_at);
CREATE INDEX session_live ON session (user_id, revoked_at);

-- Audit retention: records older than the configured days may be pruned from the start of
-- the chain; the head remembers where the kept chain begins, so verification continues
-- from the last pruned record's hash (and the pruning itself is an audit record).
ALTER TABLE audit_head ADD COLUMN pruned_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN pruned_hash TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';
