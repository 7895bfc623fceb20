/*
 * log.h - one line per event on stderr: "2026-11-23T09:41:35.123Z LEVEL message".
 *
 * Never log passwords, tokens, cookies or full ID numbers; callers pass only what
 * is safe. Lines longer than 2 KiB are truncated. Thread-safe (one write(2) per line, or
 * one per buffer for a logbuf).
 */
#ifndef KEXIE_BASE_LOG_H
#define KEXIE_BASE_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

void log_line(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...)  log_line(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_line(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_line(LOG_ERROR, __VA_ARGS__)

#define LOG_LINE_MAX 2048
#define LOGBUF_BYTES (32 * 1024)

/* Buffered lines for high-volume logs (the access log): the same format, gathered in a
 * 32 KiB buffer and written when it fills or at most flush_ms later by a flusher thread,
 * so a busy server makes one write(2) for many requests instead of one each (nginx's
 * `access_log ... buffer= flush=`). logbuf_free writes what is left. A NULL logbuf writes
 * at once. */
struct logbuf;
int logbuf_new(int flush_ms, struct logbuf **out); /* 0, or -1 */
void logbuf_line(struct logbuf *b, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void logbuf_free(struct logbuf *b);

#endif
