/*
 * timeutil.c - monotonic and UTC wall-clock helpers built on gmtime_r.
 */
#include "base/timeutil.h"
#include "base/err.h"

#include <stdio.h>
#include <string.h>

uint64_t time_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t time_unix(void)
{
	return (int64_t)time(NULL);
}

void time_iso_now(char *out, size_t cap)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	/* digits by hand: every access log line takes one (snprintf was 2% of a request) */
	int f[7] = {tm.tm_year + 1900,           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (int)(ts.tv_nsec / 1000000L)};
	static const int width[7] = {4, 2, 2, 2, 2, 2, 3};
	static const char after[7] = {'-', '-', 'T', ':', ':', '.', 'Z'};
	char tmp[32];
	size_t n = 0;
	for (int i = 0; i < 7; i++) {
		int v = f[i] < 0 ? 0 : f[i];
		for (int d = width[i] - 1; d >= 0; d--, v /= 10)
			tmp[n + (size_t)d] = (char)('0' + v % 10);
		n += (size_t)width[i];
		tmp[n++] = after[i];
	}
	tmp[n] = '\0';
	if (cap)
		str_copy(out, cap, tmp);
}

void time_iso(int64_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_http(int64_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

bool time_beijing(const char *iso, char *out, size_t cap)
{
	int y, mo, d, h, mi, s, used = 0;
	struct tm tm = {0};
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 || used != 19 ||
	    (iso[19] != 'Z' && iso[19] != '.') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60) {
		snprintf(out, cap, "%s", iso);
		return false;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	time_t t = timegm(&tm) + TIME_SHANGHAI_OFFSET_S;
	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
	return true;
}

bool date_valid(const char *s)
{
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return false;
		} else if (s[i] < '0' || s[i] > '9') {
			return false;
		}
	}
	if (s[10] != '\0')
		return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1800 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int month_days(int64_t y, int m)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : mdays[m - 1];
}

bool date_add(const char *d, int months, int days, char out[11])
{
	out[0] = '\0';
	if (!d || !date_valid(d))
		return false;
	int64_t y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
	int m = (d[5] - '0') * 10 + (d[6] - '0');
	int dd = (d[8] - '0') * 10 + (d[9] - '0');
	int64_t mi = y * 12 + (m - 1) + months;
	y = mi / 12;
	m = (int)(mi % 12) + 1;
	if (dd > month_days(y, m))
		dd = month_days(y, m);
	int64_t z = days_from_civil(y, m, dd) + days;
	civil_from_days(z, &y, &m, &dd);
	if (y < 1800 || y > 9999)
		return false;
	snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, dd);
	return true;
}

int date_years_between(const char *birth, const char *on)
{
	if (!birth || !on || !date_valid(birth) || !date_valid(on) || strcmp(on, birth) < 0)
		return -1;
	int years = ((on[0] - '0') * 1000 + (on[1] - '0') * 100 + (on[2] - '0') * 10 + (on[3] - '0')) -
		    ((birth[0] - '0') * 1000 + (birth[1] - '0') * 100 + (birth[2] - '0') * 10 +
		     (birth[3] - '0'));
	if (strcmp(on + 5, birth + 5) < 0) /* this year's birthday not reached: MM-DD compare */
		years--;
	return years;
}

bool time_shanghai_deadline(const char *date, const char *hhmm, int64_t *last_ms)
{
	if (!date || !date_valid(date))
		return false;
	int h = 23, mi = 59;
	if (hhmm) {
		if (strlen(hhmm) != 5 || hhmm[2] != ':' || hhmm[0] < '0' || hhmm[0] > '2' || hhmm[1] < '0' ||
		    hhmm[1] > '9' || hhmm[3] < '0' || hhmm[3] > '5' || hhmm[4] < '0' || hhmm[4] > '9')
			return false;
		h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
		mi = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
		if (h > 23)
			return false;
	}
	int64_t y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
	int m = (date[5] - '0') * 10 + (date[6] - '0');
	int d = (date[8] - '0') * 10 + (date[9] - '0');
	/* the named minute's last millisecond, in UTC+8 */
	int64_t local_s = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + 59;
	*last_ms = (local_s - TIME_SHANGHAI_OFFSET_S) * 1000 + 999;
	return true;
}

void date_today(char *out, size_t cap)
{
	struct tm tm;
	time_t now = time(NULL) + TIME_SHANGHAI_OFFSET_S;
	gmtime_r(&now, &tm);
	strftime(out, cap, "%Y-%m-%d", &tm);
}
