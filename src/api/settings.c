/* Disposition rules (GET/POST /api/settings/disposition-rules): which fields
 * an outcome requires before it can be recorded. */
#include "api/handlers.h"
#include "api/input.h"
#include "domain/settings.h"

static enum err reply_rules(struct req *r)
{
	unsigned masks[NDISPOSITIONS];
	enum err rc = settings_disposition_rules_get(r->db, &r->principal, masks);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 1024, 64 * 1024);
	jw_obj_begin(&w);
	jw_key(&w, "rules");
	jw_arr_begin(&w);
	for (int i = 0; i < NDISPOSITIONS; i++) {
		jw_obj_begin(&w);
		jw_kstr(&w, "disposition", call_dispositions[i]);
		jw_key(&w, "requiredFields");
		jw_arr_begin(&w);
		for (int f = 0; rule_fields[f]; f++)
			if (masks[i] & (1u << f))
				jw_str(&w, rule_fields[f]);
		jw_arr_end(&w);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "fields");
	jw_arr_begin(&w);
	for (int f = 0; rule_fields[f]; f++)
		jw_str(&w, rule_fields[f]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_disposition_rules_get(struct req *r)
{
	return reply_rules(r);
}

/* { rules: [ { disposition, requiredFields: [...] } ] } */
enum err h_disposition_rules_set(struct req *r)
{
	static const char *const keys[] = {"rules", NULL};
	static const char *const rule_keys[] = {"disposition", "requiredFields", NULL};
	json_t *b = req_body(r), *rules = json_object_get(b, "rules");
	struct rule_change changes[NDISPOSITIONS];
	int n = 0;
	input_known_keys(r, b, keys);
	if (!json_is_array(rules) || json_array_size(rules) == 0 || json_array_size(rules) > NDISPOSITIONS)
		return err_field_add(&r->err, "rules", "must be an array of 1 to %d rules", NDISPOSITIONS);
	size_t i;
	json_t *rule;
	json_array_foreach(rules, i, rule) {
		int di = -1;
		if (!json_is_object(rule))
			return err_field_add(&r->err, "rules", "each rule is an object");
		input_known_keys(r, rule, rule_keys);
		if (!input_enum(r, rule, "disposition", INPUT_REQUIRED, call_dispositions, &di))
			continue;
		for (int k = 0; k < n; k++)
			if (changes[k].disposition == call_dispositions[di])
				err_field_add(&r->err, "rules", "%s appears twice", call_dispositions[di]);
		json_t *fields = json_object_get(rule, "requiredFields");
		unsigned mask = 0;
		if (!json_is_array(fields)) {
			err_field_add(&r->err, "requiredFields", "must be an array of field names");
			continue;
		}
		size_t j;
		json_t *f;
		json_array_foreach(fields, j, f) {
			int fi = json_is_string(f) ? word_index(rule_fields, json_string_value(f)) : -1;
			if (fi < 0) {
				char words[256];
				word_list(rule_fields, words, sizeof words);
				err_field_add(&r->err, "requiredFields", "must name fields among: %s", words);
				break;
			}
			mask |= 1u << fi;
		}
		changes[n].disposition = call_dispositions[di];
		changes[n].required = mask;
		n++;
	}
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct actor actor = actor_of(&r->principal, SRC_API);
	rc = settings_disposition_rules_set(r->db, &actor, changes, n, &r->err);
	return rc != ERR_OK ? rc : reply_rules(r);
}
