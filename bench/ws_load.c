/* WebSocket load client for the /ws/calls hub (issue 4): one process, one
 * epoll set, thousands of sockets. It does the HTTP upgrade itself (RFC 6455
 * §4, Sec-WebSocket-Accept checked), parses the server's unmasked frames,
 * answers pings with masked pongs, and drives events through the real API
 * (PATCH /api/calls/<id> with notes carrying a marker "wsb:<f|s>:<n>:<µs>").
 *
 * Phases, in order, each bounded in time:
 *   connect  open --conns sockets, at most --ramp handshakes in flight
 *   hold     keep them idle --hold seconds, then sample server RSS
 *   fanout   --fanout rounds: one PATCH, wait for it on every socket
 *   sustain  --rate events/s for --duration s, latency histogram
 * Latency is measured two ways, both on CLOCK_REALTIME (same host, same clock):
 * from the PATCH send time carried in the marker, and from the event's "at"
 * (its commit time, ms). Result lines start with "RESULT " for the script.
 *
 * Build: cc -O2 -std=c17 -D_GNU_SOURCE -o ws_load bench/ws_load.c -lcrypto
 * (bench/ws_bench.sh builds it, seeds, starts the server and runs all three). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#define MAX_FRAME (1u << 20)   /* a bigger server frame is a protocol error here */
#define HS_MAX 4096            /* the 101 response must fit */
#define HTTP_MAX (8u << 20)    /* largest HTTP response we accept (the call list) */
#define HTTP_POOL 4            /* keep-alive connections that send PATCHes */
#define MAX_IDS 100
#define HIST_US 10             /* histogram bucket width */
#define HIST_N 200000          /* 10 µs × 200,000 = 2 s; beyond goes to overflow */

enum kind { K_WS, K_HTTP };
enum ws_state { WS_NEW, WS_CONNECTING, WS_HANDSHAKE, WS_OPEN, WS_CLOSED };

struct ws {
	enum kind kind; /* first: epoll data points at either struct */
	enum ws_state state;
	int fd;
	uint32_t len, cap;
	uint8_t *buf;   /* partial frame (or handshake) carried between reads */
	int fan_round;  /* last fan-out round seen on this socket */
	char accept[29];
};

struct http {
	enum kind kind;
	int fd;
	bool busy;
	size_t len, cap;
	char *buf;
	int64_t sent_us, done_us;
	int status;
	const char *body;
	size_t body_len;
	bool complete, broken;
};

struct hist {
	uint32_t *b;
	uint64_t n, over;
	int64_t max_us, min_us;
};

struct opts {
	const char *host, *token;
	int port, conns, ramp, hold_s, fanout, rate, duration_s, timeout_s;
	long server_pid;
};

struct bench {
	struct opts o;
	int ep;
	struct ws *ws;
	struct http http[HTTP_POOL];
	int next_conn, inflight, open, failed, closed_by_server;
	int fail_errno, http_errors;
	uint64_t frames, pings;
	char ids[MAX_IDS][40];
	int nids;
	/* fan-out round in progress */
	int fan_cur, fan_got;
	int64_t fan_last_us, fan_at_max_us;
	struct hist fan_send, fan_at;
	/* sustained run */
	uint64_t sus_got;
	struct hist sus_send, sus_at;
	uint64_t rng;
	uint8_t rx[1 << 16];
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t rnd(struct bench *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * UINT64_C(2685821657736338717);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);
	if (!p) {
		fprintf(stderr, "ws_load: out of memory\n");
		exit(2);
	}
	return p;
}

/* ---- histogram ---- */

static void hist_init(struct hist *h)
{
	*h = (struct hist){.b = xcalloc(HIST_N, sizeof *h->b), .min_us = INT64_MAX};
}

static void hist_add(struct hist *h, int64_t us)
{
	if (us < 0)
		us = 0; /* "at" has ms resolution; a frame can look older than its commit */
	h->n++;
	if (us > h->max_us)
		h->max_us = us;
	if (us < h->min_us)
		h->min_us = us;
	if (us / HIST_US < HIST_N)
		h->b[us / HIST_US]++;
	else
		h->over++;
}

static double hist_pct(const struct hist *h, double p)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)((double)h->n * p / 100.0 + 0.5), seen = 0;
	if (want < 1)
		want = 1;
	for (int i = 0; i < HIST_N; i++) {
		seen += h->b[i];
		if (seen >= want)
			return (double)(i + 1) * HIST_US / 1000.0;
	}
	return (double)h->max_us / 1000.0;
}

