/*
 * http/conns — the connections the server holds, private to http/ (server.c).
 *
 * One `struct http_conn` per TCP connection, created by libmicrohttpd's connection-started
 * notification and freed by its connection-closed notification, which MHD sends for every
 * connection it ever accepted (also when it gives up on a request without calling the
 * request-completed callback, and when the daemon stops). It carries:
 *  - `pending`: the request the URI-log callback created and the completed callback has not
 *    yet freed, so the closed notification can free what MHD dropped;
 *  - an absolute deadline, enforced by one watchdog thread: libmicrohttpd's own timeout is an
 *    inactivity timeout (reset by every byte), which a client trickling one header line at a
 *    time never trips. Past the deadline the watchdog shuts the socket down
 *    (shutdown(2), safe from any thread; the fd stays open until MHD's cleanup, which runs
 *    after the closed notification has unregistered the connection under the same lock), and
 *    MHD then closes the connection on its own thread. A connection whose whole request head
 *    waits unread in its socket (its worker thread was busy elsewhere) is not cut: the delay
 *    is the server's, not the client's.
 */
#ifndef CK_HTTP_CONNS_H
#define CK_HTTP_CONNS_H

#include <stdatomic.h>
#include <stdint.h>

#define HTTP_WATCHDOG_TICK_MS 100 /* deadline resolution */
#define HTTP_WATCHDOG_PEEK_BYTES                                                                   \
	16384 /* how much of an unread request head the watchdog looks at */

struct http_conn {
	struct http_conn *prev, *next; /* registry list, under the registry lock */
	int fd;
	atomic_llong deadline_ms; /* CLOCK_MONOTONIC ms after which the socket is cut; 0 = none */
	void *pending;		  /* owned by server.c; touched only on the connection's thread */
	unsigned long requests;	  /* requests started on this connection (connection's thread) */
};

struct http_conns;

/* Starts the registry and its watchdog thread. 0, CK_E_NOMEM or CK_E_IO (no thread). */
int http_conns_start(struct http_conns **ret);

/* Stops the watchdog and frees the registry; every connection must be removed already. */
void http_conns_stop(struct http_conns *cs);

/* Registers a new connection on socket fd (no deadline). NULL when out of memory. */
struct http_conn *http_conns_add(struct http_conns *cs, int fd);

/* Unregisters and frees c (after this the watchdog never touches its fd). NULL accepted. */
void http_conns_remove(struct http_conns *cs, struct http_conn *c);

/* Sets c's deadline to now + seconds; seconds == 0 clears it. Any thread. */
void http_conn_deadline(struct http_conn *c, unsigned seconds);

#endif
