/* Accounts: workspaces, users, API tokens, login sessions and the principal a
 * credential stands for. Secrets leave here once (to be shown to their owner)
 * and are stored only as SHA-256 hashes. */
#ifndef SB_DOMAIN_ACCOUNTS_H
#define SB_DOMAIN_ACCOUNTS_H

#include <stdint.h>

#include "core/err.h"
#include "domain/authz.h"
#include "store/accounts.h"
#include "store/db.h"

#define TOKEN_SIZE 64           /* "sbt_" / "sbs_" + 43 chars + NUL fits */
#define TOKEN_PREFIX_API "sbt_"
#define TOKEN_PREFIX_SESSION "sbs_"

struct auth_policy {
	int64_t session_idle_ms;
	int64_t session_max_ms;
	int64_t login_max_failures;
	int64_t login_window_ms;
};

struct new_user {
	const char *workspace_slug;
	const char *email;
	enum role role;
	const char *password; /* NULL: no password (token-only user) */
	const char *name;     /* may be NULL */
	const char *phone;    /* E.164 or NULL */
};

/* Validates a workspace slug (a-z, 0-9, '-', 2..63 chars). */
bool accounts_slug_valid(const char *slug);
/* Validates an e-mail address's shape. */
bool accounts_email_valid(const char *email);

/* Creates the workspace (if missing), the user (if missing) and the membership.
 * ERR_CONFLICT when the user is already a member with another role. Own transaction. */
enum err accounts_user_add(struct db *db, const struct new_user *nu, struct user *out, struct err_detail *d);

/* New API token for email (created with role in workspace slug if missing;
 * email NULL means the workspace's "<role>@<slug>.api" service user). The raw
 * token goes to token_out (TOKEN_SIZE). Own transaction. */
enum err accounts_token_create(struct db *db, const char *slug, enum role role, const char *email,
			       char token_out[TOKEN_SIZE], struct err_detail *d);

/* Password login. workspace_slug may be NULL when the user has one workspace.
 * Throttled per e-mail and per client address (ERR_LIMITED, d->retry_after).
 * On success: the raw session token, the principal and the session's absolute expiry. */
enum err accounts_login(struct db *db, const struct auth_policy *pol, const char *email, const char *password,
			const char *workspace_slug, const char *client_ip, char token_out[TOKEN_SIZE],
			struct principal *p, int64_t *expires_at, struct err_detail *d);

/* Resolves a raw bearer token or session cookie value to its principal.
 * ERR_UNAUTHORIZED for an unknown, revoked or expired credential. */
enum err accounts_authenticate(struct db *db, const struct auth_policy *pol, const char *raw,
			       struct principal *p);

/* Revokes the credential the principal presented (logout). */
enum err accounts_logout(struct db *db, const struct principal *p);

/* The signed-in user's account and workspace. */
enum err accounts_me(struct db *db, const struct principal *p, struct user *u, struct workspace *ws);
/* The principal's workspace alone (name, zone). */
enum err accounts_workspace(struct db *db, const struct principal *p, struct workspace *ws);
/* Updates the principal's own name and/or phone (NULL = unchanged; phone E.164). */
enum err accounts_me_update(struct db *db, const struct principal *p, const char *name, const char *phone);

/* Members of the principal's workspace (the caller checked the permission). */
enum err accounts_members_each(struct db *db, const struct principal *p,
			       bool (*fn)(void *ctx, const struct member *m), void *ctx);

/* True when user_id is a member of the workspace. */
bool accounts_is_member(struct db *db, const char *workspace_id, const char *user_id);

/* First start: a "demo" workspace with one user per role (password "switchboard-demo")
 * and a token each, written to out (5 lines "role email token"). ERR_CONFLICT if
 * any workspace already exists. */
enum err accounts_seed_demo(struct db *db, char *out, size_t n, struct err_detail *d);

#endif
