/* TEMPORARY while the calls core lands in parallel: weak placeholders so the
 * binary links before every handler file exists. Each real handler overrides
 * its placeholder; this file is deleted once all exist. */
#include "api/handlers.h"

#define STUB(name) \
	__attribute__((weak)) enum err name(struct req *r) \
	{ \
		return err_set(&r->err, ERR_INTERNAL, "not built yet"); \
	}

STUB(h_calls_list)
STUB(h_call_get)
STUB(h_call_patch)
STUB(h_call_tags)
STUB(h_triage)
STUB(h_audit_call)
STUB(h_disposition_rules_get)
STUB(h_disposition_rules_set)
STUB(h_contacts_search)
STUB(h_contact_get)
STUB(h_call_link_contact)
STUB(h_call_new_contact)
STUB(h_call_link_job)
STUB(h_followups_list)
STUB(h_followups_create)
STUB(h_followup_get)
STUB(h_followup_patch)
STUB(h_followup_delete)
STUB(h_call_followup_create)
