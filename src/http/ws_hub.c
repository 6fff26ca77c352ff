/* The WebSocket hub (see ws_hub.h).
 *
 * Shards: one thread per core, each with its own epoll set, database
 * connection and share of the sockets (handed out round robin). A shard
 * reads the outbox itself, so shards share nothing but the wake-up.
 *
 * Wake-up: the code that commits an outbox event fires db's outbox hook,
 * which signals every shard's eventfd; the outbox is also read every
 * FALLBACK_POLL_MS for events written by another process (the CLI).
 *
 * Memory: a socket is a struct conn (~200 bytes) and nothing else while it
 * is idle. Each event is framed once per shard (struct frame, refcounted)
 * and every socket that may see it queues a pointer to the same bytes; the
 * queue exists only while bytes are waiting for the socket, and so does the
 * buffer for an incomplete incoming frame. Framing is ws_frame.c. */
#include "http/ws_hub.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/jw.h"
#include "core/log.h"
#include "http/ws_frame.h"
#include "store/audit.h"
#include "store/calls.h"
#include "store/db.h"

#define MAX_SHARDS 16
#define FALLBACK_POLL_MS 250       /* outbox read without a wake-up (writes by other processes) */
#define BATCH 512                  /* events read per query */
#define REPLAY_MAX 10000           /* events replayed to a reconnecting client */
#define SNDBUF_BYTES (128 * 1024)  /* kernel send buffer per socket (the kernel doubles it) */
#define SLOW_BYTES (256 * 1024)    /* queued live bytes past which a client is cut off */
#define IN_MAX 4096                /* largest frame a client may send us */
#define PING_IDLE_MS 30000         /* ping a client silent this long */
#define PONG_WAIT_MS 30000         /* and close it if no answer comes in this long */
#define CLOSE_WAIT_MS 2000         /* a closing socket gets this long to drain and answer */
#define MAX_AUDIENCE 16
#define IOV_BATCH 64

/* One encoded frame, shared by every socket it is queued on (one shard only). */
struct frame {
	uint32_t refs, len;
	uint8_t b[];
};

/* Frames waiting for one socket: a ring, allocated only while non-empty. */
struct outq {
	uint32_t head, n, cap;
	uint32_t off;   /* bytes of the head frame already sent */
	size_t bytes;   /* unsent bytes in all */
	struct frame *f[];
};

enum conn_state { C_OPEN, C_CLOSING, C_DRAINING };

struct group;
struct shard;

struct conn {
	struct shard *sh;
	struct group *g;
	struct conn *prev, *next;        /* in the group */
	struct conn *dirty_next, *dead_next;
	struct outq *q;
	uint8_t *in;                     /* an incomplete incoming frame */
	uint32_t in_len;
	size_t grace;                    /* replayed bytes queued: not held against a slow client */
	int fd;
	enum role role;
	enum conn_state state;
	bool scoped, dirty, dead, want_out;
	int64_t last_heard_ms, ping_sent_ms, deadline_ms;
	void (*close_fn)(void *arg);
	void *close_arg;
	char user_id[ID_SIZE];
};

