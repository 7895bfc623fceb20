-- The Chinese name index (src/core/nameindex.h, docs/nameindex.md), for every kind of named
-- object (1 = organizations). Built by C (pinyin comes from a table), so an existing
-- database has its names indexed by `kexie org recount`; until then nameindex_state says
-- the index is not built and searches scan.
CREATE TABLE name_gram (
    kind   INTEGER NOT NULL,
    gram   TEXT NOT NULL,        -- two characters of the normalised name (one at its end)
    obj_id BIGINT NOT NULL,
    PRIMARY KEY (kind, gram, obj_id)
) WITHOUT ROWID;

CREATE TABLE name_vocab (
    kind INTEGER NOT NULL,
    gram TEXT NOT NULL,
    py   TEXT NOT NULL,          -- pinyin of the gram's Han characters: 科协 -> kexie
    ini  TEXT NOT NULL,          -- their initials: kx
    n    BIGINT NOT NULL,        -- objects holding the gram
    PRIMARY KEY (kind, gram)
) WITHOUT ROWID;
CREATE INDEX name_vocab_py ON name_vocab (kind, py);
CREATE INDEX name_vocab_ini ON name_vocab (kind, ini);

CREATE TABLE name_text (
    kind   INTEGER NOT NULL,
    obj_id BIGINT NOT NULL,
    name   TEXT NOT NULL,        -- the name indexed
    key    TEXT,                 -- the identifier indexed (org code)
    py     TEXT NOT NULL,        -- pinyin of each run of Han characters, runs joined by ' '
    ini    TEXT NOT NULL,        -- their initials, likewise
    PRIMARY KEY (kind, obj_id)
) WITHOUT ROWID;

CREATE TABLE name_key (
    kind   INTEGER NOT NULL,
    key    TEXT NOT NULL,        -- lowercased
    obj_id BIGINT NOT NULL,
    PRIMARY KEY (kind, key, obj_id)
) WITHOUT ROWID;

CREATE TABLE nameindex_state (
    kind  INTEGER PRIMARY KEY,
    built INTEGER NOT NULL       -- 1 once every object of the kind is indexed
);
INSERT INTO nameindex_state (kind, built)
SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM org) THEN 0 ELSE 1 END;
