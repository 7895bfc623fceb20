/*
 * timeutil.h - clocks and UTC timestamps (never local time: deadlines are stored in
 * UTC and shown in Asia/Shanghai by the UI).
 */
#ifndef KEXIE_BASE_TIMEUTIL_H
#define KEXIE_BASE_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

uint64_t time_mono_ns(void); /* monotonic clock, for durations */
int64_t time_unix(void);     /* wall clock seconds */
/* "2026-11-23T09:41:35.123Z" into out (cap >= 25). */
void time_iso_now(char *out, size_t cap);
/* "2026-11-23T09:41:35Z" for a unix time (cap >= 21). */
void time_iso(int64_t t, char *out, size_t cap);
/* RFC 7231 HTTP date for a unix time (cap >= 30). */
void time_http(int64_t t, char *out, size_t cap);

/* A UTC timestamp "2026-11-23T09:41:35[.123]Z" as people in China read it: Asia/Shanghai
 * (UTC+8 all year; no daylight saving since 1991), to the second, "2026-11-23 17:41:35".
 * cap >= 20. Returns false (and copies iso unchanged) when iso is not such a timestamp. */
bool time_beijing(const char *iso, char *out, size_t cap);

/* True when s is a real calendar date "YYYY-MM-DD" from 1800 on (leap years honoured). */
bool date_valid(const char *s);
/* Today's UTC date "YYYY-MM-DD" (cap >= 11). */
void date_today(char *out, size_t cap);

#endif
