/* Tracking number rules (see numbers.h). */
#include "domain/numbers.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/phone.h"
#include "domain/sla_policy.h"

const char *const number_statuses[] = {"active", "suspended", NULL};
const char *const number_routing_modes[] = {"ai", "human", "overflow", NULL};
const char *const number_after_hours[] = {"ai", "vm", "forward", NULL};

enum err numbers_list(struct db *db, const char *workspace_id, struct arena *a, struct tracking_number **rows,
		      int *n)
{
	return store_numbers_list(db, workspace_id, a, rows, n);
}

/* E.164 of raw into arena memory, or a field error. */
static const char *normalize(struct arena *a, const char *raw, const char *field, struct err_detail *d)
{
	char e164[PHONE_E164_SIZE];
	if (phone_normalize(raw, PHONE_DEFAULT_REGION, e164, sizeof e164) != ERR_OK) {
		err_field_add(d, field, "must be a valid phone number");
		return NULL;
	}
	return arena_strdup(a, e164);
}

/* Validated own hours into n->hours (store form, arena a), or the field errors as "hours.<field>". */
static void set_hours(struct arena *a, const struct business_hours *bh, struct tracking_number *n,
		      struct err_detail *d)
{
	struct err_detail v = {0};
	if (!bh) {
		n->hours = (struct bh_row){0};
		return;
	}
	if (sla_hours_validate(bh, &v) != ERR_OK) {
		for (int i = 0; i < v.nfields; i++) {
			char field[sizeof v.fields[i].field];
			snprintf(field, sizeof field, "hours.%s", v.fields[i].field);
			err_field_add(d, field, "%s", v.fields[i].message);
		}
		if (!v.nfields)
			err_field_add(d, "hours", "are not valid business hours");
		return;
	}
	if (sla_hours_encode(a, bh, &n->hours) != ERR_OK)
		err_field_add(d, "hours", "could not be stored");
}

/* One line for the audit diff: "zone | week | holidays", or NULL for none. */
static const char *hours_text(struct arena *a, const struct bh_row *h)
{
	return h->time_zone ? arena_printf(a, "%s | %s | %s", h->time_zone, h->week ? h->week : "",
					   h->holidays ? h->holidays : "")
			    : NULL;
}

/* Applies in to n (create: on top of the defaults), then checks the result. */
static enum err apply(struct arena *a, const struct number_input *in, struct tracking_number *n, struct err_detail *d)
{
	if (in->set_label)
		n->label = in->label;
	if (in->status)
		n->status = in->status;
	if (in->routing_mode)
		n->routing_mode = in->routing_mode;
	if (in->after_hours)
		n->after_hours = in->after_hours;
	if (in->set_hours)
		set_hours(a, in->hours, n, d);
	if (in->recording_opt_in >= 0)
		n->recording_opt_in = in->recording_opt_in == 1;
	if (in->set_forward_to)
		n->forward_to = in->forward_to ? normalize(a, in->forward_to, "forwardTo", d) : NULL;
	if (n->forward_to && n->e164 && strcmp(n->forward_to, n->e164) == 0)
		err_field_add(d, "forwardTo", "must not be the tracking number itself");
	if (!strcmp(n->after_hours, "forward") && !n->forward_to && !(d && d->nfields))
		err_field_add(d, "forwardTo", "is required when afterHours is forward");
	if (n->label && strlen(n->label) > NUMBER_LABEL_MAX)
		err_field_add(d, "label", "must be at most %d bytes", NUMBER_LABEL_MAX);
	return d && d->nfields ? ERR_INVALID : ERR_OK;
}

