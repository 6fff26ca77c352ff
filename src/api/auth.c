/* Sign-in, sign-out and the signed-in user: /api/auth/login, /api/auth/logout, /api/me. */
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "core/crypto.h"
#include "core/phone.h"
#include "http/guard.h"

static void write_principal_parts(struct jw *w, const struct user *u, const struct workspace *ws, enum role role)
{
	jw_key(w, "user");
	jw_obj_begin(w);
	jw_kstr(w, "id", u->id);
	jw_kstr(w, "email", u->email);
	jw_kstr(w, "name", u->name[0] ? u->name : NULL);
	jw_kstr(w, "phone", u->phone[0] ? u->phone : NULL);
	jw_obj_end(w);
	jw_key(w, "workspace");
	jw_obj_begin(w);
	jw_kstr(w, "id", ws->id);
	jw_kstr(w, "slug", ws->slug);
	jw_kstr(w, "name", ws->name);
	jw_kstr(w, "timeZone", ws->time_zone);
	jw_obj_end(w);
	jw_kstr(w, "role", role_name(role));
}

enum err h_login(struct req *r)
{
	static const char *const keys[] = {"email", "password", "workspace", NULL};
	const char *email = NULL, *password = NULL, *slug = NULL;
	json_t *b = req_body(r);
	input_known_keys(r, b, keys);
	input_str(r, b, "email", INPUT_REQUIRED, 254, &email);
	input_str(r, b, "password", INPUT_REQUIRED, 1024, &password);
	input_str(r, b, "workspace", INPUT_OPTIONAL, 63, &slug);
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;

	char token[TOKEN_SIZE];
	struct principal p;
	int64_t expires;
	rc = accounts_login(r->db, r->policy, email, password, slug, r->client_ip, token, &p, &expires, &r->err);
	if (rc != ERR_OK)
		return rc;
	struct user u;
	struct workspace ws;
	if ((rc = accounts_me(r->db, &p, &u, &ws)) != ERR_OK)
		goto out;
	guard_session_cookie(r, token, r->policy->session_max_ms / 1000);
	struct jw w;
	jw_init(&w, 1024, 64 * 1024);
	jw_obj_begin(&w);
	jw_kstr(&w, "token", token);
	jw_ktime_ms(&w, "expiresAt", expires);
	write_principal_parts(&w, &u, &ws, p.role);
	jw_obj_end(&w);
	rc = reply_jw(r, &w);
out:
	crypto_wipe(token, sizeof token);
	return rc;
}

enum err h_logout(struct req *r)
{
	enum err rc = accounts_logout(r->db, &r->principal);
	if (rc != ERR_OK)
		return rc;
	guard_session_cookie(r, NULL, 0);
	return reply_none(r);
}

static void write_permission(struct jw *w, const char *key, enum role role, enum action act)
{
	if (authz_row_scoped(role, act))
		jw_kstr(w, key, "own");
	else
		jw_kbool(w, key, authz_role_may(role, act));
}

static enum err reply_me(struct req *r)
{
	struct user u;
	struct workspace ws;
	enum err rc = accounts_me(r->db, &r->principal, &u, &ws);
	if (rc != ERR_OK)
		return rc;
	enum role role = r->principal.role;
	struct jw w;
	jw_init(&w, 1024, 64 * 1024);
	jw_obj_begin(&w);
	write_principal_parts(&w, &u, &ws, role);
	jw_key(&w, "permissions");
	jw_obj_begin(&w);
	write_permission(&w, "read", role, ACT_READ);
	write_permission(&w, "download", role, ACT_DOWNLOAD);
	write_permission(&w, "edit", role, ACT_EDIT);
	write_permission(&w, "export", role, ACT_EXPORT);
	write_permission(&w, "settings", role, ACT_SETTINGS);
	write_permission(&w, "dncOverride", role, ACT_DNC_OVERRIDE);
	jw_obj_end(&w);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_me_get(struct req *r)
{
	return reply_me(r);
}

enum err h_me_patch(struct req *r)
{
	static const char *const keys[] = {"name", "phone", NULL};
	const char *name = NULL, *phone_in = NULL;
	char phone[PHONE_E164_SIZE];
	json_t *b = req_body(r);
	input_known_keys(r, b, keys);
	input_str(r, b, "name", INPUT_OPTIONAL, 120, &name);
	if (input_str(r, b, "phone", INPUT_OPTIONAL, 40, &phone_in) &&
	    phone_normalize(phone_in, PHONE_DEFAULT_REGION, phone, sizeof phone) != ERR_OK)
		err_field_add(&r->err, "phone", "is not a phone number");
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	rc = accounts_me_update(r->db, &r->principal, name, phone_in ? phone : NULL);
	return rc != ERR_OK ? rc : reply_me(r);
}
