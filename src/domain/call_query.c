/* Parsing the call list's parameters. */
#include "domain/call_query.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/phone.h"

enum kind { K_TIME_FROM, K_TIME_TO, K_SET, K_TAG, K_INT, K_BOOL, K_ID, K_SEARCH, K_FOLLOWUP, K_SPAM,
	    K_TRIAGE, K_SORT, K_ORDER, K_LIMIT, K_CURSOR, K_TOTAL, K_ASSIGNEE };

struct param {
	const char *name;
	enum kind kind;
	size_t off;                /* field in struct call_query */
	const char *const *words;  /* K_SET */
	bool repeatable;
};

#define Q(f) offsetof(struct call_query, f)
static const struct param params[] = {
	{"from", K_TIME_FROM, Q(from), NULL, false},
	{"to", K_TIME_TO, Q(to), NULL, false},
	{"intent", K_SET, Q(intent), call_intents, true},
	{"disposition", K_SET, Q(disposition), call_dispositions, true},
	{"agentType", K_SET, Q(agent_type), call_agent_types, true},
	{"source", K_SET, Q(source), call_sources, true},
	{"leadSource", K_SET, Q(lead_source), call_lead_sources, true},
	{"queueStatus", K_SET, Q(queue_status), call_queue_statuses, true},
	{"direction", K_SET, Q(direction), call_directions, true},
	{"status", K_SET, Q(status), call_statuses, true},
	{"assignedTo", K_ASSIGNEE, Q(assigned_to), NULL, true},
	{"tag", K_TAG, 0, NULL, true},
	{"valueMin", K_INT, Q(value_min), NULL, false},
	{"valueMax", K_INT, Q(value_max), NULL, false},
	{"minDuration", K_INT, Q(min_duration), NULL, false},
	{"maxDuration", K_INT, Q(max_duration), NULL, false},
	{"hasJob", K_BOOL, Q(has_job), NULL, false},
	{"hasRecording", K_BOOL, Q(has_recording), NULL, false},
	{"hasTranscript", K_BOOL, Q(has_transcript), NULL, false},
	{"dnc", K_BOOL, Q(dnc), NULL, false},
	{"outcomeRequired", K_BOOL, Q(outcome_required), NULL, false},
	{"afterHours", K_BOOL, Q(after_hours), NULL, false},
	{"firstTimeCaller", K_BOOL, Q(first_time_caller), NULL, false},
	{"numberId", K_ID, Q(number_id), NULL, false},
	{"contactId", K_ID, Q(contact_id), NULL, false},
	{"search", K_SEARCH, 0, NULL, false},
	{"followUp", K_FOLLOWUP, 0, NULL, false},
	{"spam", K_SPAM, 0, NULL, false},
	{"triageMode", K_TRIAGE, 0, NULL, false},
	{"sort", K_SORT, 0, NULL, false},
	{"order", K_ORDER, 0, NULL, false},
	{"limit", K_LIMIT, 0, NULL, false},
	{"cursor", K_CURSOR, 0, NULL, false},
	{"includeTotal", K_TOTAL, 0, NULL, false},
};
#undef Q
#define NPARAMS (sizeof params / sizeof params[0])

static const char *const sort_names[] = {"startedAt", "durationSec", "valueEstCents", "emergencyScore", NULL};
static const char *const followup_names[] = {"any", "none", "open", "overdue", "done", NULL};

void call_query_parser_init(struct call_query_parser *p, struct call_query *q, struct arena *a,
			    const char *self_user_id, struct err_detail *d)
{
	memset(p, 0, sizeof *p);
	p->q = q;
	p->a = a;
	p->self_user_id = self_user_id;
	p->d = d;
}

static bool parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "true"))
		*out = 1;
	else if (!strcmp(v, "false"))
		*out = 0;
	else
		return false;
	return true;
}

static bool parse_int(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return false;
	*out = n;
	return true;
}

static void set_add(struct call_query_parser *p, const struct param *pr, const char *v)
{
	struct str_set *s = (struct str_set *)(void *)((char *)p->q + pr->off);
	if (word_index(pr->words, v) < 0) {
		char words[256];
		word_list(pr->words, words, sizeof words);
		err_field_add(p->d, pr->name, "'%s' is not one of: %s", v, words);
		return;
	}
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], v))
			return;
	if (s->n >= CALLQ_MAX_VALUES) {
		err_field_add(p->d, pr->name, "at most %d values", CALLQ_MAX_VALUES);
		return;
	}
	s->v[s->n++] = pr->words[word_index(pr->words, v)];
}

