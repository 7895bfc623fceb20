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
/* Asia/Shanghai is UTC+8 all year (no daylight saving since 1991): the one offset every
 * Beijing-time rule uses (deadlines here, forms' deadlines, the scheduler's days). */
#define TIME_SHANGHAI_OFFSET_S (8 * 3600)

/* A deadline given as a calendar day in Asia/Shanghai (UTC+8 all year), optionally with a
 * time "HH:MM": the last instant that is still on time, as unix milliseconds UTC, into
 * *last_ms. "By 2026-06-15" is on time through 2026-06-15 23:59:59.999 Beijing time; "by
 * 2026-06-15 17:00" through 17:00:59.999 (the whole named minute, as the whole named day).
 * Something is on time when its instant <= *last_ms. False for a date that is not valid or
 * a time that is not HH:MM (00:00 to 23:59). */
bool time_shanghai_deadline(const char *date, const char *hhmm, int64_t *last_ms);
/* Today's date "YYYY-MM-DD" (cap >= 11) as people in China name it: Asia/Shanghai. Every
 * business rule's "today" (an org's as-of date, "not after today", a membership's expiry,
 * a document number's year) is this one: between 16:00 and 24:00 UTC the UTC date is
 * still yesterday in Beijing's eyes. */
void date_today(char *out, size_t cap);
/* The date `months` months and then `days` days after the valid date d (either may be
 * negative), into out (YYYY-MM-DD); a day past the end of the target month becomes that
 * month's last day (2024-01-31 + 1 month = 2024-02-29). Returns false (out "") when d is
 * not a valid date or the result leaves years 1800..9999. */
bool date_add(const char *d, int months, int days, char out[11]);
/* Whole years from the valid date birth to the valid date on (an age), or -1 when either
 * is invalid or on is before birth. */
int date_years_between(const char *birth, const char *on);

/* Calendar arithmetic on the proleptic Gregorian calendar: days since 1970-01-01 of
 * y-m-d (m 1..12, d 1..31), the date of a day number, and the days in month m of year y. */
int64_t days_from_civil(int64_t y, int m, int d);
void civil_from_days(int64_t z, int64_t *y, int *m, int *d);
int month_days(int64_t y, int m);

#endif
