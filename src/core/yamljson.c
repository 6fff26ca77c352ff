/* YAML to JSON (see yamljson.h). Owns: the recursive walk over libyaml's
 * event stream, the YAML 1.2 core-schema resolution of plain scalars, the tag
 * rules, and error messages that carry a line and column. */
#include "core/yamljson.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define TAG_STR YAML_STR_TAG
#define TAG_NULL YAML_NULL_TAG
#define TAG_BOOL YAML_BOOL_TAG
#define TAG_INT YAML_INT_TAG
#define TAG_FLOAT YAML_FLOAT_TAG
#define TAG_SEQ YAML_SEQ_TAG
#define TAG_MAP YAML_MAP_TAG
#define TAG_NONSPECIFIC "!"

/* What a scalar resolves to. */
enum kind { K_ANY, K_STR, K_NULL, K_BOOL, K_INT, K_FLOAT };

struct walk {
	yaml_parser_t parser;
	struct err_detail *d;
	int depth; /* collections currently open */
};

static enum err node(struct walk *w, const yaml_event_t *ev, json_t **out);

/* ERR_INVALID with the position of m (libyaml counts from 0). */
static enum err fail_at(struct walk *w, const yaml_mark_t *m, const char *msg)
{
	return err_set(w->d, ERR_INVALID, "line %zu, column %zu: %s", m->line + 1, m->column + 1, msg);
}

static enum err nomem(struct walk *w)
{
	return err_set(w->d, ERR_NOMEM, "out of memory converting YAML");
}

/* Turns the parser's recorded failure into an error code and a sentence. */
static enum err parser_fail(struct walk *w)
{
	const yaml_parser_t *p = &w->parser;
	const char *problem = p->problem ? p->problem : "invalid YAML";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return nomem(w);
	case YAML_READER_ERROR:
		/* The reader knows only a byte offset, not a line. */
		return err_set(w->d, ERR_INVALID, "byte %zu: %s", p->problem_offset, problem);
	default:
		break;
	}
	if (p->context)
		return err_set(w->d, ERR_INVALID, "line %zu, column %zu: %s (%s at line %zu, column %zu)",
			       p->problem_mark.line + 1, p->problem_mark.column + 1, problem, p->context,
			       p->context_mark.line + 1, p->context_mark.column + 1);
	return fail_at(w, &p->problem_mark, problem);
}

/* Reads the next event into ev, which the caller then owns (yaml_event_delete). */
static enum err next(struct walk *w, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&w->parser, ev))
		return parser_fail(w);
	return ERR_OK;
}

/* Reads the next event and requires it to be of type t; msg says why not. */
static enum err expect(struct walk *w, yaml_event_type_t t, const char *msg)
{
	yaml_event_t ev;
	enum err rc = next(w, &ev);

	if (rc != ERR_OK)
		return rc;
	if (ev.type != t)
		rc = fail_at(w, &ev.start_mark, msg);
	yaml_event_delete(&ev);
	return rc;
}

static bool is_digit(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0' < base;
	if (base == 16)
		return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	return false;
}

/* Skips a run of digits of base; returns how many. */
static size_t digits(const char **p, const char *end, int base)
{
	const char *s = *p;

	while (*p < end && is_digit(**p, base))
		(*p)++;
	return (size_t)(*p - s);
}

static bool is_one_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(s, *words, n) == 0)
			return true;
	return false;
}

/* Core-schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
 * (integers match too; the caller tests for them first). */
static bool is_float(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	size_t whole;

	if (p < end && (*p == '-' || *p == '+'))
		p++;
	whole = digits(&p, end, 10);
	if (p < end && *p == '.') {
		p++;
		if (digits(&p, end, 10) == 0 && whole == 0)
			return false;
	} else if (whole == 0) {
		return false;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			p++;
		if (digits(&p, end, 10) == 0)
			return false;
	}
	return p == end;
}

