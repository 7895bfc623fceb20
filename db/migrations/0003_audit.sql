-- The audit trail: one row per write, hash-chained so that editing, deleting or
-- reordering a row is detected by `kexie audit verify`. audit_head holds the chain's end;
-- updating it first serialises concurrent writers (a row lock on PostgreSQL, the single
-- writer on SQLite), so the chain never forks.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,            -- UTC, ISO 8601 with milliseconds
    user_id     BIGINT,                   -- NULL for the system and the CLI
    role        TEXT NOT NULL DEFAULT '', -- role the action was done under
    via         TEXT NOT NULL,            -- session | token | cli | system
    request_id  TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,            -- "org.move", "user.login_failed", ...
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL DEFAULT '',
    org_id      BIGINT,                   -- where in the tree, for subtree filters
    detail      TEXT NOT NULL DEFAULT '', -- changed fields; sensitive ones only named
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
