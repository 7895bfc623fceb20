/*
 * log.h - one line per event on stderr: "2026-11-23T09:41:35.123Z LEVEL message".
 *
 * Never log passwords, tokens, cookies or full ID numbers; callers pass only what
 * is safe. Lines longer than 2 KiB are truncated. Thread-safe (one write(2) per line).
 */
#ifndef KEXIE_BASE_LOG_H
#define KEXIE_BASE_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

void log_line(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_info(...) log_line(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_line(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_line(LOG_ERROR, __VA_ARGS__)

#endif
