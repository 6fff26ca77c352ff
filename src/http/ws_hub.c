/* The WebSocket hub (see ws_hub.h). Everything below runs on the hub thread
 * except ws_hub_adopt and ws_hub_stop, which talk to it through a locked
 * hand-over list and an eventfd. */
#include "http/ws_hub.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wslay/wslay.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/jw.h"
#include "core/log.h"
#include "store/audit.h"
#include "store/calls.h"
#include "store/db.h"

#define POLL_MS 10                 /* how often the outbox is read */
#define BATCH 512                  /* events read per poll */
#define REPLAY_MAX 10000           /* events replayed to a reconnecting client */
#define SLOW_BYTES (512 * 1024)    /* queued bytes past which a client is cut off */
#define PING_IDLE_MS 30000         /* ping a client silent this long */
#define PONG_WAIT_MS 30000         /* and close it if no answer comes in this long */
#define MAX_AUDIENCE 16

struct conn {
	struct ws_hub *hub;
	int fd;
	wslay_event_context_ptr ctx;
	char workspace_id[ID_SIZE];
	char user_id[ID_SIZE];
	enum role role;
	char *pre;                     /* bytes read by the HTTP layer before the upgrade */
	size_t pre_len, pre_off;
	void (*close_fn)(void *arg);
	void *close_arg;
	int64_t last_heard_ms, ping_sent_ms;
	bool want_out;                 /* EPOLLOUT registered */
	bool dead;
	struct conn *prev, *next;
};

struct pending {
	int fd;
	char *extra;
	size_t extra_len;
	struct ws_sub sub;
	void (*close_fn)(void *arg);
	void *close_arg;
	struct pending *next;
};

struct ws_hub {
	const struct config *cfg;
	pthread_t thread;
	int epfd, wakefd;
	pthread_mutex_t lock;          /* guards pending and stopping */
	struct pending *pending;
	bool stopping;
	/* hub thread only: */
	struct conn *conns;
	int64_t seq;                   /* last event fanned out */
	int ndead;                     /* connections marked dead, waiting for reap */
	struct db *db;
	/* read by other threads: */
	atomic_llong nconns, delivered, dropped_slow, last_seq;
};

bool ws_accept_key(const char *client_key, char out[32])
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char digest[20];
	char buf[128];
	size_t kl = strlen(client_key);
	if (kl == 0 || kl > 64)
		return false;
	memcpy(buf, client_key, kl);
	memcpy(buf + kl, guid, sizeof guid - 1);
	crypto_sha1(buf, kl + sizeof guid - 1, digest);
	return crypto_base64(digest, sizeof digest, out, 32, false);
}