/* Which core-schema type the text of a plain scalar belongs to. */
static enum kind classify(const char *s, size_t n)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL", NULL };
	static const char *const bools[] = { "true", "True", "TRUE", "false", "False", "FALSE", NULL };
	static const char *const specials[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
						"-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL };
	const char *p = s, *end = s + n;

	if (n == 0 || is_one_of(s, n, nulls))
		return K_NULL;
	if (is_one_of(s, n, bools))
		return K_BOOL;
	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		p += 2;
		if (digits(&p, end, s[1] == 'o' ? 8 : 16) > 0 && p == end)
			return K_INT;
		return K_STR;
	}
	if (p < end && (*p == '-' || *p == '+'))
		p++;
	if (digits(&p, end, 10) > 0 && p == end)
		return K_INT;
	if (is_float(s, n) || is_one_of(s, n, specials))
		return K_FLOAT;
	return K_STR;
}

/* Integer value of text that classify() called K_INT. s is NUL-terminated. */
static enum err make_int(struct walk *w, const yaml_event_t *ev, const char *s, json_t **out)
{
	json_int_t v;
	char *end;

	errno = 0;
	if (s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		unsigned long long u = strtoull(s + 2, &end, s[1] == 'o' ? 8 : 16);

		if (errno == 0 && u > (unsigned long long)LLONG_MAX)
			errno = ERANGE;
		v = (json_int_t)u;
	} else {
		v = strtoll(s, &end, 10);
	}
	if (errno == ERANGE)
		return fail_at(w, &ev->start_mark, "integer out of range");
	if (*end != '\0')
		return fail_at(w, &ev->start_mark, "malformed integer");
	*out = json_integer(v);
	return *out ? ERR_OK : nomem(w);
}

/* Real value of text that classify() called K_FLOAT. s is NUL-terminated. */
static enum err make_real(struct walk *w, const yaml_event_t *ev, const char *s, json_t **out)
{
	double v;
	char *end;

	if (strchr(s, 'i') || strchr(s, 'I') || strchr(s, 'n') || strchr(s, 'N'))
		return fail_at(w, &ev->start_mark, ".inf and .nan have no JSON form");
	v = strtod(s, &end);
	if (*end != '\0')
		return fail_at(w, &ev->start_mark, "malformed number");
	if (!isfinite(v))
		return fail_at(w, &ev->start_mark, "number out of range");
	*out = json_real(v);
	return *out ? ERR_OK : nomem(w);
}

/* The kind an explicit tag asks for: K_ANY for none (resolve plain text),
 * K_STR for quoted text or "!"/!!str. ERR_INVALID for tags we do not know. */
static enum err scalar_kind(struct walk *w, const yaml_event_t *ev, enum kind *want)
{
	static const struct {
		const char *tag;
		enum kind kind;
	} tags[] = {
		{ TAG_NONSPECIFIC, K_STR }, { TAG_STR, K_STR },	    { TAG_NULL, K_NULL },
		{ TAG_BOOL, K_BOOL },	    { TAG_INT, K_INT },	    { TAG_FLOAT, K_FLOAT },
	};
	const char *tag = (const char *)ev->data.scalar.tag;

	if (tag == NULL) {
		*want = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? K_ANY : K_STR;
		return ERR_OK;
	}
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		if (strcmp(tag, tags[i].tag) == 0) {
			*want = tags[i].kind;
			return ERR_OK;
		}
	}
	return err_set(w->d, ERR_INVALID, "line %zu, column %zu: unsupported tag %.64s",
		       ev->start_mark.line + 1, ev->start_mark.column + 1, tag);
}

