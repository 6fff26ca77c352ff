/* The permission table. Rows are roles, columns actions:
 * Y = yes, O = only rows on the principal's own jobs, N = no. */
#include "domain/authz.h"

#include <string.h>

static const char *const names[] = {"none", "viewer", "tech", "dispatcher", "admin", "owner"};

/*                                     READ DOWNLOAD EDIT EXPORT SETTINGS DNC_OVERRIDE */
static const char table[][ACT__COUNT] = {
	[ROLE_NONE]       = {'N', 'N', 'N', 'N', 'N', 'N'},
	[ROLE_VIEWER]     = {'Y', 'N', 'N', 'N', 'N', 'N'},
	[ROLE_TECH]       = {'O', 'O', 'O', 'N', 'N', 'N'},
	[ROLE_DISPATCHER] = {'Y', 'Y', 'Y', 'N', 'N', 'N'},
	[ROLE_ADMIN]      = {'Y', 'Y', 'Y', 'Y', 'Y', 'N'},
	[ROLE_OWNER]      = {'Y', 'Y', 'Y', 'Y', 'Y', 'Y'},
};

enum role role_parse(const char *s)
{
	if (!s)
		return ROLE_NONE;
	for (int r = ROLE_VIEWER; r <= ROLE_OWNER; r++)
		if (strcmp(s, names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *role_name(enum role r)
{
	return (r >= ROLE_NONE && r <= ROLE_OWNER) ? names[r] : "none";
}

static char cell(enum role r, enum action act)
{
	if (r < ROLE_NONE || r > ROLE_OWNER || act < 0 || act >= ACT__COUNT)
		return 'N';
	return table[r][act];
}

bool authz_role_may(enum role r, enum action act)
{
	return cell(r, act) != 'N';
}

bool authz_row_scoped(enum role r, enum action act)
{
	return cell(r, act) == 'O';
}

bool authz_row_may(const struct principal *p, enum action act, const struct row_scope *scope)
{
	switch (cell(p->role, act)) {
	case 'Y':
		return true;
	case 'O':
		return scope && scope->on_own_job;
	default:
		return false;
	}
}