static void tag_add(struct call_query_parser *p, const char *v)
{
	struct call_query *q = p->q;
	if (q->ntags >= CALLQ_MAX_TAGS) {
		err_field_add(p->d, "tag", "at most %d tags", CALLQ_MAX_TAGS);
		return;
	}
	size_t n = strlen(v);
	if (n > 64) {
		err_field_add(p->d, "tag", "a tag is at most 64 bytes");
		return;
	}
	char *t = arena_strndup(p->a, v, n);
	if (!t)
		return;
	for (char *c = t; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	q->tags[q->ntags++] = t;
}

/* An FTS5 phrase: the needle in double quotes, inner quotes doubled. */
static const char *fts_phrase(struct arena *a, const char *column, const char *needle)
{
	size_t n = strlen(needle), extra = 0;
	for (size_t i = 0; i < n; i++)
		extra += needle[i] == '"';
	size_t cl = strlen(column);
	char *out = arena_alloc(a, cl + n + extra + 8);
	if (!out)
		return NULL;
	char *o = out;
	memcpy(o, column, cl);
	o += cl;
	memcpy(o, " : \"", 4);
	o += 4;
	for (size_t i = 0; i < n; i++) {
		*o++ = needle[i];
		if (needle[i] == '"')
			*o++ = '"';
	}
	*o++ = '"';
	*o = 0;
	return out;
}

static const char *like_pattern(struct arena *a, const char *needle)
{
	size_t n = strlen(needle);
	char *out = arena_alloc(a, 2 * n + 3);
	if (!out)
		return NULL;
	char *o = out;
	*o++ = '%';
	for (size_t i = 0; i < n; i++) {
		if (needle[i] == '%' || needle[i] == '_' || needle[i] == '\\')
			*o++ = '\\';
		*o++ = needle[i];
	}
	*o++ = '%';
	*o = 0;
	return out;
}

static void search_set(struct call_query_parser *p, const char *raw)
{
	while (*raw == ' ')
		raw++;
	size_t n = strlen(raw);
	while (n && raw[n - 1] == ' ')
		n--;
	if (n == 0)
		return;
	if (n > 200) {
		err_field_add(p->d, "search", "at most 200 characters");
		return;
	}
	char *s = arena_strndup(p->a, raw, n);
	if (!s)
		return;
	bool phoneish = true;
	int ndigits = 0;
	for (const char *c = s; *c; c++) {
		if (isdigit((unsigned char)*c))
			ndigits++;
		else if (!strchr("+()-. ", *c))
			phoneish = false;
	}
	if (phoneish && ndigits >= 3) {
		char digits[256];
		phone_digits(s, digits, sizeof digits);
		p->q->search_digits = fts_phrase(p->a, "digits", digits);
	} else if (n >= 3) {
		p->q->search_text = fts_phrase(p->a, "words", s);
	} else {
		p->q->search_like = like_pattern(p->a, s);
	}
}

static void one(struct call_query_parser *p, const struct param *pr, const char *v)
{
	struct call_query *q = p->q;
	void *field = (char *)q + pr->off;
	int64_t n;
	int b;
	switch (pr->kind) {
	case K_TIME_FROM:
	case K_TIME_TO:
		if (!clock_parse_rfc3339(v, (int64_t *)field))
			err_field_add(p->d, pr->name, "must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z");
		break;
	case K_SET:
		set_add(p, pr, v);
		break;
	case K_ASSIGNEE: {
		struct str_set *s = field;
		const char *id = !strcmp(v, "me") ? p->self_user_id : v;
		if (!id_valid(id))
			err_field_add(p->d, pr->name, "must be a user id or 'me'");
		else if (s->n >= CALLQ_MAX_VALUES)
			err_field_add(p->d, pr->name, "at most %d values", CALLQ_MAX_VALUES);
		else
			s->v[s->n++] = arena_strdup(p->a, id);
		break;
	}
	case K_TAG:
		tag_add(p, v);
		break;
	case K_INT:
		if (!parse_int(v, 0, INT64_MAX / 2, &n))
			err_field_add(p->d, pr->name, "must be a whole number of 0 or more");
		else
			*(int64_t *)field = n;
		break;
	case K_BOOL:
		if (!parse_bool(v, (int *)field))
			err_field_add(p->d, pr->name, "must be true or false");
		break;
	case K_ID:
		if (!id_valid(v))
			err_field_add(p->d, pr->name, "must be an id");
		else
			*(const char **)field = arena_strdup(p->a, v);
		break;
	case K_SEARCH:
		search_set(p, v);
		break;
	case K_FOLLOWUP:
		if ((b = word_index(followup_names, v)) < 0)
			err_field_add(p->d, pr->name, "must be one of: none, open, overdue, done");
		else
			q->followup = (enum callq_followup)b;
		break;
	case K_SPAM:
		p->spam_given = true;
		if (!strcmp(v, "only"))
			q->spam = CALLQ_SPAM_ONLY;
		else if (parse_bool(v, &b))
			q->spam = b ? CALLQ_SPAM_INCLUDE : CALLQ_SPAM_EXCLUDE;
		else
			err_field_add(p->d, pr->name, "must be true, false or only");
		break;
	case K_TRIAGE:
		if (!parse_bool(v, &b))
			err_field_add(p->d, pr->name, "must be true or false");
		else
			q->triage = b;
		break;
	case K_SORT:
		if ((b = word_index(sort_names, v)) < 0)
			err_field_add(p->d, pr->name, "must be one of: startedAt, durationSec, valueEstCents, emergencyScore");
		else
			q->sort = (enum callq_sort)b;
		break;
	case K_ORDER:
		if (strcmp(v, "asc") && strcmp(v, "desc"))
			err_field_add(p->d, pr->name, "must be asc or desc");
		else
			q->asc = !strcmp(v, "asc");
		break;
	case K_LIMIT:
		if (!parse_int(v, 1, 100, &n))
			err_field_add(p->d, pr->name, "must be a whole number from 1 to 100");
		else
			q->limit = (int)n;
		break;
	case K_CURSOR:
		p->cursor = arena_strdup(p->a, v);
		break;
	case K_TOTAL:
		if (!parse_bool(v, &b))
			err_field_add(p->d, pr->name, "must be true or false");
		else
			q->include_total = b;
		break;
	}
}

void call_query_param(struct call_query_parser *p, const char *key, const char *value)
{
	for (size_t i = 0; i < NPARAMS; i++) {
		const struct param *pr = &params[i];
		if (strcmp(pr->name, key) != 0)
			continue;
		if (!value || !*value)
			return;
		if (!pr->repeatable) {
			if (p->seen & (UINT64_C(1) << i)) {
				err_field_add(p->d, key, "may be given only once");
				return;
			}
			p->seen |= UINT64_C(1) << i;
		}
		one(p, pr, value);
		return;
	}
	err_field_add(p->d, key, "is not a parameter of this list");
}

static bool has_word(const struct str_set *s, const char *w)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], w))
			return true;
	return false;
}

