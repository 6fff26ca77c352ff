/* Contacts and what links calls to them: /api/contacts/search,
 * /api/contacts/:id (GET, and PATCH of its time zone), and
 * /api/calls/:id/{link-contact,new-contact,link-job}.
 * Each handler checks its input into a typed form, hands it to the domain
 * (one transaction), then answers with the resource re-read. */
#include <string.h>

#include "api/call_json.h"
#include "api/handlers.h"
#include "api/input.h"
#include "core/ids.h"
#include "core/phone.h"
#include "domain/calls.h"
#include "domain/contacts.h"
#include "domain/jobs.h"
#include "store/model.h"

#define PHONE_RAW_MAX 40 /* bytes of a phone number as typed */

/* timeWindows as stored (a JSON array we wrote), or [] when it is anything else. */
static void write_time_windows(struct jw *w, const char *stored)
{
	json_t *v = stored ? json_loads(stored, JSON_REJECT_DUPLICATES, NULL) : NULL;
	jw_key(w, "timeWindows");
	if (json_is_array(v))
		jw_raw(w, stored, strlen(stored));
	else {
		jw_arr_begin(w);
		jw_arr_end(w);
	}
	json_decref(v);
}

static void write_strs(struct jw *w, const char *key, const char **v, int n)
{
	jw_key(w, key);
	jw_arr_begin(w);
	for (int i = 0; i < n; i++)
		jw_str(w, v[i]);
	jw_arr_end(w);
}

/* A Contact of the client contract, plus emails[], timeZone (the contact's
 * IANA zone or null) and updatedAt. */
static void contact_json_write(struct jw *w, const struct contact *c, const char *tz)
{
	jw_obj_begin(w);
	jw_kstr(w, "id", c->id);
	jw_kstr(w, "workspaceId", c->workspace_id);
	jw_kstr(w, "name", c->name);
	write_strs(w, "phones", c->phones, c->nphones);
	jw_kstr(w, "email", c->email);
	write_strs(w, "emails", c->emails, c->nemails);
	jw_kstr(w, "address", c->address);
	jw_kstr(w, "notes", c->notes);
	json_ktime_or_null(w, "lastSeenAt", c->last_seen_at);
	jw_kbool(w, "doNotContact", c->do_not_contact);
	jw_kstr(w, "preferredChannel", c->preferred_channel);
	write_time_windows(w, c->time_windows);
	jw_kstr(w, "timeZone", tz);
	jw_ktime_ms(w, "createdAt", c->created_at);
	jw_ktime_ms(w, "updatedAt", c->updated_at);
	jw_obj_end(w);
}

/* ?limit= as 1..max (default def); a field error otherwise. */
static int query_limit(struct req *r, int def, int max)
{
	const char *s = req_query(r, "limit");
	if (!s)
		return def;
	int v = 0;
	bool ok = *s != 0;
	for (const char *p = s; ok && *p; p++) {
		ok = *p >= '0' && *p <= '9' && v <= max;
		v = v * 10 + (*p - '0');
	}
	if (!ok || v < 1 || v > max) {
		err_field_add(&r->err, "limit", "must be a whole number between 1 and %d", max);
		return def;
	}
	return v;
}

