/* Account rules: who exists, how credentials are minted, checked and revoked,
 * and the login throttle. */
#include "domain/accounts.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/log.h"

bool accounts_slug_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool accounts_email_valid(const char *e)
{
	size_t n = e ? strlen(e) : 0;
	if (n < 3 || n > 254)
		return false;
	const char *at = strchr(e, '@');
	if (!at || at == e || strchr(at + 1, '@') || !at[1] || !strchr(at + 1, '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)e[i] <= ' ' || e[i] == 0x7f)
			return false;
	return true;
}

static void lower(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = 0;
}

static enum err ensure_workspace(struct db *db, const char *slug, int64_t now, struct workspace *ws)
{
	enum err rc = store_workspace_by_slug(db, slug, ws);
	if (rc != ERR_NOT_FOUND)
		return rc;
	memset(ws, 0, sizeof *ws);
	id_new_at(ws->id, now);
	snprintf(ws->slug, sizeof ws->slug, "%s", slug);
	snprintf(ws->name, sizeof ws->name, "%s", slug);
	ws->created_at = now;
	return store_workspace_insert(db, ws);
}

/* Inside a write transaction: workspace, user and membership exist afterwards. */
static enum err ensure_member(struct db *db, const struct new_user *nu, int64_t now, struct workspace *ws,
			      struct user *u, struct err_detail *d)
{
	char email[256];
	lower(email, sizeof email, nu->email);
	enum err rc = ensure_workspace(db, nu->workspace_slug, now, ws);
	if (rc != ERR_OK)
		return rc;
	rc = store_user_by_email(db, email, u, NULL, 0);
	if (rc == ERR_NOT_FOUND) {
		memset(u, 0, sizeof *u);
		id_new_at(u->id, now);
		snprintf(u->email, sizeof u->email, "%s", email);
		snprintf(u->name, sizeof u->name, "%s", nu->name ? nu->name : "");
		snprintf(u->phone, sizeof u->phone, "%s", nu->phone ? nu->phone : "");
		u->created_at = now;
		char hash[128] = "";
		if (nu->password && (rc = crypto_password_hash(nu->password, hash, sizeof hash)) != ERR_OK)
			return rc;
		rc = store_user_insert(db, u, nu->password ? hash : NULL);
		crypto_wipe(hash, sizeof hash);
	} else if (rc == ERR_OK && nu->password) {
		char hash[128];
		if ((rc = crypto_password_hash(nu->password, hash, sizeof hash)) != ERR_OK)
			return rc;
		rc = store_user_set_password(db, u->id, hash);
		crypto_wipe(hash, sizeof hash);
	}
	if (rc == ERR_OK && nu->phone && nu->phone[0])
		rc = store_user_set_phone(db, u->id, nu->phone);
	if (rc != ERR_OK)
		return rc;
	char role[16];
	rc = store_membership_role(db, ws->id, u->id, role);
	if (rc == ERR_NOT_FOUND)
		return store_membership_insert(db, ws->id, u->id, role_name(nu->role), now);
	if (rc == ERR_OK && role_parse(role) != nu->role)
		return err_set(d, ERR_CONFLICT, "%s is already %s in workspace %s", email, role, ws->slug);
	return rc;
}

static enum err check_new_user(const struct new_user *nu, struct err_detail *d)
{
	if (!accounts_slug_valid(nu->workspace_slug))
		return err_field_add(d, "workspace", "must be 2-63 of a-z, 0-9 and '-'");
	if (!accounts_email_valid(nu->email))
		return err_field_add(d, "email", "is not an e-mail address");
	if (nu->role == ROLE_NONE)
		return err_field_add(d, "role", "must be viewer, tech, dispatcher, admin or owner");
	if (nu->password && strlen(nu->password) < 8)
		return err_field_add(d, "password", "must be at least 8 characters");
	return ERR_OK;
}

enum err accounts_user_add(struct db *db, const struct new_user *nu, struct user *out, struct err_detail *d)
{
	enum err rc = check_new_user(nu, d);
	if (rc != ERR_OK)
		return rc;
	struct workspace ws;
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	rc = ensure_member(db, nu, clock_now_ms(), &ws, out, d);
	if (rc == ERR_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

static enum err mint_token(struct db *db, const struct workspace *ws, const struct user *u, int64_t now,
			   char token_out[TOKEN_SIZE])
{
	char id[ID_SIZE], hash[CRYPTO_SHA256_HEX];
	enum err rc = crypto_token_new(TOKEN_PREFIX_API, token_out, TOKEN_SIZE);
	if (rc != ERR_OK)
		return rc;
	crypto_sha256_hex(token_out, strlen(token_out), hash);
	id_new_at(id, now);
	return store_api_token_insert(db, id, ws->id, u->id, hash, "cli", now);
}

enum err accounts_token_create(struct db *db, const char *slug, enum role role, const char *email,
			       char token_out[TOKEN_SIZE], struct err_detail *d)
{
	char service[256];
	if (!email) {
		snprintf(service, sizeof service, "%s@%s.api", role_name(role), slug ? slug : "");
		email = service;
	}
	struct new_user nu = {.workspace_slug = slug, .email = email, .role = role};
	enum err rc = check_new_user(&nu, d);
	if (rc != ERR_OK)
		return rc;
	struct workspace ws;
	struct user u;
	int64_t now = clock_now_ms();
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	if ((rc = ensure_member(db, &nu, now, &ws, &u, d)) == ERR_OK &&
	    (rc = mint_token(db, &ws, &u, now, token_out)) == ERR_OK)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

static void principal_from(const struct credential_row *c, bool session, struct principal *p)
{
	memset(p, 0, sizeof *p);
	memcpy(p->workspace_id, c->workspace_id, sizeof p->workspace_id);
	memcpy(p->workspace_slug, c->workspace_slug, sizeof p->workspace_slug);
	memcpy(p->user_id, c->user_id, sizeof p->user_id);
	memcpy(p->email, c->email, sizeof p->email);
	memcpy(p->name, c->name, sizeof p->name);
	memcpy(p->credential_id, c->cred_id, sizeof p->credential_id);
	p->role = role_parse(c->role);
	p->via_session = session;
}

static enum err throttle_check(struct db *db, const struct auth_policy *pol, const char *email, const char *ip,
			       int64_t now, struct err_detail *d)
{
	int64_t by_email, by_ip, oldest;
	enum err rc = store_login_failures_since(db, email, ip, now - pol->login_window_ms, &by_email, &by_ip, &oldest);
	if (rc != ERR_OK)
		return rc;
	/* An address may try a few accounts; an account is locked after its own limit. */
	if (by_email < pol->login_max_failures && by_ip < pol->login_max_failures * 4)
		return ERR_OK;
	int64_t wait = (oldest + pol->login_window_ms - now) / 1000 + 1;
	d->retry_after = wait > 0 ? (int)wait : 1;
	return err_set(d, ERR_LIMITED, "too many failed logins; try again in %d seconds", d->retry_after);
}

static enum err pick_workspace(struct db *db, const struct user *u, const char *slug, struct workspace *ws,
			       struct err_detail *d)
{
	struct workspace list[8];
	int count = 0;
	enum err rc = store_memberships_of(db, u->id, list, 8, &count);
	if (rc != ERR_OK)
		return rc;
	for (int i = 0; i < count && i < 8; i++) {
		if (!slug || strcmp(list[i].slug, slug) == 0) {
			if (!slug && count > 1)
				return err_field_add(d, "workspace", "you belong to several workspaces: name one");
			*ws = list[i];
			return ERR_OK;
		}
	}
	return err_set(d, ERR_UNAUTHORIZED, "wrong e-mail, password or workspace");
}

enum err accounts_login(struct db *db, const struct auth_policy *pol, const char *email_in, const char *password,
			const char *workspace_slug, const char *client_ip, char token_out[TOKEN_SIZE],
			struct principal *p, int64_t *expires_at, struct err_detail *d)
{
	char email[256], hash[160] = "", tok_hash[CRYPTO_SHA256_HEX], sid[ID_SIZE];
	struct user u;
	struct workspace ws;
	int64_t now = clock_now_ms();
	lower(email, sizeof email, email_in);

	enum err rc = throttle_check(db, pol, email, client_ip, now, d);
	if (rc != ERR_OK)
		return rc;
	rc = store_user_by_email(db, email, &u, hash, sizeof hash);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND)
		return rc;
	/* Verify even for unknown users, so timing does not tell which e-mails exist. */
	static const char dummy[] =
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
		"H802ZnZrjYe9qkX4jQfBWTQtJnmj6Noz+sJrSQ8gzOM";
	bool ok = crypto_password_verify(rc == ERR_OK && hash[0] ? hash : dummy, password) && rc == ERR_OK && hash[0];
	crypto_wipe(hash, sizeof hash);
	if (ok && (rc = pick_workspace(db, &u, workspace_slug, &ws, d)) == ERR_INVALID)
		return rc;
	if (!ok || rc != ERR_OK) {
		if (store_login_failure_add(db, email, client_ip, now) != ERR_OK)
			log_warn("could not record a failed login");
		return err_set(d, ERR_UNAUTHORIZED, "wrong e-mail, password or workspace");
	}
	if ((rc = crypto_token_new(TOKEN_PREFIX_SESSION, token_out, TOKEN_SIZE)) != ERR_OK)
		return rc;
	crypto_sha256_hex(token_out, strlen(token_out), tok_hash);
	id_new_at(sid, now);
	*expires_at = now + pol->session_max_ms;
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	if ((rc = store_session_insert(db, sid, ws.id, u.id, tok_hash, now, *expires_at)) != ERR_OK ||
	    (rc = store_login_failures_clear(db, email)) != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db)) != ERR_OK)
		return rc;
	struct credential_row c;
	if ((rc = store_credential_by_session(db, tok_hash, &c)) != ERR_OK)
		return rc;
	principal_from(&c, true, p);
	return ERR_OK;
}

enum err accounts_authenticate(struct db *db, const struct auth_policy *pol, const char *raw, struct principal *p)
{
	char hash[CRYPTO_SHA256_HEX];
	struct credential_row c;
	size_t n = strlen(raw);
	if (n < 8 || n >= TOKEN_SIZE)
		return ERR_UNAUTHORIZED;
	crypto_sha256_hex(raw, n, hash);
	bool session = strncmp(raw, TOKEN_PREFIX_SESSION, 4) == 0;
	enum err rc = session ? store_credential_by_session(db, hash, &c) : store_credential_by_token(db, hash, &c);
	if (rc == ERR_NOT_FOUND)
		return ERR_UNAUTHORIZED;
	if (rc != ERR_OK)
		return rc;
	/* The index found the row; the secret's hash is still compared in constant time. */
	if (!crypto_streq(c.token_hash, hash))
		return ERR_UNAUTHORIZED;
	if (session) {
		int64_t now = clock_now_ms();
		if (now >= c.expires_at || now - c.last_seen_at >= pol->session_idle_ms)
			return ERR_UNAUTHORIZED;
		/* Sliding idle expiry, written at most once a minute per session. */
		if (now - c.last_seen_at > 60000 && store_session_touch(db, c.cred_id, now) != ERR_OK)
			log_warn("could not touch a session");
	}
	principal_from(&c, session, p);
	return p->role == ROLE_NONE ? ERR_UNAUTHORIZED : ERR_OK;
}

enum err accounts_logout(struct db *db, const struct principal *p)
{
	int64_t now = clock_now_ms();
	return p->via_session ? store_session_revoke(db, p->credential_id, now)
			      : store_api_token_revoke(db, p->credential_id, now);
}

enum err accounts_seed_demo(struct db *db, char *out, size_t n, struct err_detail *d)
{
	static const enum role roles[] = {ROLE_OWNER, ROLE_ADMIN, ROLE_DISPATCHER, ROLE_TECH, ROLE_VIEWER};
	int64_t count;
	enum err rc = store_workspace_count(db, &count);
	if (rc != ERR_OK)
		return rc;
	if (count > 0)
		return err_set(d, ERR_CONFLICT, "the database already has workspaces");
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		char email[64], token[TOKEN_SIZE];
		snprintf(email, sizeof email, "%s@demo.switchboard.test", role_name(roles[i]));
		struct new_user nu = {.workspace_slug = "demo", .email = email, .role = roles[i],
				      .password = "switchboard-demo", .name = role_name(roles[i])};
		struct user u;
		if ((rc = accounts_user_add(db, &nu, &u, d)) != ERR_OK)
			return rc;
		if ((rc = accounts_token_create(db, "demo", roles[i], email, token, d)) != ERR_OK)
			return rc;
		int w = snprintf(out + used, n - used, "%-10s %-32s %s\n", role_name(roles[i]), email, token);
		crypto_wipe(token, sizeof token);
		if (w < 0 || (size_t)w >= n - used)
			return ERR_TOO_LARGE;
		used += (size_t)w;
	}
	return ERR_OK;
}

enum err accounts_me(struct db *db, const struct principal *p, struct user *u, struct workspace *ws)
{
	enum err rc = store_user_by_id(db, p->user_id, u);
	return rc != ERR_OK ? rc : accounts_workspace(db, p, ws);
}

enum err accounts_workspace(struct db *db, const struct principal *p, struct workspace *ws)
{
	return store_workspace_by_id(db, p->workspace_id, ws);
}

enum err accounts_me_update(struct db *db, const struct principal *p, const char *name, const char *phone)
{
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	if (name && (rc = store_user_set_name(db, p->user_id, name)) != ERR_OK)
		goto fail;
	if (phone && (rc = store_user_set_phone(db, p->user_id, phone)) != ERR_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

enum err accounts_members_each(struct db *db, const struct principal *p,
			       bool (*fn)(void *ctx, const struct member *m), void *ctx)
{
	return store_members_each(db, p->workspace_id, fn, ctx);
}

bool accounts_is_member(struct db *db, const char *workspace_id, const char *user_id)
{
	char role[16];
	return user_id && store_membership_role(db, workspace_id, user_id, role) == ERR_OK;
}
