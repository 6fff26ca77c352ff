/* Reading bulk operation data and list filters from JSON (see bulk_data.h). */
#include "jobs/bulk_data.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "domain/call_query.h"
#include "domain/calls.h"
#include "domain/followups.h"

static bool known_keys(json_t *data, const char *const *keys, struct err_detail *d)
{
	const char *k;
	json_t *v;
	bool ok = true;
	json_object_foreach(data, k, v) {
		bool found = false;
		for (int i = 0; keys[i] && !found; i++)
			found = strcmp(keys[i], k) == 0;
		if (!found) {
			err_field_add(d, "data", "unknown field %.40s", k);
			ok = false;
		}
	}
	return ok;
}

/* An optional string of 1..max bytes; false when absent or invalid (recorded). */
static bool str_of(json_t *data, const char *key, size_t max, struct arena *a, const char **out, struct err_detail *d)
{
	json_t *v = json_object_get(data, key);
	if (!v || json_is_null(v))
		return false;
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		err_field_add(d, "data", "%s must be a string of 1 to %zu bytes", key, max);
		return false;
	}
	*out = arena_strdup(a, json_string_value(v));
	return *out != NULL;
}

static bool word_of(json_t *data, const char *key, const char *const *words, struct arena *a, const char **out,
		    struct err_detail *d)
{
	if (!str_of(data, key, 64, a, out, d))
		return false;
	if (word_index(words, *out) < 0) {
		char list[256];
		word_list(words, list, sizeof list);
		err_field_add(d, "data", "%s must be one of: %s", key, list);
		return false;
	}
	return true;
}

static enum err parse_tags(json_t *data, struct arena *a, struct bulk_op *op, struct err_detail *d)
{
	static const char *const keys[] = {"tags", "mode", NULL};
	static const char *const modes[] = {"add", "remove", "set", NULL};
	known_keys(data, keys, d);
	json_t *t = json_object_get(data, "tags");
	if (!json_is_array(t) || json_array_size(t) > 64)
		return err_field_add(d, "data.tags", "must be an array of at most 64 strings");
	size_t n = json_array_size(t);
	const char **in = arena_alloc(a, sizeof *in * (n ? n : 1));
	if (!in)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(t, i);
		if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e))
			return err_field_add(d, "data.tags", "must be an array of strings");
		in[i] = json_string_value(e);
	}
	const char *mode = NULL;
	if (word_of(data, "mode", modes, a, &mode, d))
		op->tag_mode = (enum bulk_tag_mode)word_index(modes, mode);
	if (calls_tags_normalize(a, in, (int)n, &op->tags, &op->ntags, d) != ERR_OK) {
		if (d && d->nfields)
			snprintf(d->fields[d->nfields - 1].field, sizeof d->fields[0].field, "data.tags");
		return ERR_INVALID;
	}
	if (op->ntags == 0 && op->tag_mode != BULK_TAGS_SET)
		err_field_add(d, "data.tags", "must name at least one tag");
	return d && d->nfields ? ERR_INVALID : ERR_OK;
}

static enum err parse_followup(json_t *data, struct arena *a, struct bulk_op *op, struct err_detail *d)
{
	static const char *const keys[] = {"type", "dueAt", "note", "priority", "assignedTo", NULL};
	known_keys(data, keys, d);
	if (!word_of(data, "type", followup_types, a, &op->fu_type, d) && !op->fu_type)
		err_field_add(d, "data.type", "is required");
	word_of(data, "priority", priorities, a, &op->fu_priority, d);
	str_of(data, "note", FOLLOWUP_NOTE_MAX, a, &op->fu_note, d);
	str_of(data, "assignedTo", 64, a, &op->fu_assigned_to, d);
	const char *due = NULL;
	op->fu_due_at = I64_NULL;
	if (!str_of(data, "dueAt", 64, a, &due, d) || !clock_parse_rfc3339(due, &op->fu_due_at) ||
	    op->fu_due_at < FOLLOWUP_DUE_MIN || op->fu_due_at > FOLLOWUP_DUE_MAX)
		err_field_add(d, "data.dueAt", "is required: an RFC 3339 date-time");
	return d && d->nfields ? ERR_INVALID : ERR_OK;
}

