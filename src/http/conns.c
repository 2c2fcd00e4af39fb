/*
 * http/conns — connection registry and the deadline watchdog (contract: http/conns.h).
 */
#include "http/conns.h"
#include "core/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/error.h"

struct http_conns {
	pthread_mutex_t lock; /* the list; held while the watchdog cuts a socket */
	pthread_cond_t wake;  /* signalled to stop the watchdog */
	struct http_conn *head;
	int stopping;
	pthread_t thread;
};

/* True when a whole request head (request line and headers, up to the blank line) sits in the
 * socket's receive queue, unread: the client has done its part, and it is this server that has
 * not read it yet — its connection's worker thread is busy with another connection's request
 * (a password hash, a long export). Such a connection is not cut: the deadline is there for
 * clients that trickle a request, and a trickled head is read by MHD as it arrives, so it never
 * waits whole in the queue. Peeking consumes nothing and is safe from any thread. */
static int head_waiting_unread(int fd)
{
	char buf[HTTP_WATCHDOG_PEEK_BYTES + 1];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_PEEK | MSG_DONTWAIT);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return memmem(buf, (size_t)n, "\r\n\r\n", 4) || memmem(buf, (size_t)n, "\n\n", 2);
}

static void cut_overdue(struct http_conns *cs, int64_t now)
{
	struct http_conn *c;
	long long d;

	for (c = cs->head; c; c = c->next) {
		d = atomic_load(&c->deadline_ms);
		if (!d || now < d || head_waiting_unread(c->fd))
			continue;
		if (atomic_compare_exchange_strong(&c->deadline_ms, &d, 0))
			shutdown(c->fd, SHUT_RDWR);
	}
}

static void *watchdog(void *arg)
{
	struct http_conns *cs = arg;
	struct timespec until;

	pthread_mutex_lock(&cs->lock);
	while (!cs->stopping) {
		cut_overdue(cs, ck_mono_ms());
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += HTTP_WATCHDOG_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&cs->wake, &cs->lock, &until);
	}
	pthread_mutex_unlock(&cs->lock);
	return NULL;
}

int http_conns_start(struct http_conns **ret)
{
	struct http_conns *cs = calloc(1, sizeof(*cs));
	pthread_condattr_t ca;

	if (!cs)
		return CK_E_NOMEM;
	pthread_mutex_init(&cs->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines are monotonic too */
	pthread_cond_init(&cs->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&cs->thread, NULL, watchdog, cs) != 0) {
		pthread_cond_destroy(&cs->wake);
		pthread_mutex_destroy(&cs->lock);
		free(cs);
		return CK_E_IO;
	}
	*ret = cs;
	return 0;
}

void http_conns_stop(struct http_conns *cs)
{
	if (!cs)
		return;
	pthread_mutex_lock(&cs->lock);
	cs->stopping = 1;
	pthread_cond_signal(&cs->wake);
	pthread_mutex_unlock(&cs->lock);
	pthread_join(cs->thread, NULL);
	pthread_cond_destroy(&cs->wake);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}

struct http_conn *http_conns_add(struct http_conns *cs, int fd)
{
	struct http_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	atomic_init(&c->deadline_ms, 0);
	pthread_mutex_lock(&cs->lock);
	c->next = cs->head;
	if (cs->head)
		cs->head->prev = c;
	cs->head = c;
	pthread_mutex_unlock(&cs->lock);
	return c;
}

void http_conns_remove(struct http_conns *cs, struct http_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&cs->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		cs->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&cs->lock);
	free(c);
}

void http_conn_deadline(struct http_conn *c, unsigned seconds)
{
	atomic_store(&c->deadline_ms,
		     seconds ? (long long)(ck_mono_ms() + (int64_t)seconds * 1000) : 0);
}
