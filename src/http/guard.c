/* Credentials, CSRF, permissions and CORS. */
#include "http/guard.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "core/log.h"

static bool safe_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS");
}

/* Origin equals our own scheme://host (same-origin request). */
static bool same_origin(struct req *r, const char *origin)
{
	const char *host = req_header(r, "Host");
	if (!host)
		return false;
	const char *p = strstr(origin, "://");
	return p && strcmp(p + 3, host) == 0;
}

static bool origin_trusted(struct req *r, const char *origin)
{
	return config_origin_allowed(r->cfg, origin, strlen(origin)) || same_origin(r, origin);
}

/* Cookie-authenticated writes must come from a page of ours. */
static enum err csrf_check(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	if (origin && strcmp(origin, "null") != 0)
		return origin_trusted(r, origin) ? ERR_OK
			: err_set(&r->err, ERR_FORBIDDEN, "cross-site request refused (origin %s is not trusted)", origin);
	const char *site = req_header(r, "Sec-Fetch-Site");
	if (site && (!strcmp(site, "same-origin") || !strcmp(site, "none")))
		return ERR_OK;
	return err_set(&r->err, ERR_FORBIDDEN,
		       "cross-site request refused: a cookie-authenticated write needs an Origin or Sec-Fetch-Site header of this site");
}

static const char *bearer(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	if (!h)
		return NULL;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return "";
	h += 7;
	while (*h == ' ')
		h++;
	return h;
}

enum err guard_check(struct req *r)
{
	const struct route *rt = r->match.route;
	const char *tok = bearer(r);
	bool from_cookie = false;
	if (!tok && (rt->flags & ROUTE_QUERY_TOKEN))
		tok = req_query(r, "token");
	if (!tok) {
		tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
		from_cookie = tok != NULL;
	}
	if (rt->access == ACCESS_PUBLIC) {
		/* Login with a cookie jar still must not be forged cross-site. */
		const char *origin = req_header(r, "Origin");
		if (!safe_method(r->method) && origin && strcmp(origin, "null") && !origin_trusted(r, origin))
			return err_set(&r->err, ERR_FORBIDDEN, "cross-site request refused (origin %s is not trusted)", origin);
		return ERR_OK;
	}
	if (!tok || !*tok)
		return err_set(&r->err, ERR_UNAUTHORIZED, "sign in: send 'Authorization: Bearer <token>' or the session cookie");
	enum err rc = accounts_authenticate(r->db, r->policy, tok, &r->principal);
	if (rc == ERR_UNAUTHORIZED)
		return err_set(&r->err, rc, "the token or session is unknown, revoked or expired");
	if (rc != ERR_OK)
		return rc;
	r->authenticated = true;
	log_context_set(r->id);
	/* Cookie writes, and cookie WebSocket handshakes (cross-site WebSocket hijacking), need our origin. */
	if (from_cookie && (!safe_method(r->method) || (rt->flags & ROUTE_QUERY_TOKEN)) && (rc = csrf_check(r)) != ERR_OK)
		return rc;
	if (rt->access == ACCESS_ACTION && !authz_role_may(r->principal.role, (enum action)rt->action))
		return err_set(&r->err, ERR_FORBIDDEN, "the %s role may not do this", role_name(r->principal.role));
	return ERR_OK;
}

void guard_cors_headers(struct req *r)
{
	const char *origin = req_header(r, "Origin");
	if (!origin || !config_origin_allowed(r->cfg, origin, strlen(origin)))
		return;
	req_add_header(r, "Access-Control-Allow-Origin", origin);
	req_add_header(r, "Access-Control-Allow-Credentials", "true");
	req_add_header(r, "Access-Control-Expose-Headers", "X-Request-Id, Retry-After, RateLimit, RateLimit-Policy");
	req_add_header(r, "Vary", "Origin");
}

void guard_preflight(struct req *r, const char *allow)
{
	req_add_header(r, "Allow", allow);
	const char *origin = req_header(r, "Origin");
	if (origin && config_origin_allowed(r->cfg, origin, strlen(origin)) &&
	    req_header(r, "Access-Control-Request-Method")) {
		req_add_header(r, "Access-Control-Allow-Methods", allow);
		req_add_header(r, "Access-Control-Allow-Headers",
			       "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
		req_add_header(r, "Access-Control-Max-Age", "600");
	}
}

void guard_session_cookie(struct req *r, const char *token, int64_t max_age_sec)
{
	char v[256];
	bool secure = strncmp(r->cfg->public_url, "https:", 6) == 0;
	if (token)
		snprintf(v, sizeof v, SESSION_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s", token,
			 (long long)max_age_sec, secure ? "; Secure" : "");
	else
		snprintf(v, sizeof v, SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
			 secure ? "; Secure" : "");
	req_add_header(r, "Set-Cookie", v);
}