static void hist_print(const char *name, const struct hist *h)
{
	printf("RESULT %s_n=%" PRIu64 " %s_p50_ms=%.2f %s_p90_ms=%.2f %s_p99_ms=%.2f %s_max_ms=%.2f\n", name, h->n,
	       name, hist_pct(h, 50), name, hist_pct(h, 90), name, hist_pct(h, 99), name, (double)h->max_us / 1000.0);
}

/* ---- sockets ---- */

static int tcp_connect(const struct opts *o, bool nonblock)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	if (inet_pton(AF_INET, o->host, &sa.sin_addr) != 1)
		return -1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static bool send_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	for (int tries = 0; n && tries < 1000; tries++) {
		ssize_t r = send(fd, s, n, MSG_NOSIGNAL);
		if (r > 0) {
			s += r;
			n -= (size_t)r;
		} else if (r < 0 && errno != EINTR && errno != EAGAIN) {
			return false;
		}
	}
	return n == 0;
}

/* A masked client frame (RFC 6455 §5.3); payload ≤ 125 bytes (control frames). */
static bool ws_send_frame(struct bench *b, struct ws *c, int opcode, const uint8_t *p, size_t n)
{
	uint8_t f[2 + 4 + 125];
	if (n > 125)
		return false;
	uint32_t m = (uint32_t)rnd(b);
	f[0] = (uint8_t)(0x80 | opcode);
	f[1] = (uint8_t)(0x80 | n);
	memcpy(f + 2, &m, 4);
	for (size_t i = 0; i < n; i++)
		f[6 + i] = p[i] ^ f[2 + (i & 3)];
	return send_all(c->fd, f, 6 + n);
}

