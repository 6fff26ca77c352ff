/* The WebSocket hub: one thread per core ("shard"), each with its own epoll
 * set and share of the upgraded /ws/calls sockets (RFC 6455 framing in
 * ws_frame.c). Woken when an outbox event commits (db_set_outbox_hook), each
 * shard reads the transactional outbox (events table) in order, frames each
 * event once and fans the same bytes out to the sockets of its workspace that
 * may see it, replaying what a reconnecting client missed (?since=). Never a
 * thread per connection; a slow client is cut off (1008), not waited for. */
#ifndef SB_HTTP_WS_HUB_H
#define SB_HTTP_WS_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "domain/authz.h"

struct ws_hub;

/* Who a socket belongs to and where its feed starts. */
struct ws_sub {
	struct principal principal;
	int64_t since;   /* replay events with seq > since; -1: only new ones */
};

/* Starts the hub thread. cfg is borrowed and must outlive the hub. */
enum err ws_hub_start(const struct config *cfg, struct ws_hub **out, struct err_detail *d);
/* Closes every socket (close code 1001) and stops the thread; NULL is fine. */
void ws_hub_stop(struct ws_hub *h);

/* Hands an upgraded socket to the hub (called on an HTTP worker thread).
 * close_fn(close_arg) is called on the hub thread to release the socket. */
void ws_hub_adopt(struct ws_hub *h, int fd, const char *extra, size_t extra_len, const struct ws_sub *sub,
		  void (*close_fn)(void *arg), void *close_arg);

/* Sec-WebSocket-Accept for a client key (RFC 6455 §4.2.2) into out (29 bytes). */
bool ws_accept_key(const char *client_key, char out[32]);

struct ws_hub_stats {
	int64_t connections, delivered, dropped_slow, last_seq;
};
void ws_hub_stats(struct ws_hub *h, struct ws_hub_stats *out);

#endif
