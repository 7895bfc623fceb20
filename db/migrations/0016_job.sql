-- Background jobs (src/core/job.c): one row per long task (an org import today, member
-- imports and exports later), run by the server's small worker pool or by the command line.
-- Progress, the resume point and the first errors are written in the same transaction as
-- each batch of the job's work, so after a crash the row says exactly what was kept.
-- Times are unix seconds (UTC).
CREATE TABLE job (
    id            @ID@,
    kind          TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
    origin        TEXT NOT NULL CHECK (origin IN ('http','cli')),  -- who may resume it
    owner_id      BIGINT REFERENCES app_user (id),   -- NULL: started from the command line
    role          TEXT NOT NULL DEFAULT '',          -- the role the owner acted under
    request_id    TEXT NOT NULL DEFAULT '',
    client_addr   TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
    dry_run       INTEGER NOT NULL DEFAULT 0,
    input_path    TEXT NOT NULL DEFAULT '',          -- the file the job reads
    input_name    TEXT NOT NULL DEFAULT '',          -- as the user named it (shown only)
    input_hash    TEXT NOT NULL DEFAULT '',          -- BLAKE2b of the file: a resume reads the same bytes
    rows_total    BIGINT NOT NULL DEFAULT 0,
    rows_done     BIGINT NOT NULL DEFAULT 0,
    error_count   BIGINT NOT NULL DEFAULT 0,         -- exact; job_error keeps the first ones
    checkpoint    TEXT NOT NULL DEFAULT '',          -- kind-specific resume point
    result        TEXT NOT NULL DEFAULT '',          -- kind-specific JSON; so far, then final
    message       TEXT NOT NULL DEFAULT '',          -- why it failed, for people
    runner        TEXT NOT NULL DEFAULT '',          -- host:pid:start of the process running it
    attempts      INTEGER NOT NULL DEFAULT 0,        -- 2 and more: resumed after an interruption
    run_ms        BIGINT NOT NULL DEFAULT 0,         -- time spent running, over all attempts
    created_at    BIGINT NOT NULL,
    started_at    BIGINT,
    heartbeat_at  BIGINT,
    finished_at   BIGINT
);
CREATE INDEX job_owner ON job (owner_id, id);
CREATE INDEX job_state ON job (state, origin);

CREATE TABLE job_error (
    job_id  BIGINT NOT NULL REFERENCES job (id),
    seq     INTEGER NOT NULL,
    row_no  BIGINT NOT NULL,      -- the spreadsheet row (the header is 1)
    col     TEXT NOT NULL DEFAULT '',
    code    TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
