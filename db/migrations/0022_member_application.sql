-- Membership applications from the public registration page (src/domain/registration.c,
-- docs/members.md): a person applies to join an org; its staff approve (the person is
-- created or linked through the blind index, the membership gets its number, a member
-- account is created) or reject with a reason; the applicant follows the outcome with the
-- token they were given (only its keyed hash is stored).
CREATE TABLE consent_text (
    version    TEXT PRIMARY KEY CHECK (length(version) BETWEEN 1 AND 32),
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO consent_text (version, body, created_at) VALUES ('2026-1',
'本人同意所在组织依据《中华人民共和国个人信息保护法》收集、存储和使用本人填写的个人信息（含身份证件号码、手机号码等敏感个人信息），仅用于会员管理、会员服务和统计，不向无关单位和个人提供。身份证件号码和手机号码加密存储，查看完整信息须说明理由并留痕。本人可查询、导出本人信息，可申请更正，也可申请注销并删除个人信息。', 0);

CREATE TABLE member_application (
    id               @ID@,
    org_id           BIGINT NOT NULL REFERENCES org (id),   -- the org to join
    category         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),
    name             TEXT NOT NULL,
    gender           TEXT NOT NULL DEFAULT '',
    birth_date       TEXT,
    id_type          TEXT NOT NULL DEFAULT '',
    id_enc           TEXT,                      -- sealed (core/pii.h), cleared once decided
    id_bidx          TEXT,
    mobile_enc       TEXT,
    mobile_bidx      TEXT,
    email            TEXT NOT NULL DEFAULT '',
    work_unit        TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',
    title_level      TEXT NOT NULL DEFAULT '',
    education        TEXT NOT NULL DEFAULT '',
    political_status TEXT NOT NULL DEFAULT '',
    login            TEXT NOT NULL,             -- the member account asked for
    password_hash    TEXT,                      -- argon2id; cleared once decided
    consent_version  TEXT NOT NULL REFERENCES consent_text (version),
    consent_at       BIGINT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,      -- keyed BLAKE2b of the applicant's status token
    reason           TEXT NOT NULL DEFAULT '',  -- why it was rejected
    person_id        BIGINT REFERENCES person (id),
    membership_id    BIGINT REFERENCES membership (id),
    user_id          BIGINT REFERENCES app_user (id),
    decided_by       BIGINT REFERENCES app_user (id),
    decided_at       BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX member_application_org ON member_application (org_id, status, id);
-- one open application per person and org
CREATE UNIQUE INDEX member_application_open ON member_application (org_id, id_bidx)
    WHERE status = 'pending' AND id_bidx IS NOT NULL;

-- A member asks to be erased; staff approve (the person is anonymised: statistics keep
-- the membership, the gender, the birth year) or reject with a reason.
CREATE TABLE member_erasure (
    id          @ID@,
    person_id   BIGINT NOT NULL REFERENCES person (id),
    org_id      BIGINT NOT NULL REFERENCES org (id),     -- the keeping org when asked
    status      TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),
    reason      TEXT NOT NULL DEFAULT '',
    answer      TEXT NOT NULL DEFAULT '',
    decided_by  BIGINT REFERENCES app_user (id),
    decided_at  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX member_erasure_org ON member_erasure (org_id, status, id);
CREATE UNIQUE INDEX member_erasure_open ON member_erasure (person_id) WHERE status = 'pending';
