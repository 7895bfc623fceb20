-- Separation of duties for the three administrator posts of 等保 (三员分立: system_admin,
-- security_admin, audit_admin; docs/security.md). A post is given over HTTP by two people:
-- one security administrator requests it, a different one approves (or rejects) it, and
-- neither may be the account itself. Nothing is granted before the approval; a request
-- not decided within its expiry can no longer be approved.
CREATE TABLE post_request (
    id           @ID@,
    user_id      BIGINT NOT NULL REFERENCES app_user (id),
    role         TEXT NOT NULL CHECK (role IN ('system_admin','security_admin','audit_admin')),
    org_id       BIGINT NOT NULL REFERENCES org (id),
    requested_by BIGINT NOT NULL REFERENCES app_user (id),
    requested_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected')),
    decided_by   BIGINT REFERENCES app_user (id),
    decided_at   BIGINT,
    reason       TEXT NOT NULL DEFAULT '',
    CHECK (requested_by <> user_id),
    CHECK (decided_by IS NULL OR (decided_by <> requested_by AND decided_by <> user_id))
);
CREATE INDEX post_request_status ON post_request (status, id);

-- Nobody holds two of the three posts: the database refuses it too.
CREATE UNIQUE INDEX role_assignment_one_post ON role_assignment (user_id)
    WHERE role IN ('system_admin','security_admin','audit_admin');
