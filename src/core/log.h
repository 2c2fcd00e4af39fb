/*
 * core/log — one line per event on stderr: "2026-11-23T19:41:35Z LEVEL [id] message".
 * Only outer layers (http/, jobs/, cli/) call it (STYLE.md §10). Never log a secret, token or
 * PEM. Thread-safe: each line is written with a single write(2).
 */
#ifndef CK_CORE_LOG_H
#define CK_CORE_LOG_H

enum ck_log_level { CK_LOG_DEBUG, CK_LOG_INFO, CK_LOG_WARN, CK_LOG_ERROR };

/* Sets the minimum level printed (default CK_LOG_INFO). Call before starting threads. */
void ck_log_set_level(enum ck_log_level level);

/* Logs one line; `id` (request or job id) may be NULL. Lines are cut at 2 KiB. */
void ck_log(enum ck_log_level level, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
