
-- Accounts, role assignments over subtrees, and API tokens.
-- A role applies to its org and everything below it (as of today). Passwords are argon2id
-- strings (libsodium crypto_pwhash_str); tokens are stored only as a keyed BLAKE2b hash.
CREATE TABLE app_user (
    id                  @ID@,
    login               TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 2 AND 64),
    display_name        TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
    password_hash       TEXT NOT NULL,
    failed_count        INTEGER NOT NULL DEFAULT 0,
    locked_until        BIGINT NOT NULL DEFAULT 0,
    password_changed_at BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE role_assignment (
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    role    TEXT NOT NULL CHECK (role IN ('system_admin','security_admin','audit_admin','org_admin','staff','reviewer','member')),
    org_id  BIGINT NOT NULL REFERENCES org (id),
    PRIMARY KEY (user_id, role, org_id)
);
CREATE INDEX role_assignment_org ON role_assignment (org_id);

CREATE TABLE api_token (
    id           @ID@,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,               -- NULL: no expiry
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_token_user ON api_token (user_id);
