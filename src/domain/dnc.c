/* A contact's do-not-contact state and the list's freshness (see dnc.h);
 * the CSV import and export are in dnc_csv.c. */
#include "domain/dnc.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jw.h"
#include "store/compliance.h"
#include "store/contacts.h"
#include "store/dnc.h"
#include "store/model.h"

const char *const dnc_sources[] = {"manual", "import", "registry", "sms_stop", "vendor_21610", NULL};

static const char *channels_word(int ch)
{
	return ch == (DNC_CALL | DNC_SMS) ? "call;sms" : ch == DNC_CALL ? "call" : ch == DNC_SMS ? "sms" : "";
}

static enum err refuse_tech(const struct principal *p, struct err_detail *d)
{
	if (authz_row_scoped(p->role, ACT_EDIT) || !authz_role_may(p->role, ACT_EDIT))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not change the do-not-contact list",
			       role_name(p->role));
	return ERR_OK;
}

/* The contact's current state: its flag and the first entry among its numbers. */
static enum err current(struct db *db, const struct contact *c, struct arena *a, struct contact_dnc *cur)
{
	memset(cur, 0, sizeof *cur);
	cur->contact_id = c->id;
	cur->do_not_contact = c->do_not_contact;
	cur->numbers = c->phones;
	cur->nnumbers = c->nphones;
	cur->channels = c->do_not_contact ? DNC_CALL | DNC_SMS : 0;
	cur->source = "manual";
	for (int i = 0; i < c->nphones; i++) {
		struct dnc_entry e;
		enum err rc = store_dnc_get(db, c->workspace_id, c->phones[i], a, &e);
		if (rc == ERR_NOT_FOUND)
			continue;
		if (rc != ERR_OK)
			return rc;
		if (!cur->listed) {
			cur->listed = true;
			cur->channels = (e.block_call ? DNC_CALL : 0) | (e.block_sms ? DNC_SMS : 0);
			cur->reason = e.reason;
			cur->source = e.source;
			cur->expires_at = e.expires_at;
			cur->updated_at = e.updated_at;
		}
	}
	return ERR_OK;
}

/* Audit event on the contact and call_updated on its latest calls. */
static enum err record(struct db *db, const struct principal *p, const char *action, const struct contact_dnc *b,
		       const struct contact_dnc *n, struct arena *a)
{
	struct actor actor = actor_of(p, SRC_API);
	struct diff df;
	struct jw meta, ev;
	diff_init(&df);
	diff_bool(&df, "doNotContact", b->do_not_contact, n->do_not_contact);
	diff_bool(&df, "listed", b->listed, n->listed);
	diff_str(&df, "channels", b->listed ? channels_word(b->channels) : NULL, n->listed ? channels_word(n->channels) : NULL);
	diff_str(&df, "reason", b->reason, n->reason);
	diff_str(&df, "source", b->listed ? b->source : NULL, n->listed ? n->source : NULL);
	diff_time(&df, "expiresAt", b->expires_at ? b->expires_at : I64_NULL, n->expires_at ? n->expires_at : I64_NULL);
	jw_init(&meta, 256, 16384);
	jw_obj_begin(&meta);
	jw_key(&meta, "numbers");
	jw_arr_begin(&meta);
	for (int i = 0; i < n->nnumbers; i++)
		jw_str(&meta, n->numbers[i]);
	jw_arr_end(&meta);
	jw_obj_end(&meta);
	const char *diff = diff_json(&df);
	enum err rc = jw_error(&df.w) != ERR_OK ? jw_error(&df.w) : jw_error(&meta);
	if (rc == ERR_OK)
		rc = audit_record(db, &actor, action, "contact", n->contact_id, diff, jw_cstr(&meta));
	const char **ids = NULL;
	int nids = 0;
	if (rc == ERR_OK)
		rc = store_contact_recent_calls(db, p->workspace_id, n->contact_id, DNC_CONTACT_EVENTS_MAX, a, &ids, &nids);
	jw_init(&ev, 256, 8192);
	for (int i = 0; rc == ERR_OK && i < nids; i++) {
		jw_reset(&ev);
		jw_obj_begin(&ev);
		jw_kstr(&ev, "callId", ids[i]);
		jw_kstr(&ev, "action", action);
		jw_kstr(&ev, "contactId", n->contact_id);
		jw_key(&ev, "changes");
		jw_obj_begin(&ev);
		jw_key(&ev, "doNotContact");
		jw_obj_begin(&ev);
		jw_kbool(&ev, "from", b->do_not_contact);
		jw_kbool(&ev, "to", n->do_not_contact);
		jw_obj_end(&ev);
		jw_obj_end(&ev);
		jw_obj_end(&ev);
		const char *payload = jw_cstr(&ev);
		rc = payload ? events_emit(db, p->workspace_id, "call_updated", ids[i], payload) : jw_error(&ev);
	}
	jw_cleanup(&ev);
	jw_cleanup(&meta);
	diff_cleanup(&df);
	return rc;
}

static enum err load(struct db *db, const struct principal *p, const char *contact_id, struct arena *a,
		     struct contact *c, struct err_detail *d)
{
	enum err rc = store_contact_get(db, p->workspace_id, contact_id, NULL, a, c);
	if (rc == ERR_NOT_FOUND)
		err_set(d, rc, "no contact %s", contact_id);
	return rc;
}

