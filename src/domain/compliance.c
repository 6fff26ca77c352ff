/* Blocked numbers and consent (see compliance.h). */
#include "domain/compliance.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/jw.h"
#include "core/phone.h"
#include "domain/calls.h"
#include "store/compliance.h"

const char *const blocked_sources[] = {"manual", "spam", "import", "system", NULL};

enum err blocked_list(struct db *db, const char *workspace_id, struct arena *a, struct blocked_number **rows,
		      int *n)
{
	return store_blocked_list(db, workspace_id, a, rows, n);
}

static enum err normalize(const char *raw, char *e164, struct err_detail *d)
{
	if (!raw || phone_normalize(raw, PHONE_DEFAULT_REGION, e164, PHONE_E164_SIZE) != ERR_OK)
		return err_field_add(d, "number", "must be a valid phone number");
	return ERR_OK;
}

static enum err audit_blocked(struct db *db, const struct principal *p, const char *action,
			      const struct blocked_number *b)
{
	struct actor actor = actor_of(p, SRC_API);
	struct jw m;
	jw_init(&m, 256, 4096);
	jw_obj_begin(&m);
	jw_kstr(&m, "number", b->e164);
	jw_kstr(&m, "reason", b->reason);
	jw_kstr(&m, "source", b->source);
	jw_obj_end(&m);
	enum err rc = jw_error(&m);
	if (rc == ERR_OK)
		rc = audit_record(db, &actor, action, "number", b->e164, NULL, jw_cstr(&m));
	jw_cleanup(&m);
	return rc;
}

