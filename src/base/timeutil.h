/*
 * timeutil.h - clocks and UTC timestamps (never local time: deadlines are stored in
 * UTC and shown in Asia/Shanghai by the UI).
 */
#ifndef KEXIE_BASE_TIMEUTIL_H
#define KEXIE_BASE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

uint64_t time_mono_ns(void);   /* monotonic clock, for durations */
int64_t time_unix(void);       /* wall clock seconds */
/* "2026-11-23T09:41:35.123Z" into out (cap >= 25). */
void time_iso_now(char *out, size_t cap);
/* "2026-11-23T09:41:35Z" for a unix time (cap >= 21). */
void time_iso(int64_t t, char *out, size_t cap);
/* RFC 7231 HTTP date for a unix time (cap >= 30). */
void time_http(int64_t t, char *out, size_t cap);

#endif