static void mark_dead(struct conn *c)
{
	if (!c->dead) {
		c->dead = true;
		c->hub->ndead++;
	}
}

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
	(void)flags;
	struct conn *c = user;
	if (c->pre_off < c->pre_len) {
		size_t n = c->pre_len - c->pre_off < len ? c->pre_len - c->pre_off : len;
		memcpy(buf, c->pre + c->pre_off, n);
		c->pre_off += n;
		return (ssize_t)n;
	}
	ssize_t r;
	while ((r = recv(c->fd, buf, len, 0)) < 0 && errno == EINTR)
		;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (r <= 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	c->last_heard_ms = clock_real_ms();
	return r;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
	struct conn *c = user;
	ssize_t r;
	/* wslay hands over a frame's header and payload separately: MSG_MORE lets
	 * the kernel put them in one segment (one wake-up for the reader, not two). */
	int more = (flags & WSLAY_MSG_MORE) ? MSG_MORE : 0;
	while ((r = send(c->fd, data, len, MSG_NOSIGNAL | more)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		wslay_event_set_error(ctx, (errno == EAGAIN || errno == EWOULDBLOCK) ? WSLAY_ERR_WOULDBLOCK
										  : WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return r;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
	(void)ctx;
	struct conn *c = user;
	if (arg->opcode == WSLAY_PONG)
		c->ping_sent_ms = 0;
	/* Text from clients is not part of the protocol; wslay answers pings and closes itself. */
}

static const struct wslay_event_callbacks callbacks = {
	.recv_callback = on_recv,
	.send_callback = on_send,
	.on_msg_recv_callback = on_msg,
};

static void conn_destroy(struct ws_hub *h, struct conn *c)
{
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	wslay_event_context_free(c->ctx);
	c->close_fn(c->close_arg);
	free(c->pre);
	free(c);
	atomic_fetch_sub(&h->nconns, 1);
}

/* Writes what wslay has queued and keeps the epoll interest in step. */
static void conn_flush(struct ws_hub *h, struct conn *c)
{
	if (c->dead)
		return;
	if (wslay_event_send(c->ctx) != 0) {
		mark_dead(c);
		return;
	}
	if (!wslay_event_want_read(c->ctx) && !wslay_event_want_write(c->ctx)) {
		mark_dead(c); /* closed cleanly */
		return;
	}
	bool out = wslay_event_want_write(c->ctx);
	if (out != c->want_out) {
		struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
		epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->want_out = out;
	}
}

static void conn_close(struct conn *c, uint16_t code, const char *reason)
{
	wslay_event_queue_close(c->ctx, code, (const uint8_t *)reason, strlen(reason));
	wslay_event_send(c->ctx);
	mark_dead(c);
}

static void conn_queue(struct ws_hub *h, struct conn *c, const char *msg, size_t len, bool replay)
{
	if (c->dead)
		return;
	/* A replay is bounded by REPLAY_MAX and sent as it is queued; only live
	 * traffic piling up behind a reader that does not keep up is "too slow". */
	if (replay)
		wslay_event_send(c->ctx);
	else if (wslay_event_get_queued_msg_length(c->ctx) > SLOW_BYTES) {
		atomic_fetch_add(&h->dropped_slow, 1);
		conn_close(c, 1008, "too slow");
		return;
	}
	struct wslay_event_msg m = {.opcode = WSLAY_TEXT_FRAME, .msg = (const uint8_t *)msg, .msg_length = len};
	if (wslay_event_queue_msg(c->ctx, &m) != 0)
		mark_dead(c);
	else
		atomic_fetch_add(&h->delivered, 1);
}

/* An event as the wire sees it: { id, type, at, data }. */
static char *event_json(const struct event_row *e, size_t *len)
{
	struct jw w;
	jw_init(&w, 512, 1 << 20);
	jw_obj_begin(&w);
	jw_kint(&w, "id", e->seq);
	jw_kstr(&w, "type", e->type);
	jw_ktime_ms(&w, "at", e->at);
	jw_key(&w, "data");
	jw_raw(&w, e->data, strlen(e->data));
	jw_obj_end(&w);
	char *s = jw_steal(&w, len);
	jw_cleanup(&w);
	return s;
}

/* May c see an event of this call? Roles scoped to their jobs need to be in the audience. */
static bool visible(const struct conn *c, const struct event_row *e, char (*aud)[ID_SIZE], int naud)
{
	if (strcmp(c->workspace_id, e->workspace_id) != 0)
		return false;
	if (!authz_row_scoped(c->role, ACT_READ))
		return true;
	for (int i = 0; i < naud; i++)
		if (strcmp(aud[i], c->user_id) == 0)
			return true;
	return false;
}

struct fan {
	struct ws_hub *h;
	struct conn *only; /* replay to one connection; NULL: everyone */
	int64_t upto;      /* replay stops after this seq */
	int count;
};

static bool fan_one(void *ctx, const struct event_row *e)
{
	struct fan *f = ctx;
	struct ws_hub *h = f->h;
	if (f->only && e->seq > f->upto)
		return false;
	char aud[MAX_AUDIENCE][ID_SIZE];
	int naud = 0;
	bool scoped_listener = false;
	for (struct conn *c = f->only ? f->only : h->conns; c && !scoped_listener; c = f->only ? NULL : c->next)
		scoped_listener = authz_row_scoped(c->role, ACT_READ) && !strcmp(c->workspace_id, e->workspace_id);
	if (scoped_listener && e->call_id && store_call_job_users(h->db, e->call_id, aud, MAX_AUDIENCE, &naud) != ERR_OK)
		naud = 0;
	size_t len = 0;
	char *msg = event_json(e, &len);
	if (msg) {
		for (struct conn *c = f->only ? f->only : h->conns; c; c = f->only ? NULL : c->next)
			if (visible(c, e, aud, naud))
				conn_queue(h, c, msg, len, f->only != NULL);
		free(msg);
	}
	if (!f->only)
		h->seq = e->seq;
	f->count++;
	return true;
}

static void poll_outbox(struct ws_hub *h)
{
	struct fan f = {.h = h};
	do {
		f.count = 0;
		if (store_events_after(h->db, NULL, h->seq, BATCH, fan_one, &f) != ERR_OK)
			return;
	} while (f.count == BATCH);
	atomic_store(&h->last_seq, h->seq);
	for (struct conn *c = h->conns; c; c = c->next)
		if (wslay_event_want_write(c->ctx))
			conn_flush(h, c);
}

static void adopt(struct ws_hub *h, struct pending *p)
{
	struct conn *c = calloc(1, sizeof *c);
	if (!c || wslay_event_context_server_init(&c->ctx, &callbacks, c) != 0) {
		free(c);
		p->close_fn(p->close_arg);
		free(p->extra);
		return;
	}
	wslay_event_config_set_max_recv_msg_length(c->ctx, 4096);
	c->hub = h;
	c->fd = p->fd;
	memcpy(c->workspace_id, p->sub.principal.workspace_id, ID_SIZE);
	memcpy(c->user_id, p->sub.principal.user_id, ID_SIZE);
	c->role = p->sub.principal.role;
	c->pre = p->extra;
	c->pre_len = p->extra_len;
	c->close_fn = p->close_fn;
	c->close_arg = p->close_arg;
	c->last_heard_ms = clock_real_ms();
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		wslay_event_context_free(c->ctx);
		c->close_fn(c->close_arg);
		free(c->pre);
		free(c);
		return;
	}
	c->next = h->conns;
	if (h->conns)
		h->conns->prev = c;
	h->conns = c;
	atomic_fetch_add(&h->nconns, 1);
	if (p->sub.since >= 0 && p->sub.since < h->seq) {
		struct fan f = {.h = h, .only = c, .upto = h->seq};
		int64_t from = p->sub.since;
		if (h->seq - from > REPLAY_MAX)
			from = h->seq - REPLAY_MAX;
		store_events_after(h->db, c->workspace_id, from, REPLAY_MAX, fan_one, &f);
	}
	if (c->pre_len)
		wslay_event_recv(c->ctx);
	conn_flush(h, c);
}

static void take_pending(struct ws_hub *h)
{
	uint64_t v;
	ssize_t r = read(h->wakefd, &v, sizeof v);
	(void)r;
	pthread_mutex_lock(&h->lock);
	struct pending *list = h->pending;
	h->pending = NULL;
	pthread_mutex_unlock(&h->lock);
	while (list) {
		struct pending *next = list->next;
		adopt(h, list);
		free(list);
		list = next;
	}
}

static void keepalive(struct ws_hub *h, int64_t now)
{
	for (struct conn *c = h->conns; c; c = c->next) {
		if (c->dead)
			continue;
		if (c->ping_sent_ms && now - c->ping_sent_ms > PONG_WAIT_MS) {
			conn_close(c, 1001, "no pong");
		} else if (!c->ping_sent_ms && now - c->last_heard_ms > PING_IDLE_MS) {
			struct wslay_event_msg m = {.opcode = WSLAY_PING, .msg = (const uint8_t *)"k", .msg_length = 1};
			wslay_event_queue_msg(c->ctx, &m);
			c->ping_sent_ms = now;
			conn_flush(h, c);
		}
	}
}

static void reap(struct ws_hub *h)
{
	if (!h->ndead)
		return;
	h->ndead = 0;
	struct conn *c = h->conns;
	while (c) {
		struct conn *next = c->next;
		if (c->dead)
			conn_destroy(h, c);
		c = next;
	}
}

static void *run(void *arg)
{
	struct ws_hub *h = arg;
	struct epoll_event evs[256];
	int64_t next_poll = 0, next_keepalive = 0;
	log_context_set("ws-hub");
	h->db = db_thread();
	if (!h->db || store_events_last_seq(h->db, &h->seq) != ERR_OK)
		log_error("websocket hub: no database; no events will be delivered");
	atomic_store(&h->last_seq, h->seq);
	for (;;) {
		int n = epoll_wait(h->epfd, evs, 256, POLL_MS);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c) {
				take_pending(h);
				continue;
			}
			if (c->dead)
				continue;
			if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && wslay_event_recv(c->ctx) != 0)
				mark_dead(c);
			conn_flush(h, c);
		}
		pthread_mutex_lock(&h->lock);
		bool stop = h->stopping;
		pthread_mutex_unlock(&h->lock);
		if (stop)
			break;
		int64_t now = clock_real_ms();
		if (now >= next_poll && h->db) {
			poll_outbox(h);
			next_poll = now + POLL_MS;
		}
		if (now >= next_keepalive) {
			keepalive(h, now);
			next_keepalive = now + 1000;
		}
		reap(h);
	}
	for (struct conn *c = h->conns; c; c = c->next)
		conn_close(c, 1001, "server shutting down");
	reap(h);
	take_pending(h); /* adopt-then-close anything handed over during shutdown */
	for (struct conn *c = h->conns; c; c = c->next)
		conn_close(c, 1001, "server shutting down");
	reap(h);
	db_thread_release();
	return NULL;
}

