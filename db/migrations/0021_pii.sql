-- Personal data keys (src/core/pii.c; docs/security.md, "Personal data").
--
-- ID numbers and mobiles are stored sealed as '<version>$<base64url>', each under a key
-- derived from the server key (DATA_DIR/kexie.key) for its key version and purpose. This
-- one row says which version new values are sealed under; every server process reads it
-- in the transaction that writes a value (pii_current), so a rekey's bump is seen at once.
--   version        the current key version (1 until the first rekey)
--   retired_below  values under an older version are refused (a rekey with retire sets
--                  it once no column holds one); 1: none retired
--   rekeying       1 from a rekey's bump until every value is under `version`: a rekey
--                  run that was stopped or killed is resumed, not bumped again
--   changed_at     unix seconds of the last bump or close
-- The key itself is never stored; the blind indexes (unversioned keys) live beside the
-- sealed columns of each module.
CREATE TABLE pii_key (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    version       BIGINT NOT NULL CHECK (version BETWEEN 1 AND 2147483647),
    retired_below BIGINT NOT NULL DEFAULT 1 CHECK (retired_below >= 1 AND retired_below <= version),
    rekeying      INTEGER NOT NULL DEFAULT 0 CHECK (rekeying IN (0, 1)),
    changed_at    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO pii_key (id, version, retired_below, rekeying, changed_at) VALUES (1, 1, 1, 0, 0);
