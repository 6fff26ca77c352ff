/* The call list's parameters (client contract + issue 3) parsed into a
 * struct call_query, one (key, value) at a time, with a field error naming the
 * parameter for anything invalid; and the opaque keyset cursor. */
#ifndef SB_DOMAIN_CALL_QUERY_H
#define SB_DOMAIN_CALL_QUERY_H

#include "core/arena.h"
#include "core/err.h"
#include "store/calls.h"

struct call_query_parser {
	struct call_query *q;
	struct arena *a;
	const char *self_user_id;  /* what "me" means in assignedTo */
	struct err_detail *d;
	uint64_t seen;             /* single-valued parameters already given (bit per parameter) */
	const char *cursor;        /* raw, decoded in call_query_finish */
	bool spam_given;
};

void call_query_parser_init(struct call_query_parser *p, struct call_query *q, struct arena *a,
			    const char *self_user_id, struct err_detail *d);
/* One query parameter. Empty values count as absent. Errors are collected in p->d. */
void call_query_param(struct call_query_parser *p, const char *key, const char *value);
/* Cross-parameter checks and the cursor; ERR_INVALID when any parameter was bad. */
enum err call_query_finish(struct call_query_parser *p);

/* The opaque cursor continuing after a row with sort key `key` and id. out: 160 bytes. */
void call_query_cursor(const struct call_query *q, int64_t key, const char *id, char *out, size_t n);

#endif
