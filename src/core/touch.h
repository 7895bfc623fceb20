/*
 * touch.h - bookkeeping writes kept off the request path: when an API token was last used
 * and a session last seen.
 *
 * A request only notes the time in a bounded in-memory table (a mutex and a hash probe; it
 * never waits for the database and cannot fail). A background thread writes everything
 * noted every interval in one transaction (a few statements of up to TOUCH_CHUNK rows
 * each), and touch_stop writes what is left. A kexie killed in between loses at most one
 * interval of these times: that is accepted, they are bookkeeping (the idle clock of a
 * session is moved once a minute anyway). A full table drops the note and asks for an
 * early write; the credential's next request notes it again, since the database still
 * holds the older time. Readers of these times (lists, the idle check) combine the stored
 * value with touch_pending so they never look older than what was noted.
 */
#ifndef KEXIE_CORE_TOUCH_H
#define KEXIE_CORE_TOUCH_H

#include <stdint.h>

struct store;
struct touch;

enum touch_kind { TOUCH_TOKEN = 0, TOUCH_SESSION = 1 };

#define TOUCH_INTERVAL_MS 2000
#define TOUCH_CAPACITY    8192 /* distinct tokens + sessions noted between two writes */
#define TOUCH_CHUNK       32   /* rows per UPDATE statement */

/* Starts the writer thread for store s (borrowed; must outlive the touch). interval_ms and
 * capacity <= 0 take the defaults above. Returns 0 and *out (free with touch_stop), or
 * ERR_NOMEM / ERR_INTERNAL. */
int touch_start(struct store *s, int interval_ms, int capacity, struct touch **out);

/* Notes that credential id of kind k was used at unix time at (a later time wins). Never
 * blocks on the database; t may be NULL (nothing is noted). */
void touch_note(struct touch *t, enum touch_kind k, int64_t id, int64_t at);

/* The time noted for (k, id) and not yet written, or 0. t may be NULL (0). */
int64_t touch_pending(struct touch *t, enum touch_kind k, int64_t id);

/* Writes everything noted so far, now, in one transaction. Returns 0, or the store's error
 * (the notes are kept for the next write). For tests and shutdown. */
int touch_flush(struct touch *t);

/* Stops the thread, writes what is left and frees t. NULL is fine. */
void touch_stop(struct touch *t);

#endif
