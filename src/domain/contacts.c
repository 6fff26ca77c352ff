/* Contact rules: search text reading, row scope, and linking calls to contacts. */
#include "domain/contacts.h"

#include <string.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/jw.h"
#include "core/phone.h"
#include "domain/accounts.h"
#include "domain/audit.h"
#include "domain/calls.h"
#include "domain/compliance_zone.h"
#include "store/compliance.h"
#include "store/model.h"

/* Code points in s[0..n), or -1 when s is not valid UTF-8 (overlongs and
 * surrogates included) or holds a control character (line breaks and tabs
 * pass when lines is true). */
static int utf8_text(const char *s, size_t n, bool lines)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	int count = 0;
	while (p < end) {
		unsigned c = *p;
		int len;
		unsigned cp;
		if (c < 0x80) {
			if ((c < 0x20 && !(lines && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
				return -1;
			p++;
			count++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, cp = c & 0x07;
		} else {
			return -1;
		}
		if (end - p < len)
			return -1;
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		p += len;
		count++;
	}
	return count;
}

static int utf8_chars(const char *s, size_t n)
{
	return utf8_text(s, n, false);
}

/* s without leading and trailing blanks, as an arena copy (NULL stays NULL). */
static char *trimmed(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(a, s, n);
}

static bool phone_char(char ch)
{
	return (ch >= '0' && ch <= '9') || ch == ' ' || ch == '+' || ch == '-' || ch == '(' || ch == ')' || ch == '.';
}

/* Reads the search text into a query: a number (digits, and its E.164 form to
 * rank its owner first), or words (each of 3+ characters a substring to find),
 * or, under 3 characters, a name prefix. */
static enum err read_query(struct arena *a, const char *q, struct contact_query *cq, struct err_detail *d)
{
	char *t = trimmed(a, q);
	if (!t)
		return ERR_NOMEM;
	size_t n = strlen(t);
	if (n == 0)
		return err_field_add(d, "q", "is required");
	if (n > CONTACT_QUERY_MAX)
		return err_field_add(d, "q", "must be at most %d bytes", CONTACT_QUERY_MAX);
	int chars = utf8_chars(t, n);
	if (chars < 0)
		return err_field_add(d, "q", "must be text (UTF-8, no control characters)");
	if (chars < 3) {
		cq->prefix = t;
		return ERR_OK;
	}
	bool phoneish = true;
	for (size_t i = 0; i < n && phoneish; i++)
		phoneish = phone_char(t[i]);
	char digits[CONTACT_QUERY_MAX + 1];
	phone_digits(t, digits, sizeof digits);
	size_t nd = strlen(digits);
	if (phoneish && nd >= 3) {
		if (!(cq->digits = arena_strdup(a, digits)))
			return ERR_NOMEM;
		char e164[PHONE_E164_SIZE];
		if (phone_is_e164(t))
			cq->exact_e164 = t;
		else if (nd >= 8 && nd <= 15 && phone_normalize(t, PHONE_DEFAULT_REGION, e164, sizeof e164) == ERR_OK &&
			 !(cq->exact_e164 = arena_strdup(a, e164)))
			return ERR_NOMEM;
		return ERR_OK;
	}
	cq->prefix = t;
	char *words = arena_strdup(a, t);
	if (!words)
		return ERR_NOMEM;
	for (char *p = words; *p && cq->nterms < CONTACTQ_MAX_TERMS;) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		char *w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
		if (utf8_chars(w, strlen(w)) >= 3)
			cq->terms[cq->nterms++] = w;
	}
	if (cq->nterms == 0)
		cq->terms[cq->nterms++] = t; /* short words only ("Al B"): the whole text as one substring */
	return ERR_OK;
}

static const char *tech_of(const struct principal *p, enum action act)
{
	return authz_row_scoped(p->role, act) ? p->user_id : NULL;
}

enum err contacts_search(struct db *db, const struct principal *p, const char *q, int limit, struct arena *a,
			 struct contact **out, int *n, struct err_detail *d)
{
	*out = NULL;
	*n = 0;
	if (!authz_role_may(p->role, ACT_READ))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not read contacts", role_name(p->role));
	if (limit < 1 || limit > CONTACT_SEARCH_LIMIT_MAX)
		return err_field_add(d, "limit", "must be between 1 and %d", CONTACT_SEARCH_LIMIT_MAX);
	struct contact_query cq = {.workspace_id = p->workspace_id, .tech_user_id = tech_of(p, ACT_READ), .limit = limit};
	if (!q)
		return err_field_add(d, "q", "is required");
	enum err rc = read_query(a, q, &cq, d);
	if (rc != ERR_OK)
		return rc;
	return store_contacts_search(db, &cq, a, out, n);
}

enum err contacts_get(struct db *db, const struct principal *p, const char *contact_id, struct arena *a,
		      struct contact *out, struct err_detail *d)
{
	if (!authz_role_may(p->role, ACT_READ))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not read contacts", role_name(p->role));
	enum err rc = store_contact_get(db, p->workspace_id, contact_id, tech_of(p, ACT_READ), a, out);
	if (rc == ERR_NOT_FOUND)
		return err_set(d, rc, "no contact %s", contact_id);
	return rc;
}

static void check_text(const char *field, const char *s, size_t max, bool required, bool lines,
		       struct err_detail *d)
{
	if (!s || !*s) {
		if (required)
			err_field_add(d, field, "is required");
		return;
	}
	size_t n = strlen(s);
	if (n > max)
		err_field_add(d, field, "must be at most %zu bytes", max);
	else if (utf8_text(s, n, lines) < 0)
		err_field_add(d, field, "must be text without control characters");
}

enum err contacts_new_check(const struct contact_new *nc, struct err_detail *d)
{
	int before = d ? d->nfields : 0;
	check_text("name", nc->name, CONTACT_NAME_MAX, true, false, d);
	check_text("address", nc->address, CONTACT_ADDRESS_MAX, false, true, d);
	if (nc->email && *nc->email && !accounts_email_valid(nc->email))
		err_field_add(d, "email", "is not an e-mail address");
	if (nc->time_zone && !contacts_tz_valid(nc->time_zone))
		err_field_add(d, "timeZone", "must be an IANA time zone such as America/Chicago");
	if (nc->nphones > CONTACT_MAX_PHONES)
		err_field_add(d, "phones", "a contact is created with at most %d numbers", CONTACT_MAX_PHONES);
	for (int i = 0; i < nc->nphones && i <= CONTACT_MAX_PHONES; i++)
		if (!phone_is_e164(nc->phones[i])) {
			err_field_add(d, "phones", "number %d is not an E.164 phone number", i + 1);
			break;
		}
	return d && d->nfields > before ? ERR_INVALID : ERR_OK;
}

/* The customer's side of the call. */
static const char *caller_number(const struct call *c)
{
	const char *n = c->direction && strcmp(c->direction, "out") == 0 ? c->to_e164 : c->from_e164;
	return phone_is_e164(n) ? n : NULL; /* withheld or malformed numbers link nothing */
}

/* The numbers of the new contact: the caller's first, then the form's, without repeats. */
static int numbers_of(const char *caller, const struct contact_new *nc, struct arena *a, const char ***out)
{
	const char **v = arena_alloc(a, sizeof *v * (size_t)(nc->nphones + 1));
	if (!v)
		return -1;
	int k = 0;
	if (caller)
		v[k++] = caller;
	for (int i = 0; i < nc->nphones; i++) {
		bool dup = false;
		for (int j = 0; j < k && !dup; j++)
			dup = strcmp(v[j], nc->phones[i]) == 0;
		if (!dup)
			v[k++] = nc->phones[i];
	}
	*out = v;
	return k;
}

/* ERR_CONFLICT naming the contact that owns one of the numbers. A Tech is told
 * the owner only when the contact is theirs to see. */
static enum err check_owners(struct db *db, const struct principal *p, const char **phones, int n, struct arena *a,
			     struct err_detail *d)
{
	for (int i = 0; i < n; i++) {
		const char *id = NULL, *name = NULL;
		enum err rc = store_contact_phone_owner(db, p->workspace_id, phones[i], a, &id, &name);
		if (rc == ERR_NOT_FOUND)
			continue;
		if (rc != ERR_OK)
			return rc;
		const char *tech = tech_of(p, ACT_READ);
		struct contact seen;
		if (tech && store_contact_get(db, p->workspace_id, id, tech, a, &seen) != ERR_OK)
			return err_set(d, ERR_CONFLICT, "the number %s already belongs to another contact", phones[i]);
		return err_set(d, ERR_CONFLICT, "the number %s already belongs to contact \"%s\" (%s); link that contact instead",
			       phones[i], name ? name : "(no name)", id);
	}
	return ERR_OK;
}

/* Writes the new contact with its contact.created audit event. */
static enum err create_contact(struct db *db, const struct principal *p, const struct call *call,
			       const struct contact_new *nc, struct arena *a, const char **id_out, struct err_detail *d)
{
	int64_t now = clock_now_ms();
	char *id = arena_alloc(a, ID_SIZE);
	if (!id)
		return ERR_NOMEM;
	id_new_at(id, now);
	struct contact c = {
		.id = id, .workspace_id = p->workspace_id, .name = nc->name,
		.email = nc->email && *nc->email ? nc->email : NULL,
		.address = nc->address && *nc->address ? nc->address : NULL,
		.last_seen_at = call->started_at, .created_at = now, .updated_at = now,
	};
	c.nphones = numbers_of(caller_number(call), nc, a, &c.phones);
	if (c.nphones < 0)
		return ERR_NOMEM;
	enum err rc = check_owners(db, p, c.phones, c.nphones, a, d);
	if (rc != ERR_OK)
		return rc;
	if ((rc = store_contact_insert(db, &c)) == ERR_CONFLICT)
		return err_set(d, rc, "one of the numbers already belongs to another contact");
	if (rc != ERR_OK)
		return rc;
	if (nc->time_zone && (rc = store_contact_tz_set(db, p->workspace_id, id, nc->time_zone, now)) != ERR_OK)
		return rc;

	struct diff df;
	diff_init(&df);
	diff_str(&df, "name", NULL, c.name);
	diff_str(&df, "timeZone", NULL, nc->time_zone);
	diff_str(&df, "email", NULL, c.email);
	diff_str(&df, "address", NULL, c.address);
	diff_strs(&df, "phones", NULL, 0, c.phones, c.nphones);
	struct jw meta;
	jw_init(&meta, 256, 4096);
	jw_obj_begin(&meta);
	jw_kstr(&meta, "callId", call->id);
	jw_obj_end(&meta);
	struct actor actor = actor_of(p, SRC_API);
	const char *diff = diff_json(&df);
	const char *metadata = jw_cstr(&meta);
	rc = diff && metadata ? ERR_OK : ERR_NOMEM;
	if (rc == ERR_OK)
		rc = audit_record(db, &actor, "contact.created", "contact", id, diff, metadata);
	jw_cleanup(&meta);
	diff_cleanup(&df);
	*id_out = id;
	return rc;
}

/* Audit and announce the calls that got the contact because they share its number. */
static enum err announce_filled(struct db *db, const struct principal *p, const char *via_call, const char *contact_id,
				const char **ids, int n)
{
	struct actor actor = actor_of(p, SRC_API);
	struct diff df;
	struct jw meta, ev;
	diff_init(&df);
	diff_str(&df, "contactId", NULL, contact_id);
	const char *diff = diff_json(&df);
	jw_init(&meta, 256, 4096);
	jw_obj_begin(&meta);
	jw_kstr(&meta, "viaCallId", via_call);
	jw_kstr(&meta, "reason", "same number");
	jw_obj_end(&meta);
	jw_init(&ev, 512, 8192);
	const char *metadata = jw_cstr(&meta);
	enum err rc = diff && metadata ? ERR_OK : ERR_NOMEM;
	for (int i = 0; rc == ERR_OK && i < n; i++) {
		rc = audit_record(db, &actor, "call.contact_linked", "call", ids[i], diff, metadata);
		if (rc != ERR_OK)
			break;
		jw_reset(&ev);
		jw_obj_begin(&ev);
		jw_kstr(&ev, "callId", ids[i]);
		jw_kstr(&ev, "action", "call.contact_linked");
		jw_key(&ev, "changes");
		jw_raw(&ev, diff, strlen(diff));
		jw_obj_end(&ev);
		const char *payload = jw_cstr(&ev);
		rc = payload ? events_emit(db, p->workspace_id, "call_updated", ids[i], payload) : jw_error(&ev);
	}
	jw_cleanup(&ev);
	jw_cleanup(&meta);
	diff_cleanup(&df);
	return rc;
}

/* Steps between calls_edit_begin and calls_edit_commit; the caller aborts on error. */
static enum err link_steps(struct db *db, const struct principal *p, const struct call *call, const char *contact_id,
			   const struct contact_new *nc, struct arena *a, const char **cid, int *filled,
			   struct err_detail *d)
{
	enum err rc;
	if (contact_id) {
		struct contact c;
		rc = store_contact_get(db, p->workspace_id, contact_id, tech_of(p, ACT_READ), a, &c);
		if (rc == ERR_NOT_FOUND)
			return err_set(d, rc, "no contact %s", contact_id);
		if (rc != ERR_OK)
			return rc;
		*cid = c.id;
		if ((rc = store_contact_seen(db, p->workspace_id, c.id, call->started_at)) != ERR_OK)
			return rc;
	} else if ((rc = create_contact(db, p, call, nc, a, cid, d)) != ERR_OK) {
		return rc;
	}
	const char *number = caller_number(call);
	const char **ids = NULL;
	*filled = 0;
	if (!number)
		return ERR_OK;
	int64_t latest;
	rc = store_calls_contact_fill(db, p->workspace_id, number, *cid, call->id, clock_now_ms(), a, &ids, filled,
				      &latest);
	if (rc == ERR_OK && latest != I64_NULL)
		rc = store_contact_seen(db, p->workspace_id, *cid, latest);
	if (rc == ERR_OK)
		rc = announce_filled(db, p, call->id, *cid, ids, *filled);
	return rc;
}

enum err contacts_link_call(struct db *db, const struct principal *p, const char *call_id, const char *contact_id,
			    const struct contact_new *nc, struct arena *a, const char **contact_id_out,
			    struct err_detail *d)
{
	if (!contact_id) {
		enum err rc = nc ? contacts_new_check(nc, d) : err_field_add(d, "name", "is required");
		if (rc != ERR_OK)
			return rc;
	}
	struct call before, after;
	enum err rc = calls_edit_begin(db, p, call_id, a, &before, d);
	if (rc != ERR_OK)
		return rc;
	const char *cid = NULL;
	int filled = 0;
	if ((rc = link_steps(db, p, &before, contact_id, nc, a, &cid, &filled, d)) != ERR_OK) {
		calls_edit_abort(db);
		return rc;
	}
	struct jw meta;
	jw_init(&meta, 256, 4096);
	jw_obj_begin(&meta);
	jw_kstr(&meta, "contactId", cid);
	jw_kbool(&meta, "contactCreated", contact_id == NULL);
	jw_kint(&meta, "otherCallsLinked", filled);
	jw_obj_end(&meta);
	const char *metadata = jw_cstr(&meta);
	if (!metadata) {
		rc = jw_error(&meta);
		jw_cleanup(&meta);
		calls_edit_abort(db);
		return rc;
	}
	after = before;
	after.contact_id = cid;
	struct actor actor = actor_of(p, SRC_API);
	rc = calls_edit_commit(db, &actor, "call.contact_linked", &before, &after, metadata, NULL, d);
	jw_cleanup(&meta);
	if (rc == ERR_OK && contact_id_out)
		*contact_id_out = cid;
	return rc;
}

bool contacts_tz_valid(const char *name)
{
	return name && *name && strlen(name) <= CONTACT_TZ_MAX && quiet_zone_valid(name);
}

enum err contacts_time_zone(struct db *db, const char *workspace_id, const char *contact_id, struct arena *a,
			    const char **tz)
{
	struct contact_compliance cc;
	enum err rc = store_contact_compliance_get(db, workspace_id, contact_id, a, &cc);
	*tz = rc == ERR_OK ? cc.time_zone : NULL;
	return rc;
}

enum err contacts_set_time_zone(struct db *db, const struct principal *p, const char *contact_id, const char *tz,
				struct arena *a, struct err_detail *d)
{
	if (!authz_role_may(p->role, ACT_EDIT))
		return err_set(d, ERR_FORBIDDEN, "the %s role may not edit contacts", role_name(p->role));
	if (tz && !contacts_tz_valid(tz))
		return err_field_add(d, "timeZone", "must be an IANA time zone such as America/Chicago");
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	struct contact c;
	const char *old = NULL;
	rc = store_contact_get(db, p->workspace_id, contact_id, tech_of(p, ACT_EDIT), a, &c);
	if (rc == ERR_NOT_FOUND)
		err_set(d, rc, "no contact %s", contact_id);
	if (rc == ERR_OK)
		rc = contacts_time_zone(db, p->workspace_id, contact_id, a, &old);
	bool same = (!old && !tz) || (old && tz && !strcmp(old, tz));
	if (rc == ERR_OK && !same)
		rc = store_contact_tz_set(db, p->workspace_id, contact_id, tz, clock_now_ms());
	if (rc == ERR_OK && !same) {
		struct diff df;
		diff_init(&df);
		diff_str(&df, "timeZone", old, tz);
		const char *diff = diff_json(&df);
		struct actor actor = actor_of(p, SRC_API);
		rc = diff ? audit_record(db, &actor, "contact.updated", "contact", contact_id, diff, NULL) : ERR_NOMEM;
		diff_cleanup(&df);
	}
	if (rc == ERR_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	return rc;
}
