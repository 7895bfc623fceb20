-- 0028 (PostgreSQL): name_text's pinyin compared byte by byte, as the vocabulary's is
-- (the prefix ranges below are ranges of bytes).
ALTER TABLE name_text ALTER COLUMN py TYPE TEXT COLLATE "C", ALTER COLUMN ini TYPE TEXT COLLATE "C";
-- Pinyin typed from the start of a name (its first syllables or initials) found through
-- name_text itself: the vocabulary reads each bigram one way, but a surname may read
-- otherwise (单 shan, 曾 zeng: core/nameindex.c), and name_text has the surname's reading.
CREATE INDEX name_text_py ON name_text (kind, py);
CREATE INDEX name_text_ini ON name_text (kind, ini);

-- 0028: the register's name index holds each person's name and work unit (q finds both
-- through it; domain/member.c index_text). People indexed before by their name alone are
-- indexed again by `kexie member reindex`; until then the index counts as not built and
-- searches walk the register. A register without work units needs nothing.
INSERT INTO nameindex_state (kind, built)
SELECT 2, CASE WHEN EXISTS (SELECT 1 FROM person WHERE work_unit <> '' AND anonymized_at IS NULL)
               THEN 0 ELSE 1 END
WHERE true
ON CONFLICT (kind) DO UPDATE SET built = excluded.built;
