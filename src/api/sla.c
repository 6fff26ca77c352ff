/* SLA settings and notices: business hours and SLA rules (Admin and Owner),
 * the follow-up notification counts, and the test-only clock. */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/hours_json.h"
#include "api/input.h"
#include "core/clock.h"
#include "domain/sla_policy.h"

static enum err reply_hours(struct req *r)
{
	struct business_hours bh;
	bool def;
	enum err rc = sla_hours_load(r->db, r->principal.workspace_id, r->arena, &bh, &def);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 1024, 64 * 1024);
	jw_obj_begin(&w);
	hours_json_write(&w, &bh);
	jw_kbool(&w, "isDefault", def);
	jw_kbool(&w, "openNow", sla_is_open(&bh, clock_now_ms()));
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_business_hours_get(struct req *r)
{
	return reply_hours(r);
}

/* { timeZone, days: { sun: [{open, close}], ... }, holidays: ["YYYY-MM-DD"] } (api/hours_json.h) */
enum err h_business_hours_set(struct req *r)
{
	struct business_hours bh;
	hours_json_parse(r, req_body(r), "", &bh);
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct actor actor = actor_of(&r->principal, SRC_API);
	rc = sla_hours_save(r->db, &actor, &bh, &r->err);
	return rc != ERR_OK ? rc : reply_hours(r);
}

static enum err reply_rules(struct req *r)
{
	struct sla_rule_row *rows;
	int n;
	bool def;
	enum err rc = sla_rules_load(r->db, r->principal.workspace_id, r->arena, &rows, &n, &def);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 1024, 64 * 1024);
	jw_obj_begin(&w);
	jw_key(&w, "rules");
	jw_arr_begin(&w);
	for (int i = 0; i < n; i++) {
		jw_obj_begin(&w);
		jw_kstr(&w, "trigger", rows[i].trigger_on);
		jw_kstr(&w, "followupType", rows[i].followup_type);
		jw_kint(&w, "minutes", rows[i].minutes);
		jw_kstr(&w, "clock", rows[i].clock);
		jw_kint(&w, "warnMinutes", rows[i].warn_minutes);
		jw_kstr(&w, "priority", rows[i].priority);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_kbool(&w, "isDefault", def);
	jw_key(&w, "triggers");
	jw_arr_begin(&w);
	for (int i = 0; sla_triggers[i]; i++)
		jw_str(&w, sla_triggers[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_sla_rules_get(struct req *r)
{
	return reply_rules(r);
}

/* { rules: [{ trigger, followupType?, minutes, clock?, warnMinutes?, priority? }] } replaces all. */
enum err h_sla_rules_set(struct req *r)
{
	static const char *const keys[] = {"rules", NULL};
	static const char *const rule_keys[] = {"trigger", "followupType", "minutes", "clock", "warnMinutes", "priority", NULL};
	static const char *const clocks[] = {"business", "wall", NULL};
	json_t *b = req_body(r), *rules = json_object_get(b, "rules");
	input_known_keys(r, b, keys);
	if (!json_is_array(rules) || json_array_size(rules) > 16)
		return err_field_add(&r->err, "rules", "must be a list of at most 16 rules");
	struct sla_rule_row *rows = arena_alloc(r->arena, sizeof *rows * (json_array_size(rules) + 1));
	if (!rows)
		return ERR_NOMEM;
	size_t i;
	json_t *rule;
	int n = 0;
	json_array_foreach(rules, i, rule) {
		struct sla_rule_row *x = &rows[n++];
		int t = -1, ft = 0, ck = 0, pr = 1;
		if (!json_is_object(rule)) {
			err_field_add(&r->err, "rules", "each rule is an object");
			break;
		}
		input_known_keys(r, rule, rule_keys);
		input_enum(r, rule, "trigger", INPUT_REQUIRED, sla_triggers, &t);
		input_enum(r, rule, "followupType", INPUT_OPTIONAL, followup_types, &ft);
		input_enum(r, rule, "clock", INPUT_OPTIONAL, clocks, &ck);
		input_enum(r, rule, "priority", INPUT_OPTIONAL, priorities, &pr);
		x->minutes = 0;
		x->warn_minutes = 0;
		input_int(r, rule, "minutes", INPUT_REQUIRED, 1, 60 * 24 * 365, &x->minutes);
		input_int(r, rule, "warnMinutes", INPUT_OPTIONAL, 0, 60 * 24 * 365, &x->warn_minutes);
		x->trigger_on = t >= 0 ? sla_triggers[t] : NULL;
		x->followup_type = followup_types[ft];
		x->clock = clocks[ck];
		x->priority = priorities[pr];
	}
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct actor actor = actor_of(&r->principal, SRC_API);
	rc = sla_rules_save(r->db, &actor, rows, n, &r->err);
	return rc != ERR_OK ? rc : reply_rules(r);
}

enum err h_notifications_followups(struct req *r)
{
	int64_t overdue = 0, soon = 0;
	enum err rc = sla_followup_counts(r->db, &r->principal, clock_now_ms(), &overdue, &soon);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 256, 4096);
	jw_obj_begin(&w);
	jw_kint(&w, "overdueCount", overdue);
	jw_kint(&w, "dueSoonCount", soon);
	int64_t due = 0, met = 0, now = clock_now_ms();
	if ((rc = sla_compliance(r->db, &r->principal, now - 30 * 86400000LL, now, &due, &met)) != ERR_OK) {
		jw_cleanup(&w);
		return rc;
	}
	jw_key(&w, "slaCompliance");
	jw_obj_begin(&w);
	jw_kint(&w, "days", 30);
	jw_kint(&w, "due", due);
	jw_kint(&w, "metOnTime", met);
	jw_key(&w, "ratio");
	if (due)
		jw_double(&w, (double)met / (double)due);
	else
		jw_null(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

/* Test-only (setting test-hooks): moves the business clock. { offsetMs } or { advanceMs }. */
enum err h_test_clock(struct req *r)
{
	static const char *const keys[] = {"offsetMs", "advanceMs", NULL};
	if (!r->cfg->test_hooks)
		return err_set(&r->err, ERR_NOT_FOUND, "no such resource");
	json_t *b = req_body(r);
	int64_t v;
	input_known_keys(r, b, keys);
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	if (input_int(r, b, "offsetMs", INPUT_OPTIONAL, -((int64_t)1 << 45), (int64_t)1 << 45, &v))
		clock_offset_set(v);
	else if (input_int(r, b, "advanceMs", INPUT_OPTIONAL, 0, (int64_t)1 << 45, &v))
		clock_offset_set(clock_offset_get() + v);
	if ((rc = input_result(r)) != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 128, 1024);
	jw_obj_begin(&w);
	jw_kint(&w, "offsetMs", clock_offset_get());
	jw_ktime_ms(&w, "now", clock_now_ms());
	jw_obj_end(&w);
	return reply_jw(r, &w);
}