/* A scalar event to a JSON scalar. */
static enum err scalar(struct walk *w, const yaml_event_t *ev, json_t **out)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	enum kind want = K_ANY, got;
	enum err rc;

	rc = scalar_kind(w, ev, &want);
	if (rc != ERR_OK)
		return rc;
	if (want == K_STR) {
		/* libyaml guarantees valid UTF-8, so NULL can only mean no memory. */
		*out = json_stringn(s, n);
		return *out ? ERR_OK : nomem(w);
	}
	got = classify(s, n);
	if (want == K_FLOAT && got == K_INT) {
		/* !!float 1 is 1.0; read it as an integer first so 0o/0x work. */
		json_t *i;
		json_int_t v;

		rc = make_int(w, ev, s, &i);
		if (rc != ERR_OK)
			return rc;
		v = json_integer_value(i);
		json_decref(i);
		*out = json_real((double)v);
		return *out ? ERR_OK : nomem(w);
	}
	if (want != K_ANY && got != want)
		return fail_at(w, &ev->start_mark, "value does not match its tag");
	switch (got) {
	case K_NULL:
		*out = json_null();
		return ERR_OK;
	case K_BOOL:
		*out = json_boolean(s[0] == 't' || s[0] == 'T');
		return ERR_OK;
	case K_INT:
		return make_int(w, ev, s, out);
	case K_FLOAT:
		return make_real(w, ev, s, out);
	default:
		*out = json_stringn(s, n);
		return *out ? ERR_OK : nomem(w);
	}
}

/* Checks a collection's tag and the nesting limit; on ERR_OK the caller must
 * decrement w->depth when the collection ends. */
static enum err enter(struct walk *w, const yaml_event_t *ev, const char *tag, const char *core_tag)
{
	if (tag != NULL && strcmp(tag, TAG_NONSPECIFIC) != 0 && strcmp(tag, core_tag) != 0)
		return err_set(w->d, ERR_INVALID, "line %zu, column %zu: unsupported tag %.64s",
			       ev->start_mark.line + 1, ev->start_mark.column + 1, tag);
	if (w->depth >= YAMLJSON_MAX_DEPTH)
		return fail_at(w, &ev->start_mark, "nested too deeply");
	w->depth++;
	return ERR_OK;
}

/* The events after SEQUENCE-START up to its SEQUENCE-END, as an array. */
static enum err sequence(struct walk *w, const yaml_event_t *start, json_t **out)
{
	yaml_event_t ev;
	json_t *arr = NULL, *item;
	enum err rc;

	rc = enter(w, start, (const char *)start->data.sequence_start.tag, TAG_SEQ);
	if (rc != ERR_OK)
		return rc;
	arr = json_array();
	if (arr == NULL) {
		rc = nomem(w);
		goto out;
	}
	for (;;) {
		rc = next(w, &ev);
		if (rc != ERR_OK)
			goto out;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		rc = node(w, &ev, &item);
		yaml_event_delete(&ev);
		if (rc != ERR_OK)
			goto out;
		/* _new steals item even when it fails. */
		if (json_array_append_new(arr, item) != 0) {
			rc = nomem(w);
			goto out;
		}
	}
	*out = arr;
	arr = NULL;
out:
	w->depth--;
	json_decref(arr);
	return rc;
}

/* Checks that ev can be a key of obj: a scalar without NUL, not there yet. */
static enum err check_key(struct walk *w, const yaml_event_t *ev, const json_t *obj)
{
	const char *key;

	if (ev->type != YAML_SCALAR_EVENT)
		return fail_at(w, &ev->start_mark, "mapping keys must be scalars");
	key = (const char *)ev->data.scalar.value;
	if (strlen(key) != ev->data.scalar.length)
		return fail_at(w, &ev->start_mark, "mapping key contains a NUL character");
	if (json_object_get(obj, key) != NULL)
		return err_set(w->d, ERR_INVALID, "line %zu, column %zu: duplicate key \"%.64s\"",
			       ev->start_mark.line + 1, ev->start_mark.column + 1, key);
	return ERR_OK;
}

