
-- Browser sessions. The cookie holds 256 random bits; only a keyed hash is stored, as for
-- the CSRF token issued with it. Idle and absolute timeouts are judged by the server.
CREATE TABLE session (
    id           @ID@,
    token_hash   TEXT NOT NULL UNIQUE,
    csrf_hash    TEXT NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    client_addr  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_by_user ON session (user_id);
