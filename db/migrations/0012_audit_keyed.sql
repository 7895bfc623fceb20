-- The keyed audit trail (docs/security.md, "Audit trail").
--
-- chain: how the records are chained. 'hmac-sha256' = HMAC-SHA-256 with a key derived from
-- the server key (DATA_DIR/kexie.key), which a database administrator does not hold.
-- A trail that already has records keeps 'sha256' (the plain hashes of before) until the
-- server re-chains it once with the key (`kexie migrate` or `kexie serve` does, and records
-- it as audit.rekey); an empty trail starts keyed.
ALTER TABLE audit_head ADD COLUMN chain TEXT NOT NULL DEFAULT 'sha256';
UPDATE audit_head SET chain = 'hmac-sha256' WHERE seq = 0;
-- pruned_mac authenticates (pruned_seq, pruned_hash): without it, deleting the oldest
-- records and moving the mark would pass for a pruning.
ALTER TABLE audit_head ADD COLUMN pruned_mac TEXT NOT NULL DEFAULT '';

-- The orgs a record is about, for the `org_id` subtree filter: the object's org and, for a
-- record about an account (sign-ins, password changes, tokens, sessions...), the orgs of
-- the account's roles when it was written. Part of the record: the keyed chain covers them.
CREATE TABLE audit_org (
    seq    BIGINT NOT NULL REFERENCES audit_log (seq) ON DELETE CASCADE,
    org_id BIGINT NOT NULL,
    PRIMARY KEY (seq, org_id)
);
CREATE INDEX audit_org_org ON audit_org (org_id, seq);

-- the records written before: their org, and the orgs of the account they are about
INSERT INTO audit_org (seq, org_id)
SELECT seq, org_id FROM audit_log WHERE org_id IS NOT NULL;
INSERT INTO audit_org (seq, org_id)
SELECT DISTINCT l.seq, r.org_id FROM audit_log l
JOIN role_assignment r ON (l.object_type = 'user' AND l.object_id = CAST(r.user_id AS TEXT))
                       OR (l.object_type IN ('session', 'api_token') AND r.user_id = l.user_id)
WHERE NOT EXISTS (SELECT 1 FROM audit_org x WHERE x.seq = l.seq AND x.org_id = r.org_id);
