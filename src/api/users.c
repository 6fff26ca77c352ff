/* Users of the workspace (/api/users): Admin and Owner. */
#include "api/handlers.h"
#include "store/accounts.h"

static bool write_member(void *ctx, const struct member *m)
{
	struct jw *w = ctx;
	jw_obj_begin(w);
	jw_kstr(w, "id", m->user.id);
	jw_kstr(w, "email", m->user.email);
	jw_kstr(w, "name", m->user.name[0] ? m->user.name : NULL);
	jw_kstr(w, "phone", m->user.phone[0] ? m->user.phone : NULL);
	jw_kstr(w, "role", m->role);
	jw_ktime_ms(w, "createdAt", m->user.created_at);
	jw_obj_end(w);
	return jw_error(w) == ERR_OK;
}

enum err h_users_list(struct req *r)
{
	struct jw w;
	jw_init(&w, 4096, 16 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "users");
	jw_arr_begin(&w);
	enum err rc = accounts_members_each(r->db, &r->principal, write_member, &w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (rc != ERR_OK) {
		jw_cleanup(&w);
		return rc;
	}
	return reply_jw(r, &w);
}