enum err h_contacts_search(struct req *r)
{
	int limit = query_limit(r, CONTACT_SEARCH_LIMIT_DEFAULT, CONTACT_SEARCH_LIMIT_MAX);
	const char *q = req_query(r, "q");
	if (!q)
		err_field_add(&r->err, "q", "is required");
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct contact *rows;
	int n;
	if ((rc = contacts_search(r->db, &r->principal, q, limit, r->arena, &rows, &n, &r->err)) != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 16 * 1024, 4 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "contacts");
	jw_arr_begin(&w);
	for (int i = 0; i < n && rc == ERR_OK; i++) {
		const char *tz = NULL;
		if ((rc = contacts_time_zone(r->db, r->principal.workspace_id, rows[i].id, r->arena, &tz)) == ERR_OK)
			contact_json_write(&w, &rows[i], tz);
	}
	if (rc != ERR_OK) {
		jw_cleanup(&w);
		return rc;
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

/* { contact } with its time zone. */
static enum err reply_contact(struct req *r, const char *id)
{
	struct contact c;
	const char *tz = NULL;
	enum err rc = contacts_get(r->db, &r->principal, id, r->arena, &c, &r->err);
	if (rc == ERR_OK)
		rc = contacts_time_zone(r->db, r->principal.workspace_id, c.id, r->arena, &tz);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 2048, 1 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "contact");
	contact_json_write(&w, &c, tz);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_contact_get(struct req *r)
{
	return reply_contact(r, req_param(r, "id"));
}

/* "timeZone": an IANA zone name, or null to clear (set: true when given). */
static const char *read_time_zone(struct req *r, json_t *b, bool *set)
{
	json_t *v = json_object_get(b, "timeZone");
	*set = v != NULL;
	if (!v || json_is_null(v))
		return NULL;
	const char *s = json_string_value(v);
	if (!s || strlen(s) != json_string_length(v) || !contacts_tz_valid(s)) {
		err_field_add(&r->err, "timeZone", "must be an IANA time zone such as America/Chicago (or null)");
		return NULL;
	}
	return s;
}

/* PATCH /api/contacts/:id { timeZone }: the zone the compliance gate judges
 * the contact's quiet hours in (null: back to the number's area). */
enum err h_contact_patch(struct req *r)
{
	static const char *const keys[] = {"timeZone", NULL};
	json_t *b = req_body(r);
	const char *id = req_param(r, "id");
	input_known_keys(r, b, keys);
	bool set = false;
	const char *tz = read_time_zone(r, b, &set);
	if (!set && !r->err.nfields)
		err_field_add(&r->err, "timeZone", "is required (an IANA time zone, or null to clear)");
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	if (!id || !id_valid(id))
		return err_set(&r->err, ERR_NOT_FOUND, "no contact %s", id ? id : "");
	if ((rc = contacts_set_time_zone(r->db, &r->principal, id, tz, r->arena, &r->err)) != ERR_OK)
		return rc;
	return reply_contact(r, id);
}

/* The call as GET /api/calls/:id shows it: { call }. */
static enum err reply_call(struct req *r, const char *call_id)
{
	struct call c;
	enum err rc = calls_get(r->db, &r->principal, call_id, r->arena, &c, &r->err);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 8192, 4 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "call");
	call_json_write(&w, &c, true);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

/* An optional text field, trimmed; "" and blanks read as not given. */
static const char *opt_text(struct req *r, json_t *b, const char *key, size_t max)
{
	const char *s = NULL;
	if (!input_str(r, b, key, INPUT_OPTIONAL, max, &s))
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n ? arena_strndup(r->arena, s, n) : NULL;
}

/* "phones": an array of numbers in any common format, normalized to E.164. */
static void read_phones(struct req *r, json_t *b, struct contact_new *nc)
{
	json_t *v = json_object_get(b, "phones");
	if (!v || json_is_null(v))
		return;
	if (!json_is_array(v)) {
		err_field_add(&r->err, "phones", "must be an array of phone numbers");
		return;
	}
	size_t n = json_array_size(v);
	if (n > CONTACT_MAX_PHONES) {
		err_field_add(&r->err, "phones", "at most %d numbers", CONTACT_MAX_PHONES);
		return;
	}
	const char **out = arena_alloc(r->arena, sizeof *out * (n ? n : 1));
	if (!out) {
		err_field_add(&r->err, "phones", "could not be read");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(v, i);
		const char *raw = json_string_value(x);
		char e164[PHONE_E164_SIZE];
		if (!raw || json_string_length(x) > PHONE_RAW_MAX || strlen(raw) != json_string_length(x)) {
			err_field_add(&r->err, "phones", "item %zu must be a phone number of at most %d characters", i + 1,
				      PHONE_RAW_MAX);
			return;
		}
		if (phone_is_e164(raw)) {
			out[i] = arena_strdup(r->arena, raw);
		} else if (phone_normalize(raw, PHONE_DEFAULT_REGION, e164, sizeof e164) == ERR_OK) {
			out[i] = arena_strdup(r->arena, e164);
		} else {
			err_field_add(&r->err, "phones", "item %zu (\"%s\") is not a valid phone number", i + 1, raw);
			return;
		}
		if (!out[i]) {
			err_field_add(&r->err, "phones", "could not be read");
			return;
		}
	}
	nc->phones = out;
	nc->nphones = (int)n;
}

static void read_contact_form(struct req *r, json_t *b, struct contact_new *nc)
{
	memset(nc, 0, sizeof *nc);
	const char *name = NULL;
	if (input_str(r, b, "name", INPUT_REQUIRED, CONTACT_NAME_MAX, &name))
		nc->name = opt_text(r, b, "name", CONTACT_NAME_MAX);
	nc->email = opt_text(r, b, "email", CONTACT_EMAIL_MAX);
	nc->address = opt_text(r, b, "address", CONTACT_ADDRESS_MAX);
	bool tz_set;
	nc->time_zone = read_time_zone(r, b, &tz_set);
	read_phones(r, b, nc);
	if (name && !nc->name)
		err_field_add(&r->err, "name", "must not be blank");
}

/* A body id field: absent (false), or a well-formed id (true; a field error otherwise). */
static bool read_id(struct req *r, json_t *b, const char *key, const char **out)
{
	if (!input_str(r, b, key, INPUT_OPTIONAL, ID_LEN, out))
		return false;
	if (!id_valid(*out)) {
		*out = NULL;
		err_field_add(&r->err, key, "must be an id (a lower-case UUID)");
		return false;
	}
	return true;
}

/* True when any of keys is present and not null. */
static bool any_given(json_t *b, const char *const *keys)
{
	for (int i = 0; keys[i]; i++) {
		json_t *v = json_object_get(b, keys[i]);
		if (v && !json_is_null(v))
			return true;
	}
	return false;
}

static const char *const contact_form_keys[] = {"name", "email", "address", "phones", "timeZone", NULL};

static enum err link_contact(struct req *r, bool allow_existing)
{
	static const char *const keys[] = {"contactId", "name", "email", "address", "phones", "timeZone", NULL};
	json_t *b = req_body(r);
	const char *call_id = req_param(r, "id");
	const char *contact_id = NULL;
	struct contact_new nc;
	input_known_keys(r, b, allow_existing ? keys : contact_form_keys);
	bool existing = allow_existing && json_object_get(b, "contactId") && !json_is_null(json_object_get(b, "contactId"));
	if (existing) {
		read_id(r, b, "contactId", &contact_id);
		if (any_given(b, contact_form_keys))
			err_field_add(&r->err, "contactId", "links an existing contact: send it alone (its time zone is "
				      "set with PATCH /api/contacts/:id), or send name, email, address, phones and "
				      "timeZone without it to create one");
	} else {
		read_contact_form(r, b, &nc);
	}
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	rc = contacts_link_call(r->db, &r->principal, call_id, contact_id, existing ? NULL : &nc, r->arena, NULL,
				&r->err);
	return rc != ERR_OK ? rc : reply_call(r, call_id);
}

enum err h_call_link_contact(struct req *r)
{
	return link_contact(r, true);
}

enum err h_call_new_contact(struct req *r)
{
	return link_contact(r, false);
}

enum err h_call_link_job(struct req *r)
{
	static const char *const keys[] = {"jobId", "title", "status", "estimateCents", "slotStart", "slotEnd",
					   "address", "assignedTo", NULL};
	json_t *b = req_body(r);
	const char *call_id = req_param(r, "id");
	const char *job_id = NULL;
	struct job_new nj;
	job_new_init(&nj);
	input_known_keys(r, b, keys);
	bool existing = json_object_get(b, "jobId") && !json_is_null(json_object_get(b, "jobId"));
	if (existing) {
		read_id(r, b, "jobId", &job_id);
		if (any_given(b, keys + 1))
			err_field_add(&r->err, "jobId", "links an existing job: send it alone, or send title, status, "
				      "estimateCents, slotStart, slotEnd, address and assignedTo without it to create one");
	} else {
		const char *title = NULL;
		int status = 0;
		if (input_str(r, b, "title", INPUT_REQUIRED, JOB_TITLE_MAX, &title) &&
		    !(nj.title = opt_text(r, b, "title", JOB_TITLE_MAX)))
			err_field_add(&r->err, "title", "must not be blank");
		if (input_enum(r, b, "status", INPUT_OPTIONAL, job_statuses, &status))
			nj.status = job_statuses[status];
		input_int(r, b, "estimateCents", INPUT_OPTIONAL, 0, JOB_ESTIMATE_MAX, &nj.estimate_cents);
		input_time(r, b, "slotStart", INPUT_OPTIONAL, &nj.slot_start);
		input_time(r, b, "slotEnd", INPUT_OPTIONAL, &nj.slot_end);
		nj.address = opt_text(r, b, "address", JOB_ADDRESS_MAX);
		read_id(r, b, "assignedTo", &nj.assigned_to);
		if (input_result(r) == ERR_OK)
			jobs_new_check(&nj, &r->err);
	}
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	rc = jobs_link_call(r->db, &r->principal, call_id, job_id, existing ? NULL : &nj, r->arena, NULL, &r->err);
	return rc != ERR_OK ? rc : reply_call(r, call_id);
}
