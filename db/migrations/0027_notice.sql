-- Notices down the tree (src/domain/notice.c; docs/notices.md): a notice is composed at
-- its issuing org, optionally approved there, sent (its document number allocated and its
-- targets resolved into a fixed recipient list, in one transaction) and maybe recalled.
-- Recipients read and acknowledge (签收) it in their inbox, and may forward it down their
-- own subtree as a linked child notice whose receipts roll up to the original.
-- Times are unix milliseconds (UTC); calendar days are TEXT YYYY-MM-DD.

-- Per issuing org: the document-number prefix (X科协发) and whether a notice must be
-- approved by the org's administrator before it is sent.
CREATE TABLE notice_config (
    org_id            BIGINT PRIMARY KEY REFERENCES org (id),
    prefix            TEXT NOT NULL CHECK (length(prefix) BETWEEN 1 AND 32),
    approval_required INTEGER NOT NULL DEFAULT 0 CHECK (approval_required IN (0, 1)),
    version           INTEGER NOT NULL DEFAULT 1
);

-- The next sequence number of document numbers per org and year: only grows, so a number
-- of a recalled notice is never given again (like member_number_seq, 0020).
CREATE TABLE notice_number_seq (
    org_id BIGINT NOT NULL REFERENCES org (id),
    year   TEXT NOT NULL CHECK (length(year) = 4),
    next   BIGINT NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE notice (
    id               @ID@,
    org_id           BIGINT NOT NULL REFERENCES org (id),      -- the issuing org
    parent_notice_id BIGINT REFERENCES notice (id),            -- a forward: the notice it forwards
    state            TEXT NOT NULL CHECK (state IN ('draft','pending','approved','sent','recalled')),
    number           TEXT UNIQUE,                              -- 发文字号, set when sent
    number_year      TEXT,
    number_seq       BIGINT,
    title            TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body             TEXT NOT NULL DEFAULT '',                 -- Markdown as written
    body_html        TEXT NOT NULL DEFAULT '',                 -- rendered safe HTML (doc/markdown.h)
    contact_name     TEXT NOT NULL DEFAULT '',
    contact_phone    TEXT NOT NULL DEFAULT '',
    deadline_date    TEXT,                                     -- the day as written
    deadline_time    TEXT,                                     -- HH:MM, Asia/Shanghai; NULL = end of day
    deadline_at      BIGINT,                                   -- the last on-time instant, unix ms UTC
    receipt_required INTEGER NOT NULL DEFAULT 0 CHECK (receipt_required IN (0, 1)),
    form_id          BIGINT,                                   -- integration point: forms (issue 13)
    recipient_count  INTEGER NOT NULL DEFAULT 0,
    reject_reason    TEXT NOT NULL DEFAULT '',
    recall_reason    TEXT NOT NULL DEFAULT '',
    created_by       BIGINT REFERENCES app_user (id),
    approved_by      BIGINT REFERENCES app_user (id),
    sent_by          BIGINT REFERENCES app_user (id),
    recalled_by      BIGINT REFERENCES app_user (id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    approved_at      BIGINT,
    sent_at          BIGINT,
    recalled_at      BIGINT,
    version          INTEGER NOT NULL DEFAULT 1,
    CHECK ((number IS NULL) = (state IN ('draft','pending','approved'))),
    CHECK (parent_notice_id IS NULL OR parent_notice_id <> id)
);
CREATE INDEX notice_org ON notice (org_id, id);
CREATE INDEX notice_parent ON notice (parent_notice_id);

-- What a notice is sent to, as composed: chosen orgs (kind 'org') and rules: 'subtree'
-- (the open orgs below org_id, optionally of one level and/or type) and 'guided' (the open
-- orgs guided by org_id, optionally of one level and/or type). Resolved when sent.
CREATE TABLE notice_target (
    notice_id BIGINT NOT NULL REFERENCES notice (id),
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('org','subtree','guided')),
    org_id    BIGINT NOT NULL REFERENCES org (id),
    level     TEXT,
    type      TEXT,
    PRIMARY KEY (notice_id, seq)
);

-- Every notice and the notices it forwards, itself included: the receipts of a notice roll
-- up over anc_id = it (one index range, whatever the depth of forwarding).
CREATE TABLE notice_anc (
    notice_id BIGINT NOT NULL REFERENCES notice (id),
    anc_id    BIGINT NOT NULL REFERENCES notice (id),
    PRIMARY KEY (anc_id, notice_id)
);

-- The fixed recipient list, resolved when sent. state: unread -> read -> acknowledged;
-- who and when for the first read and the acknowledgement. sent_at repeats the notice's
-- so the inbox is one index range in order.
CREATE TABLE notice_recipient (
    notice_id    BIGINT NOT NULL REFERENCES notice (id),
    org_id       BIGINT NOT NULL REFERENCES org (id),
    sent_at      BIGINT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'unread' CHECK (state IN ('unread','read','acknowledged')),
    read_by      BIGINT REFERENCES app_user (id),
    read_at      BIGINT,
    ack_by       BIGINT REFERENCES app_user (id),
    ack_at       BIGINT,
    forwarded_id BIGINT REFERENCES notice (id),
    PRIMARY KEY (notice_id, org_id)
);
CREATE INDEX notice_recipient_inbox ON notice_recipient (org_id, sent_at, notice_id);
CREATE INDEX notice_recipient_inbox_state ON notice_recipient (org_id, state, sent_at, notice_id);

-- Target rules by level and type ("every county association under X") read the few orgs
-- of that level and type and probe each for the subtree, when that is fewer rows than the
-- subtree itself.
CREATE INDEX org_level_type ON org (level, type);