/* Cursor text: "<sort>.<asc>.<key>.<now>.<id>", base64url. */
void call_query_cursor(const struct call_query *q, int64_t key, const char *id, char *out, size_t n)
{
	char raw[128];
	int len = snprintf(raw, sizeof raw, "%d.%d.%" PRId64 ".%" PRId64 ".%s", (int)q->sort, q->asc ? 1 : 0, key,
			   q->now, id);
	if (len < 0 || !crypto_base64(raw, (size_t)len, out, n, true))
		out[0] = 0;
}

static int b64v(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '-') return 62;
	if (c == '_') return 63;
	return -1;
}

static bool cursor_decode(struct call_query *q, const char *s)
{
	char raw[160];
	size_t n = strlen(s), o = 0;
	unsigned acc = 0;
	int bits = 0;
	if (n > 200)
		return false;
	for (size_t i = 0; i < n; i++) {
		int v = b64v(s[i]);
		if (v < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= sizeof raw)
				return false;
			raw[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	raw[o] = 0;
	int sort, asc, used = 0;
	long long key, now;
	if (sscanf(raw, "%d.%d.%lld.%lld.%n", &sort, &asc, &key, &now, &used) != 4 || used <= 0)
		return false;
	const char *id = raw + used;
	if (sort != (int)q->sort || asc != (q->asc ? 1 : 0) || !id_valid(id))
		return false;
	q->has_cursor = true;
	q->cursor_key = key;
	q->now = now; /* triage scores stay comparable across pages */
	memcpy(q->cursor_id, id, ID_SIZE);
	return true;
}

enum err call_query_finish(struct call_query_parser *p)
{
	struct call_query *q = p->q;
	if (q->triage) {
		q->sort = CALLQ_SORT_TRIAGE;
		q->asc = false;
	}
	if (!p->spam_given && (has_word(&q->disposition, "spam") || has_word(&q->intent, "spam")))
		q->spam = CALLQ_SPAM_INCLUDE;
	if (q->from != I64_NULL && q->to != I64_NULL && q->from >= q->to)
		err_field_add(p->d, "to", "must be after from");
	if (q->value_min != I64_NULL && q->value_max != I64_NULL && q->value_min > q->value_max)
		err_field_add(p->d, "valueMax", "must not be below valueMin");
	if (q->min_duration != I64_NULL && q->max_duration != I64_NULL && q->min_duration > q->max_duration)
		err_field_add(p->d, "maxDuration", "must not be below minDuration");
	if (p->cursor && !cursor_decode(q, p->cursor))
		err_field_add(p->d, "cursor", "is not a cursor of this list and sort");
	return p->d->nfields ? ERR_INVALID : ERR_OK;
}