/* The sockets of one workspace in one shard. */
struct group {
	char workspace_id[ID_SIZE];
	struct conn *conns;
	int n, nscoped;
	struct group *next;
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

struct shard {
	struct ws_hub *hub;
	pthread_t thread;
	bool started;
	int epfd, wakefd;
	pthread_mutex_t lock;            /* guards pending */
	struct pending *pending;
	/* shard thread only: */
	struct group *groups;
	struct conn *dirty, *dead;
	int64_t seq;                     /* last event fanned out */
	int batch_rows;
	struct db *db;
};

struct ws_hub {
	const struct config *cfg;
	atomic_bool stopping;
	atomic_uint next_shard;
	atomic_llong nconns, delivered, dropped_slow, last_seq;
	int nshards;
	struct shard sh[MAX_SHARDS];
};

/* The hub the outbox hook wakes (one per process). */
static struct ws_hub *outbox_hub;

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

/* ---- frames and queues ---- */

static struct frame *frame_new(enum ws_opcode op, const void *payload, size_t len)
{
	uint8_t hdr[WS_FRAME_HEADER_MAX];
	size_t hl = ws_frame_header(hdr, op, len);
	struct frame *f = malloc(sizeof *f + hl + len);
	if (!f)
		return NULL;
	f->refs = 1;
	f->len = (uint32_t)(hl + len);
	memcpy(f->b, hdr, hl);
	if (len)
		memcpy(f->b + hl, payload, len);
	return f;
}

static void frame_put(struct frame *f)
{
	if (--f->refs == 0)
		free(f);
}

static void q_free(struct conn *c)
{
	struct outq *q = c->q;
	if (!q)
		return;
	for (uint32_t i = 0; i < q->n; i++)
		frame_put(q->f[(q->head + i) % q->cap]);
	free(q);
	c->q = NULL;
}

static bool q_push(struct conn *c, struct frame *f)
{
	struct outq *q = c->q;
	if (!q || q->n == q->cap) {
		uint32_t cap = q ? q->cap * 2 : 4;
		struct outq *nq = malloc(sizeof *nq + cap * sizeof nq->f[0]);
		if (!nq)
			return false;
		*nq = (struct outq){.cap = cap};
		if (q) {
			for (uint32_t i = 0; i < q->n; i++)
				nq->f[i] = q->f[(q->head + i) % q->cap];
			nq->n = q->n;
			nq->off = q->off;
			nq->bytes = q->bytes;
			free(q);
		}
		c->q = q = nq;
	}
	q->f[(q->head + q->n) % q->cap] = f;
	q->n++;
	q->bytes += f->len;
	f->refs++;
	return true;
}

/* ---- connection state ---- */

static void mark_dead(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	c->dead_next = c->sh->dead;
	c->sh->dead = c;
}

static void mark_dirty(struct conn *c)
{
	if (c->dirty || c->dead)
		return;
	c->dirty = true;
	c->dirty_next = c->sh->dirty;
	c->sh->dirty = c;
}

static void set_want_out(struct conn *c, bool out)
{
	if (out == c->want_out || c->dead)
		return;
	struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
	epoll_ctl(c->sh->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	c->want_out = out;
}

/* Queues a control frame (pong, ping, close); these bypass the slow-client rule. */
static void queue_control(struct conn *c, enum ws_opcode op, const void *payload, size_t len)
{
	struct frame *f = frame_new(op, payload, len);
	if (!f || !q_push(c, f)) {
		if (f)
			frame_put(f);
		mark_dead(c);
		return;
	}
	frame_put(f);
	mark_dirty(c);
}

/* Starts the closing handshake: what is queued and not begun is dropped
 * (a frame half sent is finished), the close frame goes next, and the socket
 * has CLOSE_WAIT_MS to take it and answer. */
static void conn_close(struct conn *c, int code, const char *reason)
{
	if (c->dead || c->state != C_OPEN)
		return;
	struct outq *q = c->q;
	if (q) {
		uint32_t keep = q->off ? 1 : 0;
		while (q->n > keep) {
			struct frame *f = q->f[(q->head + q->n - 1) % q->cap];
			q->bytes -= f->len;
			frame_put(f);
			q->n--;
		}
	}
	uint8_t pl[2 + 64];
	size_t rl = strlen(reason);
	if (rl > 64)
		rl = 64;
	size_t len = 0;
	if (code) {
		pl[0] = (uint8_t)(code >> 8);
		pl[1] = (uint8_t)code;
		memcpy(pl + 2, reason, rl);
		len = 2 + rl;
	}
	c->state = C_CLOSING;
	c->deadline_ms = clock_real_ms() + CLOSE_WAIT_MS;
	queue_control(c, WS_OP_CLOSE, pl, len);
}

/* Queues a live event frame, or cuts off a client that does not keep up. */
static void conn_push_live(struct conn *c, struct frame *f)
{
	if (c->dead || c->state != C_OPEN)
		return;
	if (c->q && c->q->bytes > SLOW_BYTES + c->grace) {
		atomic_fetch_add(&c->sh->hub->dropped_slow, 1);
		conn_close(c, WS_CLOSE_POLICY, "too slow");
		return;
	}
	if (!q_push(c, f)) {
		mark_dead(c);
		return;
	}
	atomic_fetch_add(&c->sh->hub->delivered, 1);
	mark_dirty(c);
}

/* Writes what is queued, as much as the socket takes, in one sendmsg per 64 frames. */
static void conn_flush(struct conn *c)
{
	struct outq *q;
	while (!c->dead && (q = c->q) != NULL && q->n) {
		struct iovec iov[IOV_BATCH];
		uint32_t k = q->n < IOV_BATCH ? q->n : IOV_BATCH;
		for (uint32_t i = 0; i < k; i++) {
			struct frame *f = q->f[(q->head + i) % q->cap];
			iov[i].iov_base = f->b + (i ? 0 : q->off);
			iov[i].iov_len = f->len - (i ? 0 : q->off);
		}
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = k};
		ssize_t r;
		/* (one frame, the usual case: send() spares the kernel the iovec import) */
		while ((r = k == 1 ? send(c->fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL | MSG_DONTWAIT)
				   : sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0 &&
		       errno == EINTR)
			;
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			mark_dead(c);
			return;
		}
		size_t left = (size_t)r;
		q->bytes -= left;
		while (left && q->n) {
			struct frame *f = q->f[q->head];
			size_t rest = f->len - q->off;
			if (left < rest) {
				q->off += (uint32_t)left;
				break;
			}
			left -= rest;
			q->off = 0;
			q->head = (q->head + 1) % q->cap;
			q->n--;
			frame_put(f);
		}
		if ((size_t)r < (size_t)iov[0].iov_len && q->n)
			break; /* the kernel buffer is full */
	}
	if (c->dead)
		return;
	if (c->q && !c->q->n) {
		free(c->q);
		c->q = NULL;
		c->grace = 0;
	}
	if (!c->q && c->state == C_CLOSING) {
		/* Our close frame is out: stop sending, wait for the peer to finish
		 * (so unread input does not turn into a reset that eats the frame). */
		shutdown(c->fd, SHUT_WR);
		c->state = C_DRAINING;
	}
	set_want_out(c, c->q != NULL);
}

/* ---- input ---- */

static void on_frame(struct conn *c, const struct ws_in_frame *f)
{
	switch (f->op) {
	case WS_OP_CLOSE: {
		if (c->state != C_OPEN) { /* the answer to our close */
			mark_dead(c);
			return;
		}
		int code = ws_close_code(f->payload, f->len);
		if (code < 0) {
			conn_close(c, WS_CLOSE_PROTOCOL, "bad close frame");
			return;
		}
		uint8_t pl[2] = {(uint8_t)(code >> 8), (uint8_t)code};
		c->state = C_CLOSING;
		c->deadline_ms = clock_real_ms() + CLOSE_WAIT_MS;
		/* Echo the code; drop what is queued and not begun (§5.5.1). */
		struct outq *q = c->q;
		if (q)
			while (q->n > (q->off ? 1u : 0u)) {
				struct frame *last = q->f[(q->head + q->n - 1) % q->cap];
				q->bytes -= last->len;
				frame_put(last);
				q->n--;
			}
		queue_control(c, WS_OP_CLOSE, pl, code ? 2 : 0);
		return;
	}
	case WS_OP_PING:
		if (c->state == C_OPEN)
			queue_control(c, WS_OP_PONG, f->payload, f->len);
		return;
	case WS_OP_PONG:
		c->ping_sent_ms = 0;
		return;
	default:
		return; /* data from clients is not part of the protocol */
	}
}

/* Takes whole frames from p[0..n); keeps an incomplete one for the next read. */
static void conn_consume(struct conn *c, uint8_t *p, size_t n)
{
	size_t off = 0;
	while (!c->dead && off < n) {
		struct ws_in_frame f;
		long r = ws_frame_parse(p + off, n - off, IN_MAX, &f);
		if (r == 0)
			break;
		if (r < 0) {
			conn_close(c, (int)-r, r == -WS_CLOSE_TOO_BIG ? "frame too big" : "protocol error");
			off = n;
			break;
		}
		off += (size_t)r;
		on_frame(c, &f);
	}
	size_t rest = n - off;
	free(c->in);
	c->in = NULL;
	c->in_len = 0;
	if (rest && !c->dead && c->state != C_DRAINING) {
		c->in = malloc(IN_MAX + WS_CLIENT_HEADER_MAX); /* rest is under one frame */
		if (!c->in) {
			mark_dead(c);
			return;
		}
		memcpy(c->in, p + off, rest);
		c->in_len = (uint32_t)rest;
	}
}

static void conn_read(struct conn *c)
{
	uint8_t buf[IN_MAX + WS_CLIENT_HEADER_MAX + 8192];
	for (int round = 0; round < 4 && !c->dead; round++) {
		size_t have = 0;
		if (c->in_len) {
			memcpy(buf, c->in, c->in_len);
			have = c->in_len;
		}
		ssize_t r;
		while ((r = recv(c->fd, buf + have, sizeof buf - have, MSG_DONTWAIT)) < 0 && errno == EINTR)
			;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			mark_dead(c); /* the peer went away (or finished our close) */
			return;
		}
		c->last_heard_ms = clock_real_ms();
		if (c->state == C_DRAINING)
			continue; /* input after our close is discarded */
		conn_consume(c, buf, have + (size_t)r); /* (c->in is copied into buf: consume replaces it) */
		if ((size_t)r < sizeof buf - have)
			return;
	}
}

