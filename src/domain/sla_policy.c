/* SLA policy: hours, rules, rule-made follow-ups and notices. */
#include "domain/sla_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jw.h"
#include "core/log.h"
#include "store/accounts.h"
#include "store/followups.h"
#include "store/queue.h"

const char *const sla_triggers[] = {"missed", "voicemail", "callback", "booked", "answered", "quote", NULL};
const char *const weekday_keys[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

/* Missed: call back within 15 business minutes; voicemail: 60; a quote: two
 * 9-hour business days; a requested callback: 4 business hours. */
static const struct sla_rule_row default_rules[] = {
	{"missed", "callback", "business", "high", 15, 5, 0},
	{"voicemail", "callback", "business", "normal", 60, 15, 0},
	{"quote", "callback", "business", "normal", 1080, 120, 0},
	{"callback", "callback", "business", "high", 240, 30, 0},
};

/* "1:480-1020,1080-1200;2:..." <-> struct business_hours */
static enum err week_parse(const char *text, struct business_hours *bh)
{
	memset(bh->days, 0, sizeof bh->days);
	memset(bh->ndays, 0, sizeof bh->ndays);
	const char *p = text;
	while (p && *p) {
		int day, open, close, used = 0;
		if (sscanf(p, "%d:%n", &day, &used) != 1 || day < 0 || day > 6)
			return ERR_INVALID;
		p += used;
		while (sscanf(p, "%d-%d%n", &open, &close, &used) == 2) {
			if (bh->ndays[day] >= SLA_INTERVALS_MAX)
				return ERR_INVALID;
			bh->days[day][bh->ndays[day]++] = (struct bh_interval){(int16_t)open, (int16_t)close};
			p += used;
			if (*p != ',')
				break;
			p++;
		}
		if (*p == ';')
			p++;
		else if (*p)
			return ERR_INVALID;
	}
	return ERR_OK;
}

static char *week_format(struct arena *a, const struct business_hours *bh)
{
	char buf[1024];
	size_t used = 0;
	buf[0] = 0;
	for (int d = 0; d < 7; d++) {
		if (!bh->ndays[d])
			continue;
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%d:", used ? ";" : "", d);
		for (int i = 0; i < bh->ndays[d] && used < sizeof buf; i++)
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%d-%d", i ? "," : "",
						 bh->days[d][i].open_min, bh->days[d][i].close_min);
	}
	return arena_strdup(a, buf);
}