enum err bulk_data_parse(enum bulk_kind kind, json_t *data, struct arena *a, struct bulk_op *op, struct err_detail *d)
{
	memset(op, 0, sizeof *op);
	op->kind = kind;
	op->fu_due_at = I64_NULL;
	json_t *empty = NULL;
	if (!data || json_is_null(data))
		data = empty = json_object();
	if (!data)
		return ERR_NOMEM;
	enum err rc = ERR_OK;
	if (!json_is_object(data)) {
		rc = err_field_add(d, "data", "must be an object");
		goto out;
	}
	switch (kind) {
	case BULK_TAG:
		rc = parse_tags(data, a, op, d);
		break;
	case BULK_SPAM: {
		static const char *const keys[] = {"spam", "isSpam", "reason", NULL};
		known_keys(data, keys, d);
		json_t *s = json_object_get(data, "isSpam");
		if (!s)
			s = json_object_get(data, "spam");
		op->spam = true;
		if (s && !json_is_boolean(s))
			err_field_add(d, "data.isSpam", "must be true or false");
		else if (s)
			op->spam = json_is_true(s);
		word_of(data, "reason", call_spam_reasons, a, &op->spam_reason, d);
		rc = d && d->nfields ? ERR_INVALID : ERR_OK;
		break;
	}
	case BULK_DISPOSITION: {
		static const char *const keys[] = {"disposition", NULL};
		known_keys(data, keys, d);
		if (!word_of(data, "disposition", call_dispositions, a, &op->disposition, d) && !op->disposition)
			err_field_add(d, "data.disposition", "is required");
		rc = d && d->nfields ? ERR_INVALID : ERR_OK;
		break;
	}
	case BULK_FOLLOWUP:
		rc = parse_followup(data, a, op, d);
		break;
	case BULK_EXPORT:
		break; /* format and columns: read by the export code */
	}
out:
	json_decref(empty);
	return rc;
}

static void one_param(struct call_query_parser *qp, const char *key, json_t *v, struct err_detail *d)
{
	char num[32];
	if (json_is_string(v))
		call_query_param(qp, key, json_string_value(v));
	else if (json_is_boolean(v))
		call_query_param(qp, key, json_is_true(v) ? "true" : "false");
	else if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%" PRId64, (int64_t)json_integer_value(v));
		call_query_param(qp, key, num);
	} else if (!json_is_null(v))
		err_field_add(d, key, "must be a string, a number, a boolean or an array of them");
}

enum err bulk_filters_parse(json_t *filters, struct call_query *q, struct arena *a, const char *self_user_id,
			    struct err_detail *d)
{
	struct call_query_parser qp;
	int first = d ? d->nfields : 0;
	call_query_parser_init(&qp, q, a, self_user_id, d);
	if (filters && !json_is_null(filters)) {
		if (!json_is_object(filters))
			return err_field_add(d, "filters", "must be an object of list parameters");
		const char *k;
		json_t *v;
		json_object_foreach(filters, k, v) {
			if (!strcmp(k, "limit") || !strcmp(k, "cursor"))
				continue; /* every matching call, not a page */
			if (json_is_array(v)) {
				size_t i;
				json_t *e;
				json_array_foreach(v, i, e) one_param(&qp, k, e, d);
			} else {
				one_param(&qp, k, v, d);
			}
		}
	}
	enum err rc = call_query_finish(&qp);
	for (int i = first; d && i < d->nfields; i++) {
		char f[64];
		snprintf(f, sizeof f, "filters.%s", d->fields[i].field);
		memcpy(d->fields[i].field, f, sizeof f);
	}
	return rc;
}