static enum err audit(struct db *db, const struct actor *actor, const char *action, const struct tracking_number *b,
		      const struct tracking_number *n, struct arena *a)
{
	struct diff df;
	diff_init(&df);
	if (b) {
		diff_str(&df, "label", b->label, n->label);
		diff_str(&df, "status", b->status, n->status);
		diff_str(&df, "routingMode", b->routing_mode, n->routing_mode);
		diff_str(&df, "afterHours", b->after_hours, n->after_hours);
		diff_str(&df, "hours", hours_text(a, &b->hours), hours_text(a, &n->hours));
		diff_str(&df, "forwardTo", b->forward_to, n->forward_to);
		diff_bool(&df, "recordingOptIn", b->recording_opt_in, n->recording_opt_in);
	}
	char meta[96];
	snprintf(meta, sizeof meta, "{\"e164\":\"%s\"}", n->e164); /* E.164 is '+' and digits: nothing to escape */
	enum err rc = jw_error(&df.w);
	if (rc == ERR_OK)
		rc = audit_record(db, actor, action, "number", n->id, diff_json(&df), meta);
	diff_cleanup(&df);
	return rc;
}

enum err numbers_create(struct db *db, const struct actor *actor, const struct number_input *in, struct arena *a,
			struct tracking_number *out, struct err_detail *d)
{
	int64_t now = clock_now_ms();
	char *id = arena_alloc(a, ID_SIZE);
	if (!id)
		return ERR_NOMEM;
	id_new_at(id, now);
	*out = (struct tracking_number){.id = id, .workspace_id = actor->workspace_id, .status = "active",
					.routing_mode = "human", .after_hours = "vm", .created_at = now,
					.updated_at = now};
	if (!in->e164)
		err_field_add(d, "e164", "is required");
	else
		out->e164 = normalize(a, in->e164, "e164", d);
	enum err rc = apply(a, in, out, d);
	if (rc != ERR_OK)
		return rc;
	if ((rc = db_begin_write(db)) != ERR_OK)
		return rc;
	rc = store_number_insert(db, out);
	if (rc == ERR_CONFLICT)
		err_set(d, rc, "%s is already a tracking number (of this or another workspace)", out->e164);
	if (rc == ERR_OK)
		rc = audit(db, actor, "number.created", NULL, out, a);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

enum err numbers_update(struct db *db, const struct actor *actor, const char *id, const struct number_input *in,
			struct arena *a, struct tracking_number *out, struct err_detail *d)
{
	struct tracking_number before;
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = store_number_get(db, actor->workspace_id, id, a, &before);
	if (rc == ERR_NOT_FOUND)
		err_set(d, rc, "no number %s", id);
	if (rc != ERR_OK)
		goto fail;
	*out = before;
	if ((rc = apply(a, in, out, d)) != ERR_OK)
		goto fail;
	out->updated_at = clock_now_ms();
	if ((rc = store_number_update(db, out)) != ERR_OK)
		goto fail;
	if ((rc = audit(db, actor, "number.updated", &before, out, a)) != ERR_OK)
		goto fail;
	return db_commit(db);
fail:
	db_rollback(db);
	return rc;
}

enum err numbers_delete(struct db *db, const struct actor *actor, const char *id, struct arena *a,
			struct err_detail *d)
{
	struct tracking_number n;
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = store_number_get(db, actor->workspace_id, id, a, &n);
	if (rc == ERR_NOT_FOUND)
		err_set(d, rc, "no number %s", id);
	if (rc == ERR_OK)
		rc = store_number_delete(db, actor->workspace_id, id);
	if (rc == ERR_OK)
		rc = audit(db, actor, "number.deleted", NULL, &n, a);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

bool numbers_own_hours(struct arena *a, const struct tracking_number *n, struct business_hours *bh)
{
	if (!n->hours.time_zone)
		return false;
	if (sla_hours_decode(a, &n->hours, bh) != ERR_OK) {
		log_error("hours of number %s are unreadable; the workspace's apply", n->id);
		return false;
	}
	return true;
}

bool numbers_is_open(struct arena *a, const struct tracking_number *n, const struct business_hours *workspace_hours,
		     int64_t at)
{
	struct business_hours own;
	return sla_is_open(numbers_own_hours(a, n, &own) ? &own : workspace_hours, at);
}