static enum err holidays_parse(struct arena *a, const char *text, struct business_hours *bh)
{
	int n = 0;
	for (const char *p = text; *p; p++)
		n += *p == ',';
	int64_t *v = arena_alloc(a, sizeof *v * (size_t)(n + 1));
	if (!v)
		return ERR_NOMEM;
	bh->nholidays = 0;
	for (const char *p = text; p && *p;) {
		int y, m, d, used = 0;
		if (sscanf(p, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3)
			return ERR_INVALID;
		v[bh->nholidays++] = clock_days_from_civil(y, (unsigned)m, (unsigned)d);
		p += used;
		if (*p == ',')
			p++;
	}
	bh->holidays = v;
	return ERR_OK;
}

static char *holidays_format(struct arena *a, const struct business_hours *bh)
{
	size_t cap = (size_t)bh->nholidays * 11 + 1;
	char *out = arena_alloc(a, cap), *o = out;
	if (!out)
		return NULL;
	for (int i = 0; i < bh->nholidays; i++) {
		char iso[32];
		clock_format_rfc3339(bh->holidays[i] * 86400000, iso, sizeof iso);
		o += snprintf(o, cap - (size_t)(o - out), "%s%.10s", i ? "," : "", iso);
	}
	*o = 0;
	return out;
}

enum err sla_hours_encode(struct arena *a, const struct business_hours *bh, struct bh_row *row)
{
	*row = (struct bh_row){.time_zone = tz_name(bh->zone), .week = week_format(a, bh),
			       .holidays = holidays_format(a, bh)};
	return row->week && row->holidays ? ERR_OK : ERR_NOMEM;
}

enum err sla_hours_decode(struct arena *a, const struct bh_row *row, struct business_hours *bh)
{
	memset(bh, 0, sizeof *bh);
	bh->zone = row->time_zone ? tz_get(row->time_zone) : NULL;
	if (week_parse(row->week ? row->week : "", bh) != ERR_OK)
		return ERR_INVALID;
	return holidays_parse(a, row->holidays ? row->holidays : "", bh);
}

enum err sla_hours_load(struct db *db, const char *workspace_id, struct arena *a, struct business_hours *bh,
			bool *is_default)
{
	struct bh_row row;
	memset(bh, 0, sizeof *bh);
	enum err rc = store_business_hours_get(db, workspace_id, a, &row);
	if (rc == ERR_NOT_FOUND) {
		struct workspace ws;
		if ((rc = store_workspace_by_id(db, workspace_id, &ws)) != ERR_OK)
			return rc;
		bh->zone = tz_get(ws.time_zone);
		for (int d = 1; d <= 5; d++) {
			bh->days[d][0] = (struct bh_interval){8 * 60, 17 * 60};
			bh->ndays[d] = 1;
		}
		if (is_default)
			*is_default = true;
		return ERR_OK;
	}
	if (rc != ERR_OK)
		return rc;
	if (is_default)
		*is_default = false;
	if ((rc = sla_hours_decode(a, &row, bh)) == ERR_NOMEM)
		return rc;
	if (rc != ERR_OK)
		log_error("business hours of %s are unreadable; treating the business as closed", workspace_id);
	return ERR_OK;
}

enum err sla_hours_save(struct db *db, const struct actor *actor, const struct business_hours *bh,
			struct err_detail *d)
{
	enum err rc = sla_hours_validate(bh, d);
	if (rc != ERR_OK)
		return rc;
	struct arena *a = arena_new();
	if (!a)
		return ERR_NOMEM;
	struct bh_row row;
	if ((rc = sla_hours_encode(a, bh, &row)) != ERR_OK) {
		arena_free(a);
		return rc;
	}
	struct jw meta;
	jw_init(&meta, 512, 64 * 1024);
	jw_obj_begin(&meta);
	jw_kstr(&meta, "timeZone", row.time_zone);
	jw_kstr(&meta, "week", row.week);
	jw_kstr(&meta, "holidays", row.holidays);
	jw_obj_end(&meta);
	if (!jw_cstr(&meta)) {
		rc = ERR_NOMEM;
		goto out;
	}
	if ((rc = db_begin_write(db)) != ERR_OK)
		goto out;
	if ((rc = store_business_hours_set(db, actor->workspace_id, &row, clock_now_ms())) == ERR_OK)
		rc = audit_record(db, actor, "settings.business_hours_updated", "workspace", actor->workspace_id,
				  NULL, jw_cstr(&meta));
	if (rc == ERR_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
out:
	jw_cleanup(&meta);
	arena_free(a);
	return rc;
}

enum err sla_rules_load(struct db *db, const char *workspace_id, struct arena *a, struct sla_rule_row **rows, int *n,
			bool *is_default)
{
	enum err rc = store_sla_rules_list(db, workspace_id, a, rows, n);
	if (rc != ERR_OK)
		return rc;
	bool def = *n == 0;
	if (def) {
		*rows = arena_alloc(a, sizeof default_rules);
		if (!*rows)
			return ERR_NOMEM;
		memcpy(*rows, default_rules, sizeof default_rules);
		*n = (int)(sizeof default_rules / sizeof default_rules[0]);
	}
	if (is_default)
		*is_default = def;
	return ERR_OK;
}

enum err sla_rules_save(struct db *db, const struct actor *actor, const struct sla_rule_row *rows, int n,
			struct err_detail *d)
{
	for (int i = 0; i < n; i++) {
		if (word_index(sla_triggers, rows[i].trigger_on) < 0)
			err_field_add(d, "trigger", "unknown trigger %s", rows[i].trigger_on ? rows[i].trigger_on : "");
		for (int j = 0; j < i; j++)
			if (rows[j].trigger_on && rows[i].trigger_on && !strcmp(rows[j].trigger_on, rows[i].trigger_on))
				err_field_add(d, "trigger", "%s appears twice", rows[i].trigger_on);
		if (rows[i].warn_minutes >= rows[i].minutes)
			err_field_add(d, "warnMinutes", "must be less than minutes");
	}
	if (d && d->nfields)
		return ERR_INVALID;
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	if ((rc = store_sla_rules_replace(db, actor->workspace_id, rows, n, clock_now_ms())) == ERR_OK)
		rc = audit_record(db, actor, "settings.sla_rules_updated", "workspace", actor->workspace_id, NULL, NULL);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

const char *sla_trigger_of(const struct call *c)
{
	bool vm = c->status && !strcmp(c->status, "voicemail");
	if (vm && (!c->disposition || !strcmp(c->disposition, "missed")))
		return "voicemail";
	if (!c->disposition)
		return NULL;
	if (c->intent && !strcmp(c->intent, "quote") &&
	    (!strcmp(c->disposition, "answered") || !strcmp(c->disposition, "callback")))
		return "quote";
	return c->disposition;
}

enum err sla_apply(struct db *db, const struct actor *actor, struct call *c, int64_t since, struct arena *a)
{
	const char *trigger = sla_trigger_of(c);
	if (!trigger || c->spam)
		return ERR_OK;
	struct sla_rule_row *rules;
	int n;
	enum err rc = sla_rules_load(db, c->workspace_id, a, &rules, &n, NULL);
	if (rc != ERR_OK)
		return rc;
	const struct sla_rule_row *rule = NULL;
	for (int i = 0; i < n && !rule; i++)
		if (!strcmp(rules[i].trigger_on, trigger))
			rule = &rules[i];
	if (!rule)
		return ERR_OK;
	bool open = false;
	if ((rc = store_followup_sla_open(db, c->id, trigger, &open)) != ERR_OK || open)
		return rc;
	struct business_hours bh;
	if ((rc = sla_hours_load(db, c->workspace_id, a, &bh, NULL)) != ERR_OK)
		return rc;
	enum sla_clock clk = strcmp(rule->clock, "wall") == 0 ? SLA_WALL : SLA_BUSINESS;
	int64_t due = sla_due(&bh, since, rule->minutes, clk);
	if (due == INT64_MAX)
		due = since + rule->minutes * 60000; /* no open time at all: fall back to wall time */
	int64_t now = clock_now_ms();
	char *id = arena_alloc(a, ID_SIZE);
	struct followup *grown = arena_alloc(a, sizeof *grown * (size_t)(c->nfollowups + 1));
	if (!id || !grown)
		return ERR_NOMEM;
	id_new_at(id, now);
	struct followup f = {
		.id = id, .workspace_id = c->workspace_id, .call_id = c->id, .contact_id = c->contact_id,
		.type = rule->followup_type, .status = "open", .priority = rule->priority,
		.note = arena_printf(a, "SLA: %s, %lld %s minutes", trigger, (long long)rule->minutes,
				     clk == SLA_WALL ? "wall" : "business"),
		.assigned_to = c->assigned_to, .due_at = due, .completed_at = I64_NULL, .created_at = now, .updated_at = now,
	};
	if ((rc = store_followup_insert(db, &f)) != ERR_OK)
		return rc;
	if ((rc = store_followup_sla_set(db, id, trigger, due - rule->warn_minutes * 60000)) != ERR_OK)
		return rc;
	char meta[256];
	snprintf(meta, sizeof meta, "{\"callId\":\"%s\",\"trigger\":\"%s\",\"rule\":\"sla\"}", c->id, trigger);
	if ((rc = audit_record(db, actor, "followup.created", "followup", id, NULL, meta)) != ERR_OK)
		return rc;
	if (c->nfollowups)
		memcpy(grown, c->followups, sizeof *grown * (size_t)c->nfollowups);
	grown[c->nfollowups++] = f;
	c->followups = grown;
	return ERR_OK;
}

enum err sla_withdraw(struct db *db, const struct actor *actor, struct call *c, const char *trigger,
		      const char *reason, int64_t now, struct arena *a, const char ***ids, int *n)
{
	enum err rc = store_followups_sla_cancel(db, c->id, trigger, now, a, ids, n);
	if (rc != ERR_OK || !*n)
		return rc;
	struct followup *list = arena_alloc(a, sizeof *list * (size_t)(c->nfollowups ? c->nfollowups : 1));
	if (!list)
		return ERR_NOMEM;
	for (int i = 0; i < c->nfollowups; i++) {
		list[i] = c->followups[i];
		for (int k = 0; k < *n; k++)
			if (list[i].id && !strcmp(list[i].id, (*ids)[k])) {
				list[i].status = "cancelled";
				list[i].updated_at = now;
			}
	}
	c->followups = list;
	struct diff df;
	diff_init(&df);
	diff_str(&df, "status", "open", "cancelled");
	const char *diff = diff_json(&df);
	rc = diff ? ERR_OK : jw_error(&df.w);
	for (int k = 0; k < *n && rc == ERR_OK; k++) {
		struct jw m;
		jw_init(&m, 256, 4096);
		jw_obj_begin(&m);
		jw_kstr(&m, "callId", c->id);
		jw_kstr(&m, "trigger", trigger);
		jw_kstr(&m, "rule", "sla");
		jw_kstr(&m, "reason", reason);
		jw_obj_end(&m);
		if ((rc = jw_error(&m)) == ERR_OK)
			rc = audit_record(db, actor, "followup.updated", "followup", (*ids)[k], diff, jw_cstr(&m));
		jw_cleanup(&m);
	}
	diff_cleanup(&df);
	return rc;
}

enum err sla_open_at(struct db *db, const char *workspace_id, int64_t at, bool *open)
{
	struct arena *a = arena_new();
	struct business_hours bh;
	if (!a)
		return ERR_NOMEM;
	enum err rc = sla_hours_load(db, workspace_id, a, &bh, NULL);
	if (rc == ERR_OK)
		*open = sla_is_open(&bh, at);
	arena_free(a);
	return rc;
}

struct recipients {
	char list[1024];
	size_t used;
};

static bool add_recipient(void *ctx, const struct member *m)
{
	struct recipients *r = ctx;
	if (strcmp(m->role, "owner") && strcmp(m->role, "admin"))
		return true;
	int w = snprintf(r->list + r->used, sizeof r->list - r->used, "%s%s", r->used ? ", " : "", m->user.email);
	if (w > 0 && (size_t)w < sizeof r->list - r->used)
		r->used += (size_t)w;
	return true;
}

static enum err notice_one(struct db *db, int kind, const struct notice_row *n, const char *alert_email, int64_t now,
			   bool *sent)
{
	enum err rc = store_notice_stamp(db, kind, n->followup_id, now, sent);
	if (rc != ERR_OK || !*sent)
		return rc;
	struct jw w;
	jw_init(&w, 512, 64 * 1024);
	jw_obj_begin(&w);
	jw_kstr(&w, "followUpId", n->followup_id);
	jw_kstr(&w, "callId", n->call_id);
	jw_kstr(&w, "contactId", n->contact_id);
	jw_kstr(&w, "assignedTo", n->assigned_to);
	jw_kstr(&w, "type", n->type);
	jw_kstr(&w, "priority", n->priority);
	jw_ktime_ms(&w, "dueAt", n->due_at);
	jw_obj_end(&w);
	const char *data = jw_cstr(&w);
	rc = data ? events_emit(db, n->workspace_id, kind == 0 ? "follow_up_due" : "sla_breach", n->call_id, data)
		  : ERR_NOMEM;
	if (rc == ERR_OK && kind == 1) {
		struct recipients r = {.used = 0};
		r.list[0] = 0;
		if (alert_email && *alert_email)
			snprintf(r.list, sizeof r.list, "%s", alert_email);
		else
			rc = store_members_each(db, n->workspace_id, add_recipient, &r);
		char iso[32];
		clock_format_rfc3339(n->due_at, iso, sizeof iso);
		struct jw mail;
		jw_init(&mail, 512, 64 * 1024);
		jw_obj_begin(&mail);
		jw_kstr(&mail, "to", r.list);
		jw_kstr(&mail, "subject", "SLA breached: a follow-up is overdue");
		char body[512];
		snprintf(body, sizeof body,
			 "A %s follow-up (%s priority) was due at %s and is still open.\nFollow-up: %s\nCall: %s\n",
			 n->type, n->priority, iso, n->followup_id, n->call_id ? n->call_id : "-");
		jw_kstr(&mail, "body", body);
		jw_obj_end(&mail);
		if (rc == ERR_OK && r.list[0] && jw_cstr(&mail))
			rc = store_queue_insert_email(db, n->workspace_id, jw_cstr(&mail), now);
		jw_cleanup(&mail);
	}
	jw_cleanup(&w);
	return rc;
}

enum err sla_notices_run(struct db *db, const char *alert_email, int64_t now, int *sent)
{
	int total = 0;
	for (int kind = 0; kind < 2; kind++) {
		struct arena *a = arena_new();
		struct notice_row *rows;
		int n = 0;
		if (!a)
			return ERR_NOMEM;
		/* Look first without the write lock: most ticks find nothing to send,
		 * and an idle tick must not disturb writers (or readers' caches). */
		enum err rc = store_notices_due(db, kind, now, 1, a, &rows, &n);
		if (rc != ERR_OK || n == 0) {
			arena_free(a);
			if (rc != ERR_OK)
				return rc;
			continue;
		}
		rc = db_begin_write(db);
		if (rc == ERR_OK)
			rc = store_notices_due(db, kind, now, 100, a, &rows, &n);
		for (int i = 0; rc == ERR_OK && i < n; i++) {
			bool won = false;
			rc = notice_one(db, kind, &rows[i], alert_email, now, &won);
			total += won;
		}
		if (rc == ERR_OK)
			rc = db_commit(db);
		else
			db_rollback(db);
		arena_free(a);
		if (rc != ERR_OK)
			return rc;
	}
	if (sent)
		*sent = total;
	return ERR_OK;
}

enum err sla_followup_counts(struct db *db, const struct principal *p, int64_t now, int64_t *overdue,
			     int64_t *due_soon)
{
	const char *tech = authz_row_scoped(p->role, ACT_READ) ? p->user_id : NULL;
	return store_followup_counts(db, p->workspace_id, tech, now, 60 * 60000, overdue, due_soon);
}

enum err sla_compliance(struct db *db, const struct principal *p, int64_t from, int64_t to, int64_t *due,
			int64_t *met)
{
	return store_sla_compliance(db, p->workspace_id, from, to, due, met);
}
