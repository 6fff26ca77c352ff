/* Roles and the permission table of DESIGN.md §4, as code: the one place that
 * answers "may this principal do X (to this row)". */
#ifndef SB_DOMAIN_AUTHZ_H
#define SB_DOMAIN_AUTHZ_H

#include <stdbool.h>

#include "core/ids.h"

enum role { ROLE_NONE = 0, ROLE_VIEWER, ROLE_TECH, ROLE_DISPATCHER, ROLE_ADMIN, ROLE_OWNER };

enum action {
	ACT_READ,         /* calls, follow-ups, contacts */
	ACT_DOWNLOAD,     /* attachments, print card */
	ACT_EDIT,         /* calls, tags, follow-ups, link contact/job, SMS, click-to-call, bulk */
	ACT_EXPORT,
	ACT_SETTINGS,     /* settings, blocked numbers, DNC import, users */
	ACT_DNC_OVERRIDE, /* contact a number on a do-not-contact list */
	ACT__COUNT
};

/* Who is acting: resolved from a token or a session, bound to one workspace. */
struct principal {
	char workspace_id[ID_SIZE];
	char workspace_slug[64];
	char user_id[ID_SIZE];
	char email[256];
	char name[128];
	enum role role;
	bool via_session;            /* cookie or session token (browser) */
	char credential_id[ID_SIZE]; /* the session's or token's id */
};

/* What the row-level rule needs to know about the row acted on. */
struct row_scope {
	bool on_own_job; /* the call/contact/follow-up is on a job assigned to the principal */
};

/* "owner" -> ROLE_OWNER; ROLE_NONE for anything else. */
enum role role_parse(const char *s);
/* Lower-case wire name; "none" for ROLE_NONE. */
const char *role_name(enum role r);

/* May the principal's role do act at all (to some rows)? */
bool authz_role_may(enum role r, enum action act);
/* True when the role may act only on rows in its scope (Tech): callers must then
 * narrow lists and check rows with authz_row_may. */
bool authz_row_scoped(enum role r, enum action act);
/* May p do act to the row described by scope? */
bool authz_row_may(const struct principal *p, enum action act, const struct row_scope *scope);

#endif