/* Writes state n (entries for every number, the flag) for contact c. */
static enum err write_state(struct db *db, const struct principal *p, const struct contact *c,
			    const struct contact_dnc *n, int64_t now)
{
	enum err rc = ERR_OK;
	for (int i = 0; rc == ERR_OK && i < c->nphones; i++) {
		struct dnc_entry e = {.workspace_id = p->workspace_id, .e164 = c->phones[i], .contact_id = c->id,
				      .block_call = (n->channels & DNC_CALL) != 0,
				      .block_sms = (n->channels & DNC_SMS) != 0, .reason = n->reason,
				      .source = n->source, .expires_at = n->expires_at,
				      .created_by = p->user_id[0] ? p->user_id : NULL, .created_at = now,
				      .updated_at = now};
		rc = store_dnc_put(db, &e, NULL);
	}
	if (rc == ERR_OK && n->do_not_contact != c->do_not_contact)
		rc = store_contact_dnc_set(db, p->workspace_id, c->id, n->do_not_contact, now);
	return rc;
}

enum err dnc_contact_put(struct db *db, const struct principal *p, const char *contact_id,
			 const struct dnc_input *in, bool replace, struct arena *a, struct contact_dnc *out,
			 struct err_detail *d)
{
	enum err rc = refuse_tech(p, d);
	if (rc != ERR_OK)
		return rc;
	int64_t now = clock_now_ms();
	if (in->set_expires && in->expires_at && in->expires_at <= now)
		return err_field_add(d, "expiresAt", "must be in the future");
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	struct contact c;
	struct contact_dnc before;
	if ((rc = load(db, p, contact_id, a, &c, d)) != ERR_OK || (rc = current(db, &c, a, &before)) != ERR_OK)
		goto fail;
	if (!replace && !before.listed && !before.do_not_contact) {
		rc = err_set(d, ERR_NOT_FOUND, "contact %s is not on the do-not-contact list (POST puts it there)",
			     contact_id);
		goto fail;
	}
	*out = before;
	if (replace) {
		out->channels = DNC_CALL | DNC_SMS;
		out->reason = NULL;
		out->source = "manual";
		out->expires_at = 0;
	}
	if (in->channels)
		out->channels = in->channels;
	if (in->set_reason)
		out->reason = in->reason;
	if (in->source)
		out->source = in->source;
	if (in->set_expires)
		out->expires_at = in->expires_at;
	out->do_not_contact = out->channels == (DNC_CALL | DNC_SMS) && out->expires_at == 0;
	out->listed = c.nphones > 0;
	out->updated_at = now;
	if ((rc = write_state(db, p, &c, out, now)) != ERR_OK)
		goto fail;
	if ((rc = record(db, p, replace ? "contact.dnc_set" : "contact.dnc_updated", &before, out, a)) != ERR_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

enum err dnc_contact_delete(struct db *db, const struct principal *p, const char *contact_id, struct arena *a,
			    struct err_detail *d)
{
	enum err rc = refuse_tech(p, d);
	if (rc != ERR_OK)
		return rc;
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	struct contact c;
	struct contact_dnc before, after;
	if ((rc = load(db, p, contact_id, a, &c, d)) != ERR_OK || (rc = current(db, &c, a, &before)) != ERR_OK)
		goto fail;
	if (!before.listed && !before.do_not_contact) {
		rc = err_set(d, ERR_NOT_FOUND, "contact %s is not on the do-not-contact list", contact_id);
		goto fail;
	}
	for (int i = 0; i < c.nphones; i++) {
		rc = store_dnc_delete(db, p->workspace_id, c.phones[i]);
		if (rc != ERR_OK && rc != ERR_NOT_FOUND)
			goto fail;
	}
	if (c.do_not_contact && (rc = store_contact_dnc_set(db, p->workspace_id, c.id, false, clock_now_ms())) != ERR_OK)
		goto fail;
	after = before;
	after.do_not_contact = after.listed = false;
	after.reason = NULL;
	after.expires_at = 0;
	if ((rc = record(db, p, "contact.dnc_removed", &before, &after, a)) != ERR_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

enum err dnc_status_get(struct db *db, const char *workspace_id, int64_t now, struct arena *a,
			struct dnc_status *out)
{
	memset(out, 0, sizeof *out);
	enum err rc = store_dnc_count(db, workspace_id, &out->entries);
	struct dnc_import imp;
	if (rc == ERR_OK && (rc = store_dnc_import_last(db, workspace_id, "import", a, &imp)) == ERR_OK)
		out->last_import_at = imp.created_at;
	if (rc == ERR_NOT_FOUND)
		rc = ERR_OK;
	if (rc == ERR_OK && (rc = store_dnc_import_last(db, workspace_id, "registry", a, &imp)) == ERR_OK) {
		out->last_registry_at = imp.created_at;
		out->registry_date = imp.registry_date != DB_NULL_INT ? imp.registry_date : imp.created_at;
		if (out->last_registry_at > out->last_import_at)
			out->last_import_at = out->last_registry_at;
		int64_t age_days = (now - out->registry_date) / 86400000;
		if (now - out->registry_date > (int64_t)DNC_REGISTRY_MAX_AGE_DAYS * 86400000) {
			char day[32];
			clock_format_rfc3339(out->registry_date, day, sizeof day);
			day[10] = '\0';
			char *w = arena_alloc(a, 200);
			if (!w)
				return ERR_NOMEM;
			snprintf(w, 200,
				 "the national do-not-call registry snapshot is from %s (%lld days ago): refresh it at least"
				 " every %d days",
				 day, (long long)age_days, DNC_REGISTRY_MAX_AGE_DAYS);
			out->warnings[out->nwarnings++] = w;
		}
	}
	return rc == ERR_NOT_FOUND ? ERR_OK : rc;
}
