/* A call's audit trail (GET /api/audit/calls/:id), oldest first. */
#include <string.h>

#include "api/handlers.h"
#include "domain/audit.h"
#include "store/audit.h"

static bool write_event(void *ctx, const struct audit_row *a)
{
	struct jw *w = ctx;
	jw_obj_begin(w);
	jw_kstr(w, "id", a->id);
	jw_kstr(w, "workspaceId", a->workspace_id);
	jw_kstr(w, "actor", a->actor);
	jw_kstr(w, "actorId", a->actor_id);
	jw_kstr(w, "action", a->action);
	jw_kstr(w, "target", a->target);
	jw_kstr(w, "targetId", a->target_id);
	jw_kstr(w, "source", a->source);
	jw_key(w, "diff");
	if (a->diff)
		jw_raw(w, a->diff, strlen(a->diff));
	else
		jw_null(w);
	jw_key(w, "metadata");
	if (a->metadata)
		jw_raw(w, a->metadata, strlen(a->metadata));
	else
		jw_null(w);
	jw_ktime_ms(w, "createdAt", a->created_at);
	jw_obj_end(w);
	return jw_error(w) == ERR_OK;
}

enum err h_audit_call(struct req *r)
{
	struct jw w;
	jw_init(&w, 8192, 16u << 20);
	jw_obj_begin(&w);
	jw_key(&w, "events");
	jw_arr_begin(&w);
	enum err rc = audit_each_for_call(r->db, &r->principal, req_param(r, "id"), r->arena, write_event, &w, &r->err);
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (rc != ERR_OK) {
		jw_cleanup(&w);
		return rc;
	}
	return reply_jw(r, &w);
}