enum err ws_hub_start(const struct config *cfg, struct ws_hub **out, struct err_detail *d)
{
	struct ws_hub *h = calloc(1, sizeof *h);
	if (!h)
		return ERR_NOMEM;
	h->cfg = cfg;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&h->lock, NULL);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (h->epfd < 0 || h->wakefd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->wakefd, &ev) != 0 ||
	    pthread_create(&h->thread, NULL, run, h) != 0) {
		if (h->epfd >= 0)
			close(h->epfd);
		if (h->wakefd >= 0)
			close(h->wakefd);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return err_set(d, ERR_IO, "cannot start the websocket hub: %s", strerror(errno));
	}
	*out = h;
	return ERR_OK;
}

static void wake(struct ws_hub *h)
{
	uint64_t one = 1;
	ssize_t r = write(h->wakefd, &one, sizeof one);
	(void)r;
}

void ws_hub_stop(struct ws_hub *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_mutex_unlock(&h->lock);
	wake(h);
	pthread_join(h->thread, NULL);
	close(h->epfd);
	close(h->wakefd);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void ws_hub_adopt(struct ws_hub *h, int fd, const char *extra, size_t extra_len, const struct ws_sub *sub,
		  void (*close_fn)(void *arg), void *close_arg)
{
	struct pending *p = calloc(1, sizeof *p);
	if (p && extra_len) {
		p->extra = malloc(extra_len);
		if (!p->extra) {
			free(p);
			p = NULL;
		} else {
			memcpy(p->extra, extra, extra_len);
		}
	}
	if (!p) {
		close_fn(close_arg);
		return;
	}
	p->fd = fd;
	p->extra_len = extra_len;
	p->sub = *sub;
	p->close_fn = close_fn;
	p->close_arg = close_arg;
	pthread_mutex_lock(&h->lock);
	p->next = h->pending;
	h->pending = p;
	pthread_mutex_unlock(&h->lock);
	wake(h);
}

void ws_hub_stats(struct ws_hub *h, struct ws_hub_stats *out)
{
	out->connections = atomic_load(&h->nconns);
	out->delivered = atomic_load(&h->delivered);
	out->dropped_slow = atomic_load(&h->dropped_slow);
	out->last_seq = atomic_load(&h->last_seq);
}
