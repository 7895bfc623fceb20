-- Stored files (src/core/file.c, docs/files.md): uploads kept once per content under
-- DATA_DIR/files/<hash[0..2]>/<hash> (SHA-256), a row per upload (its name, type, uploader
-- and the org whose quota it is charged to), references from the objects that use it
-- (notices, cases, activities ...), reference counts, and the bytes charged to each org.

-- One blob on disk per distinct content; the row exists while the blob does. Uploads and
-- the orphan sweep take this row's lock before touching the file system, so a blob is never
-- removed under an upload of the same bytes.
CREATE TABLE file_blob (
    hash       TEXT PRIMARY KEY CHECK (length(hash) = 64),
    size       BIGINT NOT NULL CHECK (size > 0),
    thumb      INTEGER NOT NULL DEFAULT 0,   -- 1: DATA_DIR/files/<..>/<hash>.thumb beside it
    created_at BIGINT NOT NULL
);

CREATE TABLE stored_file (
    id          @ID@,
    hash        TEXT NOT NULL REFERENCES file_blob (hash),
    size        BIGINT NOT NULL,
    type        TEXT NOT NULL CHECK (type IN ('pdf','docx','xlsx','jpeg','png','webp')),
    name        TEXT NOT NULL,                -- sanitised, for showing and the download only
    uploader_id BIGINT REFERENCES app_user (id),
    org_id      BIGINT NOT NULL REFERENCES org (id),   -- charged to this org's quota
    width       INTEGER NOT NULL DEFAULT 0,   -- images: pixels
    height      INTEGER NOT NULL DEFAULT 0,
    refs        INTEGER NOT NULL DEFAULT 0 CHECK (refs >= 0),
    idle_since  BIGINT,                       -- refs fell to 0 (or the upload): the sweep's clock
    created_at  BIGINT NOT NULL
);
CREATE INDEX stored_file_hash ON stored_file (hash);
CREATE INDEX stored_file_org ON stored_file (org_id, hash);
CREATE INDEX stored_file_idle ON stored_file (idle_since) WHERE refs = 0;

-- Who uses a file: an owner kind registered by its module ("notice", "case" ...) and the
-- owner's id. refs of stored_file counts these rows.
CREATE TABLE file_ref (
    file_id    BIGINT NOT NULL REFERENCES stored_file (id),
    owner_kind TEXT NOT NULL CHECK (length(owner_kind) BETWEEN 1 AND 32),
    owner_id   BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (file_id, owner_kind, owner_id)
);
CREATE INDEX file_ref_owner ON file_ref (owner_kind, owner_id);

-- Bytes charged to an org: each distinct content once per org. The row is also the lock an
-- upload takes before checking the quota, so two uploads cannot both squeeze under it.
CREATE TABLE file_usage (
    org_id BIGINT PRIMARY KEY REFERENCES org (id),
    bytes  BIGINT NOT NULL CHECK (bytes >= 0)
);
