/* Workspace settings that shape call handling: disposition rules (the fields an
 * outcome requires). Admin and Owner only (checked by the caller's route). */
#ifndef SB_DOMAIN_SETTINGS_H
#define SB_DOMAIN_SETTINGS_H

#include "domain/audit.h"
#include "domain/authz.h"
#include "store/calls.h"

struct rule_change {
	const char *disposition; /* a word of call_dispositions */
	unsigned required;       /* RF_* bits */
};

enum err settings_disposition_rules_get(struct db *db, const struct principal *p, unsigned masks[NDISPOSITIONS]);
/* Replaces the rules of the given dispositions (others unchanged), audited, in one transaction. */
enum err settings_disposition_rules_set(struct db *db, const struct actor *actor, const struct rule_change *changes,
					int n, struct err_detail *d);

#endif
