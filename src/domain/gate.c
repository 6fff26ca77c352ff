/* The compliance gate (see gate.h). */
#include "domain/gate.h"

#include <stdio.h>
#include <string.h>

#include "core/jw.h"
#include "store/contacts.h"

const char *gate_channel_name(enum gate_channel c)
{
	return c == GATE_SMS ? "sms" : "call";
}

/* Is contact id (of ws) marked do-not-contact? A missing contact is not. */
static enum err contact_dnc(struct db *db, const char *ws, const char *id, struct arena *a, bool *dnc)
{
	struct contact c;
	enum err rc = store_contact_get(db, ws, id, NULL, a, &c);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc == ERR_OK && c.do_not_contact)
		*dnc = true;
	return rc;
}

static enum err rule_do_not_contact(struct db *db, const struct actor *actor, const struct gate_request *q,
				    struct arena *a, bool *hit, const char **contact_id)
{
	enum err rc = ERR_OK;
	if (q->contact_id && (rc = contact_dnc(db, actor->workspace_id, q->contact_id, a, hit)) != ERR_OK)
		return rc;
	if (*hit) {
		*contact_id = q->contact_id;
		return ERR_OK;
	}
	const char *owner = NULL, *name = NULL;
	rc = store_contact_phone_owner(db, actor->workspace_id, q->to, a, &owner, &name);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc == ERR_OK && (rc = contact_dnc(db, actor->workspace_id, owner, a, hit)) == ERR_OK && *hit)
		*contact_id = owner;
	return rc;
}

static enum err audit(struct db *db, const struct actor *actor, const struct gate_request *q,
		      const struct gate_decision *g, const char *contact_id)
{
	const char *action = !g->allow ? "compliance.denied" : g->overridden ? "compliance.overridden"
									  : "compliance.allowed";
	struct jw m;
	jw_init(&m, 256, 8192);
	jw_obj_begin(&m);
	jw_kstr(&m, "channel", gate_channel_name(q->channel));
	jw_kstr(&m, "to", q->to);
	jw_kstr(&m, "decision", g->allow ? "allow" : "deny");
	if (g->rule)
		jw_kstr(&m, "rule", g->rule);
	else
		jw_knull(&m, "rule");
	jw_kbool(&m, "overrideRequested", q->override);
	jw_kbool(&m, "overridden", g->overridden);
	if (contact_id)
		jw_kstr(&m, "contactId", contact_id);
	jw_obj_end(&m);
	enum err rc = jw_error(&m);
	if (rc == ERR_OK)
		rc = audit_record(db, actor, action, q->call_id ? "call" : "number", q->call_id ? q->call_id : q->to,
				  NULL, jw_cstr(&m));
	jw_cleanup(&m);
	return rc;
}

enum err gate_check(struct db *db, const struct actor *actor, const struct gate_request *q, struct arena *a,
		    struct gate_decision *out)
{
	memset(out, 0, sizeof *out);
	out->allow = true;
	bool dnc = false;
	const char *contact_id = NULL;
	enum err rc = rule_do_not_contact(db, actor, q, a, &dnc, &contact_id);
	if (rc != ERR_OK)
		return rc;
	if (dnc) {
		out->rule = "do_not_contact";
		if (q->override && authz_role_may(actor->role, ACT_DNC_OVERRIDE)) {
			out->overridden = true;
		} else {
			out->allow = false;
			snprintf(out->detail, sizeof out->detail,
				 q->override ? "do_not_contact: the contact is marked do-not-contact and only an Owner may override"
					     : "do_not_contact: the contact is marked do-not-contact (an Owner may override)");
		}
	}
	return audit(db, actor, q, out, contact_id);
}
