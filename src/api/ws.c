/* WebSocket /ws/calls: the realtime feed of new_call, call_updated,
 * follow_up_due and sla_breach events for the caller's workspace (and, for a
 * Tech, only their jobs' calls). ?since=<event id> replays what was missed. */
#include <errno.h>
#include <stdlib.h>

#include "api/handlers.h"

enum err h_ws_calls(struct req *r)
{
	struct ws_sub sub = {.principal = r->principal, .since = -1};
	const char *since = req_query(r, "since");
	if (since && *since) {
		char *end;
		errno = 0;
		long long v = strtoll(since, &end, 10);
		if (errno || *end || v < 0)
			return err_field_add(&r->err, "since", "must be an event id (a whole number of 0 or more)");
		sub.since = v;
	}
	return reply_upgrade(r, &sub);
}
