-- The member register (src/domain/person.c, membership.c; docs/members.md): the one place a
-- person lives. Every later module (volunteers, awards, care for senior experts, surveys)
-- points at person.id.
--
-- Personal data: the ID number and the mobile are never stored in clear. *_enc holds the
-- value encrypted under a versioned key (src/core/pii.h: "<version>$<base64>"), *_bidx a
-- keyed BLAKE2b of the normalised value for exact lookup and deduplication. Nothing else
-- (no index, no audit detail, no log) holds them.
-- Dates are TEXT YYYY-MM-DD (calendar days); times are unix seconds (UTC).
CREATE TABLE person (
    id               @ID@,
    org_id           BIGINT NOT NULL REFERENCES org (id),  -- the org that keeps the record
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_py          TEXT NOT NULL DEFAULT '',   -- pinyin sort key (surname readings), then name
    gender           TEXT NOT NULL DEFAULT '',   -- codelist gender ('' = not given)
    ethnicity        TEXT NOT NULL DEFAULT '',
    birth_date       TEXT,
    id_type          TEXT NOT NULL DEFAULT '',
    id_enc           TEXT,
    id_bidx          TEXT UNIQUE,
    mobile_enc       TEXT,
    mobile_bidx      TEXT,
    landline         TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    political_status TEXT NOT NULL DEFAULT '',
    party_joined_on  TEXT,
    party_full_on    TEXT,
    education        TEXT NOT NULL DEFAULT '',
    degree           TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',   -- the professional title in words (高级工程师)
    title_level      TEXT NOT NULL DEFAULT '',
    discipline       TEXT NOT NULL DEFAULT '',
    work_unit        TEXT NOT NULL DEFAULT '',
    position         TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','deceased')),
    deceased_on      TEXT,
    consent_version  TEXT NOT NULL DEFAULT '',
    consent_at       BIGINT,
    anonymized_at    BIGINT,                     -- set when the person asked to be erased
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CHECK (id_enc IS NULL OR id_bidx IS NOT NULL),
    CHECK (mobile_enc IS NULL OR mobile_bidx IS NOT NULL),
    CHECK (deceased_on IS NULL OR status = 'deceased')
);
CREATE INDEX person_org_name ON person (org_id, name_py, id);
CREATE INDEX person_name ON person (name_py, id);
CREATE INDEX person_mobile ON person (mobile_bidx);
CREATE INDEX person_birth ON person (birth_date);

-- The managed list of tags (senior expert, academician, young S&T worker, model worker ...):
-- a table, not a code list, because associations add their own.
CREATE TABLE person_tag_def (
    code  TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 32),
    zh    TEXT NOT NULL,
    en    TEXT NOT NULL,
    sort  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO person_tag_def (code, zh, en, sort) VALUES
    ('senior_expert', '老科技工作者', 'Senior expert', 1),
    ('academician', '院士', 'Academician', 2),
    ('young_worker', '青年科技工作者', 'Young S&T worker', 3),
    ('model_worker', '劳动模范', 'Model worker', 4),
    ('female_scientist', '女科技工作者', 'Woman scientist', 5),
    ('rural_expert', '农村科技人才', 'Rural S&T expert', 6);

CREATE TABLE person_tag (
    person_id BIGINT NOT NULL REFERENCES person (id),
    tag       TEXT NOT NULL REFERENCES person_tag_def (code),
    PRIMARY KEY (person_id, tag)
);
CREATE INDEX person_tag_tag ON person_tag (tag, person_id);

-- Group members (单位会员): a unit that holds a membership like a person.
CREATE TABLE member_unit (
    id             @ID@,
    org_id         BIGINT NOT NULL REFERENCES org (id),   -- the org that keeps the record
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    credit_code    TEXT UNIQUE CHECK (credit_code IS NULL OR length(credit_code) = 18),
    contact        TEXT NOT NULL DEFAULT '',
    representative_id BIGINT REFERENCES person (id),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- A membership: a person or a unit in an org (a society, an association). Member numbers
-- are unique within the org and never reused (member_number_seq only grows).
CREATE TABLE membership (
    id           @ID@,
    org_id       BIGINT NOT NULL REFERENCES org (id),
    person_id    BIGINT REFERENCES person (id),
    unit_id      BIGINT REFERENCES member_unit (id),
    category     TEXT NOT NULL CHECK (length(category) BETWEEN 1 AND 32),
    number       TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 64),
    status       TEXT NOT NULL CHECK (status IN ('applied','active','lapsed','left','expelled')),
    joined_on    TEXT,
    valid_until  TEXT,                        -- the end of the paid term ('' = none yet)
    left_on      TEXT,
    left_reason  TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (org_id, number),
    CHECK ((person_id IS NULL) <> (unit_id IS NULL)),
    CHECK (left_on IS NULL OR status IN ('left','expelled'))
);
-- one current membership of a person (or unit) per org; a person who left may join again
CREATE UNIQUE INDEX membership_current_person ON membership (org_id, person_id)
    WHERE person_id IS NOT NULL AND status IN ('applied','active','lapsed');
CREATE UNIQUE INDEX membership_current_unit ON membership (org_id, unit_id)
    WHERE unit_id IS NOT NULL AND status IN ('applied','active','lapsed');
CREATE INDEX membership_person ON membership (person_id);
CREATE INDEX membership_org ON membership (org_id, status, valid_until);

-- The next sequence number per org and pattern scope (the year, for {year} patterns).
CREATE TABLE member_number_seq (
    org_id  BIGINT NOT NULL REFERENCES org (id),
    scope   TEXT NOT NULL,
    next    BIGINT NOT NULL,
    PRIMARY KEY (org_id, scope)
);

-- Per org: the member-number pattern, and per category the term and the fee.
CREATE TABLE member_config (
    org_id          BIGINT PRIMARY KEY REFERENCES org (id),
    number_pattern  TEXT NOT NULL DEFAULT '{org}{year}{seq:6}',
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE member_term (
    org_id      BIGINT NOT NULL REFERENCES org (id),
    category    TEXT NOT NULL,
    term_months INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 120),
    fee_cents   BIGINT NOT NULL CHECK (fee_cents >= 0),
    PRIMARY KEY (org_id, category)
);

-- Dues recorded by staff (online payment is out of scope): each extends valid_until.
CREATE TABLE dues_payment (
    id            @ID@,
    membership_id BIGINT NOT NULL REFERENCES membership (id),
    amount_cents  BIGINT NOT NULL CHECK (amount_cents >= 0),
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    method        TEXT NOT NULL,
    receipt_no    TEXT NOT NULL DEFAULT '',
    paid_on       TEXT NOT NULL,
    recorded_by   BIGINT REFERENCES app_user (id),
    created_at    BIGINT NOT NULL,
    CHECK (period_to > period_from)
);
CREATE INDEX dues_membership ON dues_payment (membership_id, period_to);
CREATE INDEX dues_paid_on ON dues_payment (paid_on);

-- Who saw a person's full ID number or mobile, and why, is in the audit trail
-- (person.reveal); this table only rate-limits reveals per account and hour.
CREATE TABLE pii_reveal_count (
    user_id  BIGINT NOT NULL REFERENCES app_user (id),
    hour     BIGINT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (user_id, hour)
);

-- app_user.person_id (0009) now has its table.
CREATE INDEX app_user_person ON app_user (person_id);
