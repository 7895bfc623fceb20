-- Forms and generic submissions (src/core/form.h, docs/forms.md): a template is a versioned
-- field schema kept as JSON text; a version never changes once written (a change of the
-- schema is a new version), so a submission keeps the one it was made with. Submissions of
-- values for a subject (a notice, a period ...) by an org to a receiving org above it move
-- draft -> submitted -> returned -> resubmitted -> accepted; every submitted revision is
-- kept, with the Idempotency-Key of the request that made it.
CREATE TABLE form_template (
    id         @ID@,
    org_id     BIGINT REFERENCES org (id),       -- the owner; NULL = built in
    code       TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    current    INTEGER NOT NULL DEFAULT 1,        -- the current version's number
    version    INTEGER NOT NULL DEFAULT 1,        -- If-Match
    created_by BIGINT REFERENCES app_user (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX form_template_code ON form_template ((COALESCE(org_id, 0)), code);

CREATE TABLE form_version (
    template_id BIGINT NOT NULL REFERENCES form_template (id),
    number      INTEGER NOT NULL,
    schema_json TEXT NOT NULL,
    created_by  BIGINT REFERENCES app_user (id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (template_id, number)
);

CREATE TABLE form_submission (
    id               @ID@,
    template_id      BIGINT NOT NULL REFERENCES form_template (id),
    form_version     INTEGER NOT NULL,
    subject_kind     TEXT NOT NULL CHECK (subject_kind IN ('notice','period','adhoc')),
    subject_id       BIGINT NOT NULL,
    org_id           BIGINT NOT NULL REFERENCES org (id),   -- the submitting org
    receiving_org_id BIGINT NOT NULL REFERENCES org (id),   -- at or above it
    status           TEXT NOT NULL CHECK (status IN ('draft','submitted','returned','resubmitted','accepted')),
    deadline         TEXT,                     -- Asia/Shanghai: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.mmm]]
    late             INTEGER,                  -- judged at the first submit; NULL before or without a deadline
    body             TEXT NOT NULL DEFAULT '{}', -- the values (normalised JSON)
    reason           TEXT NOT NULL DEFAULT '',   -- why it was returned
    rev              INTEGER NOT NULL DEFAULT 0, -- the latest submitted revision
    version          INTEGER NOT NULL DEFAULT 1,
    created_by       BIGINT REFERENCES app_user (id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    submitted_at_ms  BIGINT,                   -- the first submit, unix milliseconds
    decided_by       BIGINT REFERENCES app_user (id),
    decided_at       BIGINT,
    FOREIGN KEY (template_id, form_version) REFERENCES form_version (template_id, number)
);
CREATE UNIQUE INDEX form_submission_one ON form_submission (template_id, subject_kind, subject_id, org_id);
CREATE INDEX form_submission_org ON form_submission (org_id, id);
CREATE INDEX form_submission_receiving ON form_submission (receiving_org_id, status, id);

CREATE TABLE form_submission_rev (
    submission_id   BIGINT NOT NULL REFERENCES form_submission (id),
    rev             INTEGER NOT NULL,
    form_version    INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('submitted','resubmitted')),
    body            TEXT NOT NULL,
    submitted_by    BIGINT REFERENCES app_user (id),
    submitted_at_ms BIGINT NOT NULL,
    idem_key        TEXT,                      -- the request's Idempotency-Key
    request_hash    TEXT,                      -- BLAKE2b of what the key stood for
    PRIMARY KEY (submission_id, rev)
);
CREATE UNIQUE INDEX form_submission_rev_key ON form_submission_rev (submitted_by, idem_key)
    WHERE idem_key IS NOT NULL;

-- Built-in templates every org may use (codes in core/form.h); nobody edits them: an org
-- copies one into a template of its own to change it.
INSERT INTO form_template (org_id, code, name, name_en, current, version, created_at, updated_at)
    VALUES (NULL, 'monthly_briefing', '月度工作简报', 'Monthly work briefing', 1, 1, 0, 0);
INSERT INTO form_version (template_id, number, schema_json, created_at)
    SELECT id, 1, '{"fields":[{"key":"highlights","type":"long_text","label":{"zh":"工作亮点","en":"Highlights"},"required":true,"max":5000,"help":{"zh":"本月最重要的工作和成效","en":"The month''s most important work and results"}},{"key":"activities","type":"integer","label":{"zh":"开展活动（场）","en":"Activities held"},"required":true,"min":0,"max":100000},{"key":"participants","type":"integer","label":{"zh":"参与人次","en":"Participants"},"required":true,"min":0,"max":100000000},{"key":"volunteers","type":"integer","label":{"zh":"志愿者（人次）","en":"Volunteers"},"required":false,"min":0,"max":10000000},{"key":"typical_cases","type":"long_text","label":{"zh":"典型案例","en":"Typical cases"},"required":false,"max":10000,"help":{"zh":"可另行报送典型案例","en":"Cases may also be submitted on their own"}},{"key":"next_plan","type":"long_text","label":{"zh":"下月工作计划","en":"Next month''s plan"},"required":true,"max":5000}]}', 0 FROM form_template WHERE org_id IS NULL AND code = 'monthly_briefing';
INSERT INTO form_template (org_id, code, name, name_en, current, version, created_at, updated_at)
    VALUES (NULL, 'activity_summary', '活动总结', 'Activity summary', 1, 1, 0, 0);
INSERT INTO form_version (template_id, number, schema_json, created_at)
    SELECT id, 1, '{"fields":[{"key":"activity_count","type":"integer","label":{"zh":"活动场次","en":"Number of activities"},"required":true,"min":0,"max":100000},{"key":"participants","type":"integer","label":{"zh":"参与人次","en":"Participants"},"required":true,"min":0,"max":100000000},{"key":"volunteers","type":"integer","label":{"zh":"志愿者（人次）","en":"Volunteers"},"required":false,"min":0,"max":10000000},{"key":"photos","type":"table","label":{"zh":"活动照片","en":"Photos"},"required":false,"min":0,"max":20,"columns":[{"key":"photo","type":"file","label":{"zh":"照片","en":"Photo"},"required":true},{"key":"caption","type":"text","label":{"zh":"说明","en":"Caption"},"required":false,"max":100}]},{"key":"narrative","type":"long_text","label":{"zh":"活动总结","en":"Narrative"},"required":true,"max":10000}]}', 0 FROM form_template WHERE org_id IS NULL AND code = 'activity_summary';