/* ---- groups ---- */

static struct group *group_find(struct shard *sh, const char *workspace_id)
{
	for (struct group *g = sh->groups; g; g = g->next)
		if (!strcmp(g->workspace_id, workspace_id))
			return g;
	return NULL;
}

static void conn_destroy(struct conn *c)
{
	struct shard *sh = c->sh;
	struct group *g = c->g;
	epoll_ctl(sh->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	g->n--;
	g->nscoped -= c->scoped;
	if (!g->n) {
		struct group **pp = &sh->groups;
		while (*pp != g)
			pp = &(*pp)->next;
		*pp = g->next;
		free(g);
	}
	q_free(c);
	free(c->in);
	c->close_fn(c->close_arg);
	free(c);
	atomic_fetch_sub(&sh->hub->nconns, 1);
}

/* ---- the outbox ---- */

/* An event as the wire sees it, framed: { id, type, at, data }. */
static struct frame *event_frame(const struct event_row *e)
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
	size_t len = 0;
	char *s = jw_steal(&w, &len);
	jw_cleanup(&w);
	if (!s)
		return NULL;
	struct frame *f = frame_new(WS_OP_TEXT, s, len);
	free(s);
	return f;
}

static bool in_audience(const struct conn *c, char (*aud)[ID_SIZE], int naud)
{
	for (int i = 0; i < naud; i++)
		if (!strcmp(aud[i], c->user_id))
			return true;
	return false;
}