static void ws_drop(struct bench *b, struct ws *c, bool by_server)
{
	if (c->state == WS_CLOSED)
		return;
	if (c->state == WS_OPEN)
		b->open--;
	else if (c->state == WS_CONNECTING || c->state == WS_HANDSHAKE)
		b->inflight--, b->failed++;
	if (by_server && c->state == WS_OPEN)
		b->closed_by_server++;
	epoll_ctl(b->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->state = WS_CLOSED;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

static void ws_start(struct bench *b, struct ws *c)
{
	c->kind = K_WS;
	c->fd = tcp_connect(&b->o, true);
	if (c->fd < 0) {
		b->failed++;
		b->fail_errno = errno;
		c->state = WS_CLOSED;
		return;
	}
	struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
	epoll_ctl(b->ep, EPOLL_CTL_ADD, c->fd, &ev);
	c->state = WS_CONNECTING;
	b->inflight++;
}

static void ws_send_handshake(struct bench *b, struct ws *c)
{
	int err = 0;
	socklen_t el = sizeof err;
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		b->fail_errno = err;
		ws_drop(b, c, false);
		return;
	}
	uint8_t nonce[16], dig[20];
	char key[25], req[1024], cat[24 + 36 + 1];
	for (int i = 0; i < 16; i += 8) {
		uint64_t r = rnd(b);
		memcpy(nonce + i, &r, 8);
	}
	EVP_EncodeBlock((unsigned char *)key, nonce, 16);
	int kn = snprintf(cat, sizeof cat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	SHA1((const unsigned char *)cat, (size_t)kn, dig);
	EVP_EncodeBlock((unsigned char *)c->accept, dig, 20);
	int n = snprintf(req, sizeof req,
			 "GET /ws/calls?token=%s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
			 "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
			 b->o.token, b->o.host, b->o.port, key);
	if (n <= 0 || (size_t)n >= sizeof req || !send_all(c->fd, req, (size_t)n)) {
		b->fail_errno = errno;
		ws_drop(b, c, false);
		return;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	epoll_ctl(b->ep, EPOLL_CTL_MOD, c->fd, &ev);
	c->state = WS_HANDSHAKE;
}

/* Appends to the socket's carry-over buffer, never past max. */
static bool carry(struct ws *c, const uint8_t *p, size_t n, size_t max)
{
	if (c->len + n > max)
		return false;
	if (c->len + n > c->cap) {
		size_t cap = c->cap ? c->cap : 512;
		while (cap < c->len + n)
			cap *= 2;
		if (cap > max)
			cap = max;
		uint8_t *nb = realloc(c->buf, cap);
		if (!nb)
			return false;
		c->buf = nb;
		c->cap = (uint32_t)cap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += (uint32_t)n;
	return true;
}

/* ---- frames ---- */

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" → ms since the epoch; -1 if malformed. */
static int64_t parse_at(const char *s, size_t n)
{
	if (n < 24 || s[4] != '-' || s[10] != 'T' || s[19] != '.' || s[23] != 'Z')
		return -1;
	int v[7];
	static const int off[7] = {0, 5, 8, 11, 14, 17, 20}, len[7] = {4, 2, 2, 2, 2, 2, 3};
	for (int i = 0; i < 7; i++) {
		v[i] = 0;
		for (int j = 0; j < len[i]; j++) {
			char ch = s[off[i] + j];
			if (ch < '0' || ch > '9')
				return -1;
			v[i] = v[i] * 10 + (ch - '0');
		}
	}
	int64_t y = v[0] - (v[1] <= 2);
	int64_t era = y / 400, yoe = y - era * 400;
	int64_t doy = (153 * (v[1] + (v[1] > 2 ? -3 : 9)) + 2) / 5 + v[2] - 1;
	int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	return ((days * 24 + v[3]) * 60 + v[4]) * 60000 + (int64_t)v[5] * 1000 + v[6];
}

static int64_t parse_num(const char *p, const char *end, const char **next)
{
	int64_t v = 0;
	while (p < end && *p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	*next = p;
	return v;
}

/* An event frame: {"id":N,"type":"…","at":"…","data":{…"to":"wsb:k:n:µs"…}} */
static void on_text(struct bench *b, struct ws *c, const char *p, size_t n, int64_t t_us)
{
	const char *end = p + n, *q;
	b->frames++;
	const char *mk = memmem(p, n, "\"to\":\"wsb:", 10);
	if (!mk || end - mk < 16)
		return; /* an event this run did not cause (scheduler notices) */
	char kind = mk[10];
	int64_t num = parse_num(mk + 12, end, &q);
	if (q >= end || *q != ':')
		return;
	int64_t sent = parse_num(q + 1, end, &q);
	const char *at = memmem(p, n, "\"at\":\"", 6);
	int64_t at_ms = at ? parse_at(at + 6, (size_t)(end - at - 6)) : -1;
	if (kind == 'f' && num == b->fan_cur && c->fan_round < num) {
		c->fan_round = (int)num;
		b->fan_got++;
		b->fan_last_us = t_us;
		hist_add(&b->fan_send, t_us - sent);
		if (at_ms >= 0) {
			hist_add(&b->fan_at, t_us - at_ms * 1000);
			if (t_us - at_ms * 1000 > b->fan_at_max_us)
				b->fan_at_max_us = t_us - at_ms * 1000;
		}
	} else if (kind == 's') {
		b->sus_got++;
		hist_add(&b->sus_send, t_us - sent);
		if (at_ms >= 0)
			hist_add(&b->sus_at, t_us - at_ms * 1000);
	}
}

/* Consumes whole frames from p; returns bytes used, or -1 on a protocol error or close. */
static long parse_frames(struct bench *b, struct ws *c, const uint8_t *p, size_t n, int64_t t_us)
{
	size_t off = 0;
	while (n - off >= 2) {
		const uint8_t *f = p + off;
		int op = f[0] & 0x0f;
		if (f[1] & 0x80)
			return -1; /* RFC 6455 §5.1: a server never masks */
		uint64_t len = f[1] & 0x7f;
		size_t hl = 2;
		if (len == 126) {
			if (n - off < 4)
				break;
			len = (uint64_t)f[2] << 8 | f[3];
			hl = 4;
		} else if (len == 127) {
			if (n - off < 10)
				break;
			len = 0;
			for (int i = 0; i < 8; i++)
				len = len << 8 | f[2 + i];
			hl = 10;
		}
		if (len > MAX_FRAME)
			return -1;
		if (n - off < hl + len)
			break;
		const uint8_t *pl = f + hl;
		if (op == 0x1 || op == 0x0)
			on_text(b, c, (const char *)pl, (size_t)len, t_us);
		else if (op == 0x9) {
			b->pings++;
			ws_send_frame(b, c, 0xA, pl, (size_t)len);
		} else if (op == 0x8) {
			ws_send_frame(b, c, 0x8, pl, len >= 2 ? 2 : 0);
			return -1;
		}
		off += hl + (size_t)len;
	}
	return (long)off;
}

static void ws_read(struct bench *b, struct ws *c)
{
	for (int round = 0; round < 8; round++) {
		ssize_t r = recv(c->fd, b->rx, sizeof b->rx, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			ws_drop(b, c, true);
			return;
		}
		int64_t t = now_us();
		const uint8_t *p = b->rx;
		size_t n = (size_t)r;
		if (c->len) {
			if (!carry(c, p, n, MAX_FRAME + 16)) {
				ws_drop(b, c, true);
				return;
			}
			p = c->buf;
			n = c->len;
		}
		long used = parse_frames(b, c, p, n, t);
		if (used < 0) {
			ws_drop(b, c, true);
			return;
		}
		if (p == c->buf) {
			memmove(c->buf, c->buf + used, n - (size_t)used);
			c->len = (uint32_t)(n - (size_t)used);
		} else if ((size_t)used < n && !carry(c, p + used, n - (size_t)used, MAX_FRAME + 16)) {
			ws_drop(b, c, true);
			return;
		}
		if ((size_t)r < sizeof b->rx)
			return;
	}
}

static void ws_read_handshake(struct bench *b, struct ws *c)
{
	uint8_t tmp[HS_MAX];
	ssize_t r = recv(c->fd, tmp, sizeof tmp, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0 || !carry(c, tmp, (size_t)r, HS_MAX)) {
		b->fail_errno = r < 0 ? errno : ECONNRESET;
		ws_drop(b, c, false);
		return;
	}
	const uint8_t *eoh = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (!eoh)
		return;
	size_t hl = (size_t)(eoh - c->buf) + 4;
	char accept_hdr[64];
	int m = snprintf(accept_hdr, sizeof accept_hdr, "Sec-WebSocket-Accept: %s\r\n", c->accept);
	if (c->len < 12 || memcmp(c->buf, "HTTP/1.1 101", 12) != 0 || !memmem(c->buf, hl, accept_hdr, (size_t)m)) {
		if (b->failed < 3)
			fprintf(stderr, "ws_load: handshake refused: %.*s\n", (int)(c->len < 80 ? c->len : 80), c->buf);
		b->fail_errno = EPROTO;
		ws_drop(b, c, false);
		return;
	}
	c->state = WS_OPEN;
	b->inflight--;
	b->open++;
	size_t rest = c->len - hl;
	memmove(c->buf, c->buf + hl, rest);
	c->len = (uint32_t)rest;
	if (rest) {
		long used = parse_frames(b, c, c->buf, rest, now_us());
		if (used < 0) {
			ws_drop(b, c, true);
			return;
		}
		memmove(c->buf, c->buf + used, rest - (size_t)used);
		c->len = (uint32_t)(rest - (size_t)used);
	}
	if (!c->len) { /* idle sockets hold no buffer */
		free(c->buf);
		c->buf = NULL;
		c->cap = 0;
	}
}

/* ---- HTTP (PATCH and the call list), non-blocking on the same epoll set ---- */

static bool http_open(struct bench *b, struct http *h)
{
	h->kind = K_HTTP;
	h->fd = tcp_connect(&b->o, false);
	if (h->fd < 0)
		return false;
	int fl = fcntl(h->fd, F_GETFL);
	fcntl(h->fd, F_SETFL, fl | O_NONBLOCK);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = h};
	epoll_ctl(b->ep, EPOLL_CTL_ADD, h->fd, &ev);
	h->broken = false;
	return true;
}

static void http_close(struct bench *b, struct http *h)
{
	if (h->fd >= 0) {
		epoll_ctl(b->ep, EPOLL_CTL_DEL, h->fd, NULL);
		close(h->fd);
	}
	h->fd = -1;
}

static bool http_send(struct bench *b, struct http *h, const char *method, const char *path, const char *body)
{
	char req[2048];
	if (h->fd < 0 && !http_open(b, h))
		return false;
	size_t bl = body ? strlen(body) : 0;
	int n = snprintf(req, sizeof req,
			 "%s %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
			 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			 method, path, b->o.host, b->o.port, b->o.token, bl, body ? body : "");
	if (n <= 0 || (size_t)n >= sizeof req)
		return false;
	h->len = 0;
	h->complete = false;
	h->status = 0;
	h->sent_us = now_us();
	if (!send_all(h->fd, req, (size_t)n)) {
		http_close(b, h); /* the server may have timed the keep-alive out: one retry */
		if (!http_open(b, h) || !send_all(h->fd, req, (size_t)n))
			return false;
	}
	h->busy = true;
	return true;
}

static void http_read(struct bench *b, struct http *h)
{
	if (!h->cap) {
		h->cap = 1 << 16;
		h->buf = xcalloc(1, h->cap + 1);
	}
	for (int round = 0; round < 256; round++) {
		if (h->len == h->cap) {
			if (h->cap >= HTTP_MAX)
				goto broken;
			char *nb = realloc(h->buf, h->cap * 2 + 1);
			if (!nb)
				goto broken;
			h->buf = nb;
			h->cap *= 2;
		}
		ssize_t r = recv(h->fd, h->buf + h->len, h->cap - h->len, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (r <= 0) {
			if (!h->busy) { /* keep-alive closed between requests */
				http_close(b, h);
				return;
			}
			goto broken;
		}
		h->len += (size_t)r;
	}
	h->buf[h->len] = 0;
	char *eoh = strstr(h->buf, "\r\n\r\n");
	if (!eoh || !h->busy)
		return;
	size_t cl = 0;
	for (char *l = strstr(h->buf, "\r\n"); l && l < eoh; l = strstr(l + 2, "\r\n"))
		if (strncasecmp(l + 2, "Content-Length:", 15) == 0)
			cl = strtoul(l + 17, NULL, 10);
	size_t hl = (size_t)(eoh - h->buf) + 4;
	if (h->len < hl + cl)
		return;
	h->status = (int)strtol(h->buf + 9, NULL, 10);
	h->body = h->buf + hl;
	h->body_len = cl;
	if (h->status != 200 && b->http_errors++ < 3)
		fprintf(stderr, "ws_load: HTTP %d: %.*s\n", h->status, (int)(cl < 300 ? cl : 300), h->body);
	h->complete = true;
	h->busy = false;
	h->done_us = now_us();
	return;
broken:
	h->broken = h->complete = true;
	h->busy = false;
	h->status = 0;
	http_close(b, h);
}

/* ---- the loop ---- */

static void pump(struct bench *b, int timeout_ms)
{
	struct epoll_event evs[1024];
	int n = epoll_wait(b->ep, evs, 1024, timeout_ms);
	for (int i = 0; i < n; i++) {
		enum kind *k = evs[i].data.ptr;
		if (*k == K_HTTP) {
			http_read(b, (struct http *)(void *)k);
			continue;
		}
		struct ws *c = (struct ws *)(void *)k;
		if (c->state == WS_CONNECTING)
			ws_send_handshake(b, c);
		else if (c->state == WS_HANDSHAKE)
			ws_read_handshake(b, c);
		else if (c->state == WS_OPEN)
			ws_read(b, c);
	}
}

static void http_wait(struct bench *b, struct http *h, int64_t limit_us)
{
	int64_t deadline = mono_us() + limit_us;
	while (h->busy && mono_us() < deadline)
		pump(b, 5);
}

static void proc_mem(long pid, long *rss_kb, long *hwm_kb)
{
	char path[64], line[256];
	*rss_kb = *hwm_kb = -1;
	if (pid > 0)
		snprintf(path, sizeof path, "/proc/%ld/status", pid);
	else
		snprintf(path, sizeof path, "/proc/self/status");
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss_kb = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm_kb = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

/* CPU time of every thread of pid (0: this process), ns: schedstat is exact
 * where /proc/PID/stat counts whole clock ticks. */
static int64_t cpu_ns(long pid)
{
	if (pid <= 0) {
		struct timespec ts;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	char path[64], line[128];
	snprintf(path, sizeof path, "/proc/%ld/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int64_t sum = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char p2[400];
		snprintf(p2, sizeof p2, "%s/%s/schedstat", path, e->d_name);
		FILE *f = fopen(p2, "r");
		if (f && fgets(line, sizeof line, f))
			sum += strtoll(line, NULL, 10);
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum;
}

static void report_mem(struct bench *b, const char *tag)
{
	long rss, hwm, crss, chwm;
	proc_mem(b->o.server_pid, &rss, &hwm);
	proc_mem(0, &crss, &chwm);
	printf("RESULT %s_open=%d %s_server_rss_kb=%ld %s_server_hwm_kb=%ld %s_client_rss_kb=%ld\n", tag, b->open, tag,
	       rss, tag, hwm, tag, crss);
	fflush(stdout);
}

/* GET /api/calls?limit=100 → the first call ids (the "id" right before "workspaceId"). */
static bool fetch_ids(struct bench *b)
{
	struct http *h = &b->http[0];
	if (!http_send(b, h, "GET", "/api/calls?limit=100", NULL))
		return false;
	http_wait(b, h, 10 * 1000000);
	if (!h->complete || h->status != 200) {
		fprintf(stderr, "ws_load: GET /api/calls answered %d\n", h->status);
		return false;
	}
	const char *p = h->body, *end = h->body + h->body_len;
	while (b->nids < MAX_IDS && (p = memmem(p, (size_t)(end - p), "{\"id\":\"", 7)) != NULL) {
		p += 7;
		const char *q = memchr(p, '"', (size_t)(end - p));
		/* a call: {"id":"…","workspaceId":"…","startedAt" (follow-ups and contacts differ) */
		if (!q || q - p >= 40 || end - q < 70 || memcmp(q, "\",\"workspaceId\":\"", 17) != 0 ||
		    !memmem(q + 17, 50, "\",\"startedAt\"", 13))
			continue;
		memcpy(b->ids[b->nids], p, (size_t)(q - p));
		b->ids[b->nids++][q - p] = 0;
	}
	return b->nids > 0;
}

static bool patch(struct bench *b, struct http *h, char kind, int64_t n)
{
	char path[128], body[128];
	snprintf(path, sizeof path, "/api/calls/%s", b->ids[n % b->nids]);
	snprintf(body, sizeof body, "{\"notes\":\"wsb:%c:%" PRId64 ":%" PRId64 "\"}", kind, n, now_us());
	return http_send(b, h, "PATCH", path, body);
}

static void phase_connect(struct bench *b)
{
	int64_t t0 = mono_us(), deadline = t0 + (int64_t)b->o.timeout_s * 1000000;
	while ((b->next_conn < b->o.conns || b->inflight > 0) && mono_us() < deadline) {
		while (b->next_conn < b->o.conns && b->inflight < b->o.ramp)
			ws_start(b, &b->ws[b->next_conn++]);
		pump(b, 10);
	}
	for (int i = 0; i < b->o.conns; i++) /* stragglers past the deadline count as failed */
		if (b->ws[i].state == WS_CONNECTING || b->ws[i].state == WS_HANDSHAKE)
			ws_drop(b, &b->ws[i], false);
	double s = (double)(mono_us() - t0) / 1e6;
	printf("RESULT connect_open=%d connect_failed=%d connect_s=%.2f connect_per_s=%.0f\n", b->open, b->failed, s,
	       s > 0 ? b->open / s : 0);
	if (b->failed)
		fprintf(stderr, "ws_load: %d sockets failed (last: %s)\n", b->failed, strerror(b->fail_errno));
	fflush(stdout);
}

static void phase_hold(struct bench *b)
{
	int64_t deadline = mono_us() + (int64_t)b->o.hold_s * 1000000;
	while (mono_us() < deadline)
		pump(b, 100);
	report_mem(b, "idle");
	printf("RESULT idle_closed_by_server=%d idle_pings_answered=%" PRIu64 "\n", b->closed_by_server, b->pings);
}

static void phase_fanout(struct bench *b)
{
	struct hist all_last, all_last_at;
	double worst_resp = 0, worst_send = 0, worst_at = 0;
	int bad = 0, short_rounds = 0;
	struct hist cpu_server, cpu_client; /* CPU per round: what the fan-out costs, apart from waiting */
	hist_init(&all_last);
	hist_init(&all_last_at);
	hist_init(&cpu_server);
	hist_init(&cpu_client);
	for (int r = 1; r <= b->o.fanout; r++) {
		struct http *h = &b->http[0];
		b->fan_cur = r;
		b->fan_got = 0;
		b->fan_last_us = 0;
		b->fan_at_max_us = 0;
		int expect = b->open;
		int64_t scpu0 = cpu_ns(b->o.server_pid), ccpu0 = cpu_ns(0);
		if (!patch(b, h, 'f', r)) {
			fprintf(stderr, "ws_load: PATCH failed\n");
			return;
		}
		int64_t deadline = mono_us() + 5 * 1000000;
		while ((h->busy || b->fan_got < b->open) && mono_us() < deadline)
			pump(b, 5);
		double scpu = (double)(cpu_ns(b->o.server_pid) - scpu0) / 1e6, ccpu = (double)(cpu_ns(0) - ccpu0) / 1e6;
		if (!b->fan_got || h->status != 200) {
			fprintf(stderr, "ws_load: fan-out round %d: PATCH %d, %d deliveries\n", r, h->status, b->fan_got);
			bad++;
			continue;
		}
		double from_resp = (double)(b->fan_last_us - h->done_us) / 1000.0;
		double from_send = (double)(b->fan_last_us - h->sent_us) / 1000.0;
		printf("RESULT fanout_round=%d fanout_delivered=%d fanout_expected=%d patch_status=%d patch_ms=%.2f "
		       "last_after_response_ms=%.2f last_after_send_ms=%.2f last_after_at_ms=%.2f server_cpu_ms=%.1f "
		       "client_cpu_ms=%.1f\n",
		       r, b->fan_got, expect, h->status, (double)(h->done_us - h->sent_us) / 1000.0, from_resp, from_send,
		       (double)b->fan_at_max_us / 1000.0, scpu, ccpu);
		fflush(stdout);
		short_rounds += b->fan_got < expect;
		hist_add(&cpu_server, (int64_t)(scpu * 1000));
		hist_add(&cpu_client, (int64_t)(ccpu * 1000));
		hist_add(&all_last, b->fan_last_us - h->done_us);
		hist_add(&all_last_at, b->fan_at_max_us);
		if ((double)b->fan_at_max_us / 1000.0 > worst_at)
			worst_at = (double)b->fan_at_max_us / 1000.0;
		if (from_resp > worst_resp)
			worst_resp = from_resp;
		if (from_send > worst_send)
			worst_send = from_send;
		int64_t pause = mono_us() + 1000000; /* let the server settle between rounds */
		while (mono_us() < pause)
			pump(b, 50);
	}
	printf("RESULT fanout_failed_rounds=%d fanout_incomplete_rounds=%d\n", bad, short_rounds);
	printf("RESULT fanout_rounds=%d fanout_worst_last_after_response_ms=%.2f fanout_median_last_after_response_ms=%.2f "
	       "fanout_worst_last_after_send_ms=%.2f\n",
	       b->o.fanout, worst_resp, hist_pct(&all_last, 50), worst_send);
	/* The verdict's figure: from the event's commit stamp ("at", ms, taken inside the
	 * committing transaction, so it also counts the commit) to the last socket's receipt. */
	printf("RESULT fanout_worst_last_after_at_ms=%.2f fanout_median_last_after_at_ms=%.2f\n", worst_at,
	       hist_pct(&all_last_at, 50));
	printf("RESULT fanout_median_server_cpu_ms=%.1f fanout_median_client_cpu_ms=%.1f\n", hist_pct(&cpu_server, 50),
	       hist_pct(&cpu_client, 50));
	free(cpu_server.b);
	free(cpu_client.b);
	hist_print("fanout_each_from_send", &b->fan_send);
	hist_print("fanout_each_from_at", &b->fan_at);
	report_mem(b, "fanout");
	free(all_last.b);
	free(all_last_at.b);
}

static struct http *idle_http(struct bench *b)
{
	for (int i = 0; i < HTTP_POOL; i++)
		if (!b->http[i].busy)
			return &b->http[i];
	return NULL;
}

static bool any_busy(const struct bench *b)
{
	for (int i = 0; i < HTTP_POOL; i++)
		if (b->http[i].busy)
			return true;
	return false;
}

/* Books the PATCHes that came back since the last call; returns how many failed. */
static int collect_patches(struct bench *b, struct hist *patch_ms)
{
	int failed = 0;
	for (int i = 0; i < HTTP_POOL; i++) {
		struct http *h = &b->http[i];
		if (h->complete && h->sent_us) {
			if (h->status != 200)
				failed++;
			hist_add(patch_ms, h->done_us - h->sent_us);
			h->sent_us = 0;
		}
	}
	return failed;
}

static void phase_sustain(struct bench *b)
{
	int64_t total = (int64_t)b->o.rate * b->o.duration_s, sent = 0, late = 0, failed = 0;
	int64_t period = 1000000 / b->o.rate, t0 = mono_us(), next = t0;
	int expect_conns = b->open;
	int64_t hard_end = t0 + (int64_t)(b->o.duration_s + 10) * 1000000;
	struct hist patch_ms;
	hist_init(&patch_ms);
	for (int i = 0; i < HTTP_POOL; i++)
		b->http[i].sent_us = 0; /* the call-list fetch and the fan-out are not part of this */
	while (sent < total && mono_us() < hard_end) {
		failed += collect_patches(b, &patch_ms);
		int64_t now = mono_us();
		if (now >= next) {
			struct http *h = idle_http(b);
			if (h) {
				if (now - next > period)
					late++; /* every PATCH connection was busy when its slot came */
				if (!patch(b, h, 's', sent))
					failed++;
				sent++;
				next += period;
			}
		}
		int64_t wait = (next - mono_us() + 999) / 1000;
		pump(b, wait < 0 ? 0 : wait > 10 ? 10 : (int)wait);
	}
	double secs = (double)(mono_us() - t0) / 1e6;
	int64_t drain = mono_us() + 3 * 1000000;
	while (any_busy(b) && mono_us() < drain)
		pump(b, 10);
	failed += collect_patches(b, &patch_ms);
	uint64_t want = (uint64_t)(sent - failed) * (uint64_t)expect_conns;
	while (b->sus_got < want && mono_us() < drain)
		pump(b, 10);
	printf("RESULT sustain_conns=%d sustain_events=%" PRId64 " sustain_seconds=%.2f sustain_rate=%.1f "
	       "sustain_late_sends=%" PRId64 " sustain_failed_patches=%" PRId64 " sustain_delivered=%" PRIu64
	       " sustain_expected=%" PRIu64 " sustain_closed_by_server=%d\n",
	       expect_conns, sent, secs, (double)sent / secs, late, failed, b->sus_got, want, b->closed_by_server);
	hist_print("sustain_from_at", &b->sus_at);
	hist_print("sustain_from_send", &b->sus_send);
	hist_print("sustain_patch", &patch_ms);
	report_mem(b, "sustain");
	free(patch_ms.b);
}

/* Masked close (1000) to every open socket, a short wait for the server's close, then the fds go. */
static void phase_close(struct bench *b)
{
	static const uint8_t code[2] = {0x03, 0xe8};
	for (int i = 0; i < b->o.conns; i++)
		if (b->ws[i].state == WS_OPEN)
			ws_send_frame(b, &b->ws[i], 0x8, code, 2);
	int64_t deadline = mono_us() + 2 * 1000000;
	while (b->open > 0 && mono_us() < deadline)
		pump(b, 10);
	for (int i = 0; i < b->o.conns; i++)
		if (b->ws[i].state != WS_CLOSED && b->ws[i].state != WS_NEW)
			ws_drop(b, &b->ws[i], false);
	for (int i = 0; i < HTTP_POOL; i++) {
		http_close(b, &b->http[i]);
		free(b->http[i].buf);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: ws_load --port P --token T [--host 127.0.0.1] [--conns N] [--ramp K]\n"
			"               [--hold S] [--fanout ROUNDS] [--rate EV_PER_S --duration S]\n"
			"               [--server-pid PID] [--timeout S]\n");
	exit(2);
}

static long num_arg(const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi) {
		fprintf(stderr, "ws_load: '%s' is not a number in %ld..%ld\n", s, lo, hi);
		exit(2);
	}
	return v;
}

static void parse_opts(struct opts *o, int argc, char **argv)
{
	*o = (struct opts){.host = "127.0.0.1", .conns = 1000, .ramp = 256, .timeout_s = 120};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--host")) o->host = v;
		else if (!strcmp(a, "--token")) o->token = v;
		else if (!strcmp(a, "--port")) o->port = (int)num_arg(v, 1, 65535);
		else if (!strcmp(a, "--conns")) o->conns = (int)num_arg(v, 1, 1000000);
		else if (!strcmp(a, "--ramp")) o->ramp = (int)num_arg(v, 1, 100000);
		else if (!strcmp(a, "--hold")) o->hold_s = (int)num_arg(v, 0, 3600);
		else if (!strcmp(a, "--fanout")) o->fanout = (int)num_arg(v, 0, 1000);
		else if (!strcmp(a, "--rate")) o->rate = (int)num_arg(v, 0, 100000);
		else if (!strcmp(a, "--duration")) o->duration_s = (int)num_arg(v, 0, 3600);
		else if (!strcmp(a, "--server-pid")) o->server_pid = num_arg(v, 1, 1L << 30);
		else if (!strcmp(a, "--timeout")) o->timeout_s = (int)num_arg(v, 1, 3600);
		else usage();
	}
	if (!o->token || !o->port)
		usage();
}

int main(int argc, char **argv)
{
	static struct bench bench;
	struct bench *b = &bench;
	parse_opts(&b->o, argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < (rlim_t)b->o.conns + 64) {
		fprintf(stderr, "ws_load: open-file limit %llu is below --conns %d + 64; raise ulimit -n\n",
			(unsigned long long)rl.rlim_cur, b->o.conns);
		return 2;
	}
	if (getrandom(&b->rng, sizeof b->rng, 0) != sizeof b->rng || !b->rng)
		b->rng = (uint64_t)now_us() | 1;
	b->ep = epoll_create1(EPOLL_CLOEXEC);
	b->ws = xcalloc((size_t)b->o.conns, sizeof *b->ws);
	for (int i = 0; i < HTTP_POOL; i++)
		b->http[i] = (struct http){.kind = K_HTTP, .fd = -1};
	hist_init(&b->fan_send);
	hist_init(&b->fan_at);
	hist_init(&b->sus_send);
	hist_init(&b->sus_at);
	if ((b->o.fanout || b->o.rate) && !fetch_ids(b)) {
		fprintf(stderr, "ws_load: no call ids from GET /api/calls (seeded? token right?)\n");
		return 1;
	}
	report_mem(b, "before");
	phase_connect(b);
	if (b->o.hold_s)
		phase_hold(b);
	if (b->o.fanout)
		phase_fanout(b);
	if (b->o.rate && b->o.duration_s)
		phase_sustain(b);
	phase_close(b);
	report_mem(b, "after");
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("RESULT client_cpu_s=%.2f\n", (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
						  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	free(b->ws);
	free(b->fan_send.b);
	free(b->fan_at.b);
	free(b->sus_send.b);
	free(b->sus_at.b);
	close(b->ep);
	return b->open == 0 && b->failed == 0 ? 0 : 1;
}
