-- Names sort by pinyin: the same ICU collation SQLite registers per connection.
CREATE COLLATION IF NOT EXISTS zh_pinyin (provider = icu, locale = 'zh-u-co-pinyin');
