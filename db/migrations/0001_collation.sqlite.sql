-- SQLite: the store registers the zh_pinyin collation (ICU zh@collation=pinyin) on every
-- connection, so nothing is stored here. The migration exists so versions match PostgreSQL.
SELECT 1;