static int audience(struct shard *sh, const struct event_row *e, char (*aud)[ID_SIZE])
{
	int naud = 0;
	if (e->call_id && store_call_job_users(sh->db, e->call_id, aud, MAX_AUDIENCE, &naud) != ERR_OK)
		naud = 0;
	return naud;
}

static bool fan_one(void *ctx, const struct event_row *e)
{
	struct shard *sh = ctx;
	sh->seq = e->seq;
	sh->batch_rows++;
	struct group *g = group_find(sh, e->workspace_id);
	if (!g)
		return true;
	char aud[MAX_AUDIENCE][ID_SIZE];
	int naud = g->nscoped ? audience(sh, e, aud) : 0;
	struct frame *f = event_frame(e);
	if (!f) {
		log_error("websocket hub: cannot frame event %lld", (long long)e->seq);
		return true;
	}
	for (struct conn *c = g->conns; c; c = c->next)
		if (!c->scoped || in_audience(c, aud, naud))
			conn_push_live(c, f);
	frame_put(f);
	return true;
}

static void poll_outbox(struct shard *sh)
{
	if (!sh->db)
		return;
	for (int i = 0; i < 100; i++) {
		sh->batch_rows = 0;
		if (store_events_after(sh->db, NULL, sh->seq, BATCH, fan_one, sh) != ERR_OK || sh->batch_rows < BATCH)
			break;
	}
	if (sh == &sh->hub->sh[0])
		atomic_store(&sh->hub->last_seq, sh->seq);
}