/* One key and its value, starting with the key event kev (borrowed). */
static enum err pair(struct walk *w, const yaml_event_t *kev, json_t *obj)
{
	yaml_event_t vev;
	json_t *val;
	enum err rc;

	rc = check_key(w, kev, obj);
	if (rc != ERR_OK)
		return rc;
	rc = next(w, &vev);
	if (rc != ERR_OK)
		return rc;
	rc = node(w, &vev, &val);
	yaml_event_delete(&vev);
	if (rc != ERR_OK)
		return rc;
	/* _new steals val even when it fails. */
	if (json_object_set_new(obj, (const char *)kev->data.scalar.value, val) != 0)
		return nomem(w);
	return ERR_OK;
}

/* The events after MAPPING-START up to its MAPPING-END, as an object. */
static enum err mapping(struct walk *w, const yaml_event_t *start, json_t **out)
{
	yaml_event_t kev;
	json_t *obj = NULL;
	enum err rc;

	rc = enter(w, start, (const char *)start->data.mapping_start.tag, TAG_MAP);
	if (rc != ERR_OK)
		return rc;
	obj = json_object();
	if (obj == NULL) {
		rc = nomem(w);
		goto out;
	}
	for (;;) {
		rc = next(w, &kev);
		if (rc != ERR_OK)
			goto out;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		rc = pair(w, &kev, obj);
		yaml_event_delete(&kev);
		if (rc != ERR_OK)
			goto out;
	}
	*out = obj;
	obj = NULL;
out:
	w->depth--;
	json_decref(obj);
	return rc;
}

/* Converts the node that ev starts; ev is borrowed (the caller deletes it). */
static enum err node(struct walk *w, const yaml_event_t *ev, json_t **out)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return scalar(w, ev, out);
	case YAML_SEQUENCE_START_EVENT:
		return sequence(w, ev, out);
	case YAML_MAPPING_START_EVENT:
		return mapping(w, ev, out);
	case YAML_ALIAS_EVENT:
		return fail_at(w, &ev->start_mark, "aliases are not supported");
	default:
		return fail_at(w, &ev->start_mark, "unexpected YAML event");
	}
}

enum err yamljson_parse(const char *yaml, size_t len, json_t **out, struct err_detail *d)
{
	struct walk w = { .d = d };
	yaml_event_t ev;
	json_t *root = NULL;
	bool have_ev = false;
	enum err rc;

	*out = NULL;
	if (yaml == NULL && len > 0)
		return err_set(d, ERR_INVALID, "no YAML text");
	if (!yaml_parser_initialize(&w.parser))
		return nomem(&w);
	yaml_parser_set_input_string(&w.parser, (const unsigned char *)(yaml ? yaml : ""), len);

	rc = expect(&w, YAML_STREAM_START_EVENT, "unexpected YAML event");
	if (rc != ERR_OK)
		goto out;
	rc = next(&w, &ev);
	if (rc != ERR_OK)
		goto out;
	have_ev = true;
	if (ev.type == YAML_STREAM_END_EVENT) {
		/* Nothing but comments or white space: the empty node, null. */
		root = json_null();
		goto done;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		rc = fail_at(&w, &ev.start_mark, "unexpected YAML event");
		goto out;
	}
	yaml_event_delete(&ev);
	have_ev = false;

	rc = next(&w, &ev);
	if (rc != ERR_OK)
		goto out;
	have_ev = true;
	rc = node(&w, &ev, &root);
	if (rc != ERR_OK)
		goto out;
	rc = expect(&w, YAML_DOCUMENT_END_EVENT, "unexpected YAML event");
	if (rc != ERR_OK)
		goto out;
	rc = expect(&w, YAML_STREAM_END_EVENT, "more than one document");
	if (rc != ERR_OK)
		goto out;
done:
	*out = root;
	root = NULL;
out:
	if (have_ev)
		yaml_event_delete(&ev);
	json_decref(root);
	yaml_parser_delete(&w.parser);
	return rc;
}
