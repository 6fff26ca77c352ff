/* Disposition rules. */
#include "domain/settings.h"

#include "core/clock.h"
#include "core/jw.h"

enum err settings_disposition_rules_get(struct db *db, const struct principal *p, unsigned masks[NDISPOSITIONS])
{
	return store_disposition_rules_get(db, p->workspace_id, masks);
}

static void write_fields(struct jw *w, unsigned mask)
{
	jw_arr_begin(w);
	for (int i = 0; rule_fields[i]; i++)
		if (mask & (1u << i))
			jw_str(w, rule_fields[i]);
	jw_arr_end(w);
}

enum err settings_disposition_rules_set(struct db *db, const struct actor *actor, const struct rule_change *changes,
					int n, struct err_detail *d)
{
	unsigned before[NDISPOSITIONS];
	struct jw diff;
	int64_t now = clock_now_ms();
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	jw_init(&diff, 512, 64 * 1024);
	jw_obj_begin(&diff);
	int changed = 0;
	if ((rc = store_disposition_rules_get(db, actor->workspace_id, before)) != ERR_OK)
		goto fail;
	for (int i = 0; i < n; i++) {
		int di = word_index(call_dispositions, changes[i].disposition);
		if (di < 0) {
			rc = err_field_add(d, "rules", "unknown disposition %s", changes[i].disposition);
			goto fail;
		}
		if (before[di] == changes[i].required)
			continue;
		rc = store_disposition_rule_set(db, actor->workspace_id, call_dispositions[di], changes[i].required, now);
		if (rc != ERR_OK)
			goto fail;
		jw_key(&diff, call_dispositions[di]);
		jw_obj_begin(&diff);
		jw_key(&diff, "from");
		write_fields(&diff, before[di]);
		jw_key(&diff, "to");
		write_fields(&diff, changes[i].required);
		jw_obj_end(&diff);
		before[di] = changes[i].required;
		changed++;
	}
	jw_obj_end(&diff);
	if (changed && (rc = jw_error(&diff)) == ERR_OK)
		rc = audit_record(db, actor, "settings.disposition_rules_updated", "workspace", actor->workspace_id,
				  jw_cstr(&diff), NULL);
	if (rc != ERR_OK)
		goto fail;
	jw_cleanup(&diff);
	return db_commit(db);
fail:
	jw_cleanup(&diff);
	db_rollback(db);
	return rc;
}