struct replay {
	struct shard *sh;
	struct conn *c;
	int64_t upto;
};

static bool replay_one(void *ctx, const struct event_row *e)
{
	struct replay *rp = ctx;
	struct conn *c = rp->c;
	if (e->seq > rp->upto || c->dead)
		return false;
	if (c->scoped) {
		char aud[MAX_AUDIENCE][ID_SIZE];
		int naud = audience(rp->sh, e, aud);
		if (!in_audience(c, aud, naud))
			return true;
	}
	struct frame *f = event_frame(e);
	if (!f || !q_push(c, f)) {
		if (f)
			frame_put(f);
		mark_dead(c);
		return false;
	}
	c->grace += f->len;
	frame_put(f);
	atomic_fetch_add(&rp->sh->hub->delivered, 1);
	/* A replay is bounded (REPLAY_MAX) and goes out as it is queued. */
	if (c->q && c->q->bytes > SLOW_BYTES)
		conn_flush(c);
	return true;
}

/* ---- adoption ---- */

static void adopt(struct shard *sh, struct pending *p)
{
	struct conn *c = calloc(1, sizeof *c);
	struct group *g = group_find(sh, p->sub.principal.workspace_id);
	bool new_group = false;
	if (c && !g) {
		g = calloc(1, sizeof *g);
		if (g) {
			memcpy(g->workspace_id, p->sub.principal.workspace_id, ID_SIZE);
			new_group = true;
		}
	}
	if (!c || !g) {
		free(c);
		p->close_fn(p->close_arg);
		free(p->extra);
		return;
	}
	/* A bounded kernel buffer (so a stalled reader is noticed), and no Nagle:
	 * frames are batched here (one sendmsg per socket per wake-up), and a
	 * frame held back for the ACK of the previous one would wait out the
	 * peer's delayed ACK. */
	int sndbuf = SNDBUF_BYTES, one = 1;
	setsockopt(p->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->sh = sh;
	c->fd = p->fd;
	memcpy(c->user_id, p->sub.principal.user_id, ID_SIZE);
	c->role = p->sub.principal.role;
	c->scoped = authz_row_scoped(c->role, ACT_READ);
	c->close_fn = p->close_fn;
	c->close_arg = p->close_arg;
	c->last_heard_ms = clock_real_ms();
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(sh->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		c->close_fn(c->close_arg);
		free(c);
		free(p->extra);
		if (new_group)
			free(g);
		return;
	}
	if (new_group) {
		g->next = sh->groups;
		sh->groups = g;
	}
	c->g = g;
	c->next = g->conns;
	if (g->conns)
		g->conns->prev = c;
	g->conns = c;
	g->n++;
	g->nscoped += c->scoped;
	atomic_fetch_add(&sh->hub->nconns, 1);
	if (p->sub.since >= 0 && p->sub.since < sh->seq && sh->db) {
		struct replay rp = {.sh = sh, .c = c, .upto = sh->seq};
		int64_t from = p->sub.since;
		if (sh->seq - from > REPLAY_MAX)
			from = sh->seq - REPLAY_MAX;
		store_events_after(sh->db, g->workspace_id, from, REPLAY_MAX, replay_one, &rp);
		mark_dirty(c);
	}
	if (p->extra_len && !c->dead)
		conn_consume(c, (uint8_t *)p->extra, p->extra_len);
	free(p->extra);
}

static void take_pending(struct shard *sh)
{
	pthread_mutex_lock(&sh->lock);
	struct pending *list = sh->pending;
	sh->pending = NULL;
	pthread_mutex_unlock(&sh->lock);
	while (list) {
		struct pending *next = list->next;
		adopt(sh, list);
		free(list);
		list = next;
	}
}

/* ---- the loop ---- */

static void keepalive(struct shard *sh, int64_t now)
{
	for (struct group *g = sh->groups; g; g = g->next)
		for (struct conn *c = g->conns; c; c = c->next) {
			if (c->dead)
				continue;
			if (c->state != C_OPEN) {
				if (now >= c->deadline_ms)
					mark_dead(c);
			} else if (c->ping_sent_ms && now - c->ping_sent_ms > PONG_WAIT_MS) {
				conn_close(c, WS_CLOSE_GOING_AWAY, "no pong");
			} else if (!c->ping_sent_ms && now - c->last_heard_ms > PING_IDLE_MS) {
				queue_control(c, WS_OP_PING, "k", 1);
				c->ping_sent_ms = now;
			}
		}
}

static void flush_dirty(struct shard *sh)
{
	while (sh->dirty) {
		struct conn *list = sh->dirty;
		sh->dirty = NULL;
		while (list) {
			struct conn *c = list;
			list = c->dirty_next;
			c->dirty = false;
			if (!c->dead)
				conn_flush(c);
		}
	}
}

static void reap(struct shard *sh)
{
	while (sh->dead) {
		struct conn *c = sh->dead;
		sh->dead = c->dead_next;
		conn_destroy(c);
	}
}

static void drain_wake(struct shard *sh)
{
	uint64_t v;
	ssize_t r = read(sh->wakefd, &v, sizeof v);
	(void)r;
}

static void *run(void *arg)
{
	struct shard *sh = arg;
	struct ws_hub *h = sh->hub;
	struct epoll_event evs[256];
	int64_t next_poll = 0, next_keepalive = 0;
	log_context_set("ws-hub");
	pthread_setname_np(pthread_self(), "sb-ws");
	sh->db = db_thread();
	if (!sh->db || store_events_last_seq(sh->db, &sh->seq) != ERR_OK)
		log_error("websocket hub: no database; no events will be delivered");
	if (sh == &h->sh[0])
		atomic_store(&h->last_seq, sh->seq);
	for (;;) {
		int64_t now = clock_real_ms();
		int64_t until = next_poll < next_keepalive ? next_poll : next_keepalive;
		int timeout = until > now ? (int)(until - now) : 0;
		int n = epoll_wait(sh->epfd, evs, 256, timeout);
		bool woke = false;
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c) {
				woke = true;
				drain_wake(sh);
				continue;
			}
			if (c->dead)
				continue;
			if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				conn_read(c);
			if (!c->dead && (evs[i].events & EPOLLOUT))
				conn_flush(c);
		}
		if (atomic_load(&h->stopping))
			break;
		now = clock_real_ms();
		if (woke)
			take_pending(sh);
		if (woke || now >= next_poll) {
			poll_outbox(sh);
			next_poll = now + FALLBACK_POLL_MS;
		}
		if (now >= next_keepalive) {
			keepalive(sh, now);
			next_keepalive = now + 1000;
		}
		flush_dirty(sh);
		reap(sh);
	}
	/* Shutting down: adopt what is still handed over, then close everyone
	 * (1001) with one attempt to send the close frame. */
	take_pending(sh);
	flush_dirty(sh);
	for (struct group *g = sh->groups; g; g = g->next)
		for (struct conn *c = g->conns; c; c = c->next) {
			conn_close(c, WS_CLOSE_GOING_AWAY, "server shutting down");
			conn_flush(c);
			mark_dead(c);
		}
	flush_dirty(sh);
	reap(sh);
	db_thread_release();
	return NULL;
}

