/* Rows of workspaces, users, memberships, API tokens, sessions and login
 * failures. Plain data in and out; no rule about who may do what. */
#ifndef SB_STORE_ACCOUNTS_H
#define SB_STORE_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ids.h"
#include "store/db.h"

struct workspace {
	char id[ID_SIZE];
	char slug[64];
	char name[128];
	char time_zone[64];
	int64_t created_at;
};

struct user {
	char id[ID_SIZE];
	char email[256];
	char name[128];
	char phone[32];
	int64_t created_at;
};

/* Who a token or session belongs to, as stored. */
struct credential_row {
	char cred_id[ID_SIZE];     /* api_tokens.id or sessions.id */
	char workspace_id[ID_SIZE];
	char workspace_slug[64];
	char user_id[ID_SIZE];
	char email[256];
	char name[128];
	char role[16];
	int64_t expires_at;        /* sessions only; 0 for tokens */
	int64_t last_seen_at;      /* sessions only */
	char token_hash[65];       /* as stored */
};

enum err store_workspace_by_slug(struct db *db, const char *slug, struct workspace *out);
enum err store_workspace_by_id(struct db *db, const char *id, struct workspace *out);
enum err store_workspace_insert(struct db *db, const struct workspace *w);
enum err store_workspace_count(struct db *db, int64_t *count);

/* password_hash may be NULL (not wanted) or a buffer of n bytes ("" when none set). */
enum err store_user_by_email(struct db *db, const char *email, struct user *out, char *password_hash, size_t n);
enum err store_user_by_id(struct db *db, const char *id, struct user *out);
enum err store_user_insert(struct db *db, const struct user *u, const char *password_hash);
enum err store_user_set_password(struct db *db, const char *user_id, const char *password_hash);
enum err store_user_set_phone(struct db *db, const char *user_id, const char *phone);
enum err store_user_set_name(struct db *db, const char *user_id, const char *name);

/* Role text of user in workspace; ERR_NOT_FOUND when not a member. */
enum err store_membership_role(struct db *db, const char *workspace_id, const char *user_id, char role[16]);
enum err store_membership_insert(struct db *db, const char *workspace_id, const char *user_id, const char *role, int64_t now);
struct member {
	struct user user;
	char role[16];
};
/* Members of a workspace by e-mail; calls fn for each (stop when it returns false). */
enum err store_members_each(struct db *db, const char *workspace_id, bool (*fn)(void *ctx, const struct member *m), void *ctx);
/* The workspaces a user belongs to: fills up to max, *count = how many exist. */
enum err store_memberships_of(struct db *db, const char *user_id, struct workspace *out, int max, int *count);

enum err store_api_token_insert(struct db *db, const char *id, const char *workspace_id, const char *user_id,
				const char *token_hash, const char *name, int64_t now);
/* Live (not revoked) token whose hash is token_hash, with its principal. */
enum err store_credential_by_token(struct db *db, const char *token_hash, struct credential_row *out);
enum err store_api_token_revoke(struct db *db, const char *id, int64_t now);

enum err store_session_insert(struct db *db, const char *id, const char *workspace_id, const char *user_id,
			      const char *token_hash, int64_t now, int64_t expires_at);
/* Not revoked session (expiry is the caller's rule). */
enum err store_credential_by_session(struct db *db, const char *token_hash, struct credential_row *out);
enum err store_session_touch(struct db *db, const char *id, int64_t now);
enum err store_session_revoke(struct db *db, const char *id, int64_t now);

enum err store_login_failure_add(struct db *db, const char *email, const char *ip, int64_t now);
enum err store_login_failures_since(struct db *db, const char *email, const char *ip, int64_t since,
				    int64_t *by_email, int64_t *by_ip, int64_t *oldest);
enum err store_login_failures_clear(struct db *db, const char *email);

#endif
