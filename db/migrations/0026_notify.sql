-- Notifications, the outbound hook and the scheduler (docs/notifications.md).
-- Times are unix seconds (UTC).

-- In-app notifications: one row per recipient account. A notification addressed to "the
-- staff of org X" is resolved when sent into one row per account holding that role there
-- (org_id and role say how it was addressed; 0 / '' for one sent to an account directly).
CREATE TABLE notification (
    id           @ID@,
    recipient_id BIGINT NOT NULL REFERENCES app_user (id),
    kind         TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
    title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body         TEXT NOT NULL DEFAULT '',
    link         TEXT NOT NULL DEFAULT '',   -- an app route path ("/notices/12"), or ''
    source_kind  TEXT NOT NULL DEFAULT '',   -- what it is about: "notice", "hook_test" ...
    source_id    BIGINT NOT NULL DEFAULT 0,
    org_id       BIGINT NOT NULL DEFAULT 0,  -- addressed to role @ org_id (0: to the account)
    role         TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    read_at      BIGINT                      -- NULL: unread
);
CREATE INDEX notification_recipient ON notification (recipient_id, id);
CREATE INDEX notification_unread ON notification (recipient_id) WHERE read_at IS NULL;

-- The outbound hook's outbox: one row per event and configured URL, written in the same
-- transaction as the notification, delivered by the server's hook worker.
CREATE TABLE hook_delivery (
    id           @ID@,
    event        TEXT NOT NULL,                -- X-Kexie-Event: "notification.reminder" ...
    url          TEXT NOT NULL,
    body         TEXT NOT NULL,                -- the JSON sent, the same bytes every attempt
    title        TEXT NOT NULL DEFAULT '',     -- the notification's title (for the dead-letter list)
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','delivered','dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_chance  INTEGER NOT NULL DEFAULT 0,   -- 1: retried by hand, one attempt then dead again
    next_at      BIGINT NOT NULL,              -- when the next attempt is due
    lease_until  BIGINT NOT NULL DEFAULT 0,    -- a worker holds it until then (at-least-once)
    last_status  INTEGER NOT NULL DEFAULT 0,   -- HTTP status of the last attempt (0: none)
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX hook_delivery_due ON hook_delivery (state, next_at);

-- Every attempt, as made: the "every reminder logged" record.
CREATE TABLE hook_attempt (
    delivery_id BIGINT NOT NULL REFERENCES hook_delivery (id),
    attempt     INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,    -- HTTP status (0: no answer)
    duration_ms BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, attempt)
);

-- Tasks the server's scheduler runs when due. task_key makes scheduling idempotent
-- ("reminder:notice:12:before3d"); a task is marked done in the same transaction as its
-- effects. recur: '' (once), or "daily HH:MM", "weekly D HH:MM", "monthly D HH:MM" in
-- Asia/Shanghai; a recurring task stays due with due_at moved to its next run.
CREATE TABLE scheduled_task (
    id          @ID@,
    kind        TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
    task_key    TEXT NOT NULL UNIQUE CHECK (length(task_key) BETWEEN 1 AND 200),
    arg         TEXT NOT NULL DEFAULT '',      -- the kind's parameter
    recur       TEXT NOT NULL DEFAULT '',
    due_at      BIGINT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'due' CHECK (state IN ('due','done','failed','cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,    -- failed runs since the last success
    runs        INTEGER NOT NULL DEFAULT 0,    -- successful runs
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    ran_at      BIGINT
);
CREATE INDEX scheduled_task_due ON scheduled_task (state, due_at);