static void wake_shard(struct shard *sh)
{
	uint64_t one = 1;
	ssize_t r = write(sh->wakefd, &one, sizeof one);
	(void)r;
}

/* db's outbox hook: an event was committed. Runs under db's hook lock. */
static void on_outbox_commit(void)
{
	struct ws_hub *h = outbox_hub;
	if (h)
		for (int i = 0; i < h->nshards; i++)
			wake_shard(&h->sh[i]);
}

static void shard_cleanup(struct shard *sh)
{
	if (sh->epfd >= 0)
		close(sh->epfd);
	if (sh->wakefd >= 0)
		close(sh->wakefd);
	pthread_mutex_destroy(&sh->lock);
}

static void hub_join(struct ws_hub *h)
{
	atomic_store(&h->stopping, true);
	for (int i = 0; i < h->nshards; i++)
		if (h->sh[i].started) {
			wake_shard(&h->sh[i]);
			pthread_join(h->sh[i].thread, NULL);
		}
	for (int i = 0; i < h->nshards; i++)
		shard_cleanup(&h->sh[i]);
}

enum err ws_hub_start(const struct config *cfg, struct ws_hub **out, struct err_detail *d)
{
	struct ws_hub *h = calloc(1, sizeof *h);
	if (!h)
		return ERR_NOMEM;
	h->cfg = cfg;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	h->nshards = ncpu < 1 ? 1 : ncpu > MAX_SHARDS ? MAX_SHARDS : (int)ncpu;
	for (int i = 0; i < h->nshards; i++) {
		struct shard *sh = &h->sh[i];
		sh->hub = h;
		sh->epfd = epoll_create1(EPOLL_CLOEXEC);
		sh->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		pthread_mutex_init(&sh->lock, NULL);
	}
	for (int i = 0; i < h->nshards; i++) {
		struct shard *sh = &h->sh[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
		if (sh->epfd < 0 || sh->wakefd < 0 || epoll_ctl(sh->epfd, EPOLL_CTL_ADD, sh->wakefd, &ev) != 0 ||
		    pthread_create(&sh->thread, NULL, run, sh) != 0) {
			int e = errno;
			hub_join(h);
			free(h);
			return err_set(d, ERR_IO, "cannot start the websocket hub: %s", strerror(e));
		}
		sh->started = true;
	}
	outbox_hub = h;
	db_set_outbox_hook(on_outbox_commit);
	*out = h;
	return ERR_OK;
}

void ws_hub_stop(struct ws_hub *h)
{
	if (!h)
		return;
	db_set_outbox_hook(NULL); /* returns once no commit is inside the hook */
	outbox_hub = NULL;
	hub_join(h);
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
	struct shard *sh = &h->sh[atomic_fetch_add(&h->next_shard, 1) % (unsigned)h->nshards];
	pthread_mutex_lock(&sh->lock);
	p->next = sh->pending;
	sh->pending = p;
	pthread_mutex_unlock(&sh->lock);
	wake_shard(sh);
}

void ws_hub_stats(struct ws_hub *h, struct ws_hub_stats *out)
{
	out->connections = atomic_load(&h->nconns);
	out->delivered = atomic_load(&h->delivered);
	out->dropped_slow = atomic_load(&h->dropped_slow);
	out->last_seq = atomic_load(&h->last_seq);
}