enum err blocked_add(struct db *db, const struct principal *p, const char *number, const char *reason,
		     const char *source, struct arena *a, struct blocked_number *out, bool *created,
		     struct err_detail *d)
{
	char e164[PHONE_E164_SIZE];
	enum err rc = normalize(number, e164, d);
	if (rc != ERR_OK)
		return rc;
	*created = false;
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	struct blocked_number b = {.workspace_id = p->workspace_id, .e164 = e164, .reason = reason,
				   .source = source ? source : "manual",
				   .created_by = p->user_id[0] ? p->user_id : NULL, .created_at = clock_now_ms()};
	rc = store_blocked_add(db, &b, created);
	if (rc == ERR_OK && *created)
		rc = audit_blocked(db, p, "blocked_number.added", &b);
	if (rc == ERR_OK)
		rc = store_blocked_get(db, p->workspace_id, e164, a, out);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

enum err blocked_remove(struct db *db, const struct principal *p, const char *number, struct arena *a,
			struct err_detail *d)
{
	char e164[PHONE_E164_SIZE];
	if (normalize(number, e164, NULL) != ERR_OK)
		return err_set(d, ERR_NOT_FOUND, "%s is not a blocked number", number ? number : "");
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	struct blocked_number b;
	rc = store_blocked_get(db, p->workspace_id, e164, a, &b);
	if (rc == ERR_NOT_FOUND)
		err_set(d, rc, "%s is not a blocked number", e164);
	if (rc == ERR_OK)
		rc = store_blocked_remove(db, p->workspace_id, e164);
	if (rc == ERR_OK)
		rc = audit_blocked(db, p, "blocked_number.removed", &b);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

/* "key": {"from": x, "to": y} for tri-state consent (-1 is null). */
static void tri_change(struct jw *w, const char *key, int from, int to)
{
	jw_key(w, key);
	jw_obj_begin(w);
	jw_key(w, "from");
	if (from < 0)
		jw_null(w);
	else
		jw_bool(w, from == 1);
	jw_key(w, "to");
	if (to < 0)
		jw_null(w);
	else
		jw_bool(w, to == 1);
	jw_obj_end(w);
}

static enum err contact_consent(struct db *db, const struct principal *p, const struct call *c,
				const struct consent_input *in, int64_t now, struct arena *a, struct jw *meta)
{
	struct contact_compliance cc;
	enum err rc = store_contact_compliance_get(db, p->workspace_id, c->contact_id, a, &cc);
	if (rc == ERR_NOT_FOUND)
		return ERR_OK;
	if (rc != ERR_OK)
		return rc;
	int rec = in->recording >= 0 ? in->recording : cc.consent_recording;
	int sms = in->sms >= 0 ? in->sms : cc.consent_sms;
	if (rec == cc.consent_recording && sms == cc.consent_sms)
		return ERR_OK;
	if ((rc = store_contact_consent_set(db, p->workspace_id, c->contact_id, rec, sms, now)) != ERR_OK)
		return rc;
	struct jw diff;
	jw_init(&diff, 256, 4096);
	jw_obj_begin(&diff);
	if (rec != cc.consent_recording)
		tri_change(&diff, "recordingConsent", cc.consent_recording, rec);
	if (sms != cc.consent_sms)
		tri_change(&diff, "smsOptIn", cc.consent_sms, sms);
	jw_obj_end(&diff);
	struct actor actor = actor_of(p, SRC_API);
	char m[96];
	snprintf(m, sizeof m, "{\"callId\":\"%s\"}", c->id); /* ids are UUIDs: nothing to escape */
	rc = jw_error(&diff);
	if (rc == ERR_OK)
		rc = audit_record(db, &actor, "contact.consent_updated", "contact", c->contact_id, jw_cstr(&diff), m);
	if (rc == ERR_OK) {
		jw_key(meta, "contact");
		jw_raw(meta, jw_cstr(&diff), strlen(jw_cstr(&diff)));
	}
	jw_cleanup(&diff);
	return rc;
}

/* Whether number's opt-out is the customer's own (a STOP, or the carrier's
 * 21610 that reports one): ERR_CONFLICT, naming why, when staff try to lift
 * it. Only the customer's START opts such a number back in (CTIA; the
 * carrier keeps blocking it anyway). */
static enum err customer_opt_out(const struct sms_opt_status *s, const char *number, struct err_detail *d)
{
	if (!s->opted_out || !s->source)
		return ERR_OK;
	if (!strcmp(s->source, "STOP"))
		return err_set(d, ERR_CONFLICT,
			       "%s opted out by replying STOP; only the customer's own START (or YES, UNSTOP) opts it back in",
			       number);
	if (!strcmp(s->source, "vendor_21610"))
		return err_set(d, ERR_CONFLICT,
			       "%s is opted out at the carrier (error 21610: the customer replied STOP); only the customer's "
			       "own START opts it back in",
			       number);
	return ERR_OK;
}

static enum err number_consent(struct db *db, const struct principal *p, const char *number, bool opt_in,
			       int64_t now, struct arena *a, struct jw *meta, struct err_detail *d)
{
	struct sms_opt_status before;
	enum err rc = store_sms_opt_get(db, p->workspace_id, number, a, &before);
	if (rc != ERR_OK && rc != ERR_NOT_FOUND)
		return rc;
	if (rc == ERR_OK && opt_in && (rc = customer_opt_out(&before, number, d)) != ERR_OK)
		return rc;
	int from = rc == ERR_OK ? !before.opted_out : -1;
	struct sms_opt_status s = {.workspace_id = p->workspace_id, .e164 = number, .opted_out = !opt_in,
				   .source = "consent", .changed_by = p->user_id[0] ? p->user_id : NULL,
				   .changed_at = now};
	bool changed = false;
	if ((rc = store_sms_opt_set(db, &s, &changed)) != ERR_OK || !changed)
		return rc;
	struct jw diff;
	jw_init(&diff, 128, 1024);
	jw_obj_begin(&diff);
	tri_change(&diff, "optedIn", from, opt_in);
	jw_obj_end(&diff);
	struct actor actor = actor_of(p, SRC_API);
	rc = jw_error(&diff);
	if (rc == ERR_OK)
		rc = audit_record(db, &actor, opt_in ? "sms.opt_in" : "sms.opt_out", "number", number, jw_cstr(&diff),
				  "{\"source\":\"consent\"}");
	if (rc == ERR_OK) {
		jw_kstr(meta, "number", number);
		jw_key(meta, "smsOptStatus");
		jw_raw(meta, jw_cstr(&diff), strlen(jw_cstr(&diff)));
	}
	jw_cleanup(&diff);
	return rc;
}

enum err compliance_consent_set(struct db *db, const struct principal *p, const char *call_id,
				const struct consent_input *in, struct arena *a, struct err_detail *d)
{
	struct call before, after;
	enum err rc = calls_edit_begin(db, p, call_id, a, &before, d);
	if (rc != ERR_OK)
		return rc;
	int64_t now = clock_now_ms();
	struct jw meta;
	jw_init(&meta, 256, 8192);
	jw_obj_begin(&meta);
	if (before.contact_id)
		jw_kstr(&meta, "contactId", before.contact_id);
	bool out = before.direction && !strcmp(before.direction, "out");
	const char *customer = out ? before.to_e164 : before.from_e164;
	bool number = in->sms >= 0 && customer && phone_is_e164(customer);
	if (number && (rc = number_consent(db, p, customer, in->sms == 1, now, a, &meta, d)) != ERR_OK)
		goto fail; /* before anything else is written: a refusal changes nothing */
	if (before.contact_id && (rc = contact_consent(db, p, &before, in, now, a, &meta)) != ERR_OK)
		goto fail;
	jw_obj_end(&meta);
	if ((rc = jw_error(&meta)) != ERR_OK)
		goto fail;
	after = before;
	if (in->recording >= 0)
		after.consent_recording = in->recording;
	if (in->sms >= 0)
		after.consent_sms = in->sms;
	if (after.consent_recording != before.consent_recording || after.consent_sms != before.consent_sms)
		after.consent_updated_at = now;
	struct actor actor = actor_of(p, SRC_API);
	rc = calls_edit_commit(db, &actor, "call.consent_updated", &before, &after, jw_cstr(&meta), NULL,
			       d);
	jw_cleanup(&meta);
	return rc;
fail:
	jw_cleanup(&meta);
	calls_edit_abort(db);
	return rc;
}
