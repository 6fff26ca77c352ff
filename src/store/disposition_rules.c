/* SQL for the workspace's disposition rules (which call fields an outcome
 * requires), kept as a comma-separated list of rule_fields per disposition. */
#include <string.h>

#include "store/calls.h"
#include "store/calls_int.h"

static unsigned mask_parse(const char *csv)
{
	unsigned mask = 0;
	for (int i = 0; csv && rule_fields[i]; i++) {
		size_t n = strlen(rule_fields[i]);
		for (const char *p = csv; (p = strstr(p, rule_fields[i])) != NULL; p += n)
			if ((p == csv || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
				mask |= 1u << i;
	}
	return mask;
}

enum err store_disposition_rules_get(struct db *db, const char *workspace_id, unsigned masks[NDISPOSITIONS])
{
	static const char sql[] = "SELECT disposition, required_fields FROM disposition_rules WHERE workspace_id = ?";
	for (int i = 0; i < NDISPOSITIONS; i++)
		masks[i] = 0;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		int d = word_index(call_dispositions, db_col_text(st, 0));
		if (d >= 0)
			masks[d] = mask_parse(db_col_text(st, 1));
	}
	db_done(st);
	return rc;
}

enum err store_disposition_rule_set(struct db *db, const char *workspace_id, const char *disposition, unsigned mask,
				    int64_t now)
{
	static const char sql[] =
		"INSERT INTO disposition_rules (workspace_id, disposition, required_fields, updated_at) VALUES (?, ?, ?, ?)"
		" ON CONFLICT (workspace_id, disposition) DO UPDATE SET required_fields = excluded.required_fields,"
		" updated_at = excluded.updated_at";
	char csv[256] = "";
	size_t used = 0;
	for (int i = 0; rule_fields[i]; i++) {
		if (!(mask & (1u << i)))
			continue;
		size_t n = strlen(rule_fields[i]);
		if (used + n + 2 > sizeof csv)
			return ERR_TOO_LARGE;
		if (used)
			csv[used++] = ',';
		memcpy(csv + used, rule_fields[i], n + 1);
		used += n;
	}
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, disposition);
	db_bind_text(st, 3, csv);
	db_bind_int(st, 4, now);
	return db_run(st);
}

/* Adds each row's score (column 0 of st) to the count of its band. */
