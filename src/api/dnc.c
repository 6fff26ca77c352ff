/* The do-not-contact list:
 *	POST/PATCH/DELETE /api/contacts/:id/dnc
 *	    { reason?, channels?: ["call","sms"], expiresAt?, source? } -> { dnc }
 *	GET  /api/dnc/import             the workspace list as CSV (?format=json: its status)
 *	POST /api/dnc/import             CSV upload (text/csv body, or multipart/form-data
 *	                                 with a "file" part); ?source=registry&registryDate=
 *	    -> { imported, updated, invalid, invalidLines: [{ line, error }], warnings, status } */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/call_json.h"
#include "api/handlers.h"
#include "api/input.h"
#include "core/clock.h"
#include "core/ids.h"
#include "domain/dnc.h"
#include "store/model.h"

static void dnc_json(struct jw *w, const struct contact_dnc *c)
{
	jw_obj_begin(w);
	jw_kstr(w, "contactId", c->contact_id);
	jw_kbool(w, "doNotContact", c->do_not_contact);
	jw_kbool(w, "listed", c->listed);
	jw_key(w, "channels");
	jw_arr_begin(w);
	if (c->listed && (c->channels & DNC_CALL))
		jw_str(w, "call");
	if (c->listed && (c->channels & DNC_SMS))
		jw_str(w, "sms");
	jw_arr_end(w);
	jw_kstr(w, "reason", c->listed ? c->reason : NULL);
	jw_kstr(w, "source", c->listed ? c->source : NULL);
	if (c->listed && c->expires_at)
		jw_ktime_ms(w, "expiresAt", c->expires_at);
	else
		jw_knull(w, "expiresAt");
	jw_key(w, "numbers");
	jw_arr_begin(w);
	for (int i = 0; i < c->nnumbers; i++)
		jw_str(w, c->numbers[i]);
	jw_arr_end(w);
	if (c->updated_at)
		jw_ktime_ms(w, "updatedAt", c->updated_at);
	jw_obj_end(w);
}

static enum err reply_dnc(struct req *r, const struct contact_dnc *c)
{
	struct jw w;
	jw_init(&w, 1024, 1 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "dnc");
	dnc_json(&w, c);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

static void body_channels(struct req *r, json_t *b, struct dnc_input *in)
{
	json_t *v = json_object_get(b, "channels");
	if (!v)
		return;
	size_t i;
	json_t *x;
	if (!json_is_array(v) || json_array_size(v) == 0) {
		err_field_add(&r->err, "channels", "must be a non-empty array of \"call\" and \"sms\"");
		return;
	}
	json_array_foreach(v, i, x) {
		const char *s = json_string_value(x);
		if (s && !strcmp(s, "call"))
			in->channels |= DNC_CALL;
		else if (s && !strcmp(s, "sms"))
			in->channels |= DNC_SMS;
		else {
			err_field_add(&r->err, "channels", "must hold only \"call\" and \"sms\"");
			return;
		}
	}
}

static enum err body_input(struct req *r, json_t *b, struct dnc_input *in)
{
	static const char *const keys[] = {"reason", "channels", "expiresAt", "source", NULL};
	memset(in, 0, sizeof *in);
	if (!b)
		return ERR_OK;
	input_known_keys(r, b, keys);
	json_t *v = json_object_get(b, "reason");
	in->set_reason = input_str(r, b, "reason", INPUT_OPTIONAL, DNC_REASON_MAX, &in->reason) || (v && json_is_null(v));
	body_channels(r, b, in);
	v = json_object_get(b, "expiresAt");
	in->set_expires = input_time(r, b, "expiresAt", INPUT_OPTIONAL, &in->expires_at) || (v && json_is_null(v));
	if (v && json_is_null(v))
		in->expires_at = 0;
	int i;
	if (json_object_get(b, "source") && json_is_null(json_object_get(b, "source")))
		err_field_add(&r->err, "source", "must not be null");
	if (input_enum(r, b, "source", INPUT_OPTIONAL, dnc_sources, &i))
		in->source = dnc_sources[i];
	return input_result(r);
}

static enum err put(struct req *r, bool replace)
{
	struct dnc_input in;
	enum err rc = body_input(r, req_body(r), &in);
	if (rc != ERR_OK)
		return rc;
	const char *id = req_param(r, "id");
	if (!id || !id_valid(id))
		return err_set(&r->err, ERR_NOT_FOUND, "no contact %s", id ? id : "");
	struct contact_dnc out;
	if ((rc = dnc_contact_put(r->db, &r->principal, id, &in, replace, r->arena, &out, &r->err)) != ERR_OK)
		return rc;
	return reply_dnc(r, &out);
}

enum err h_contact_dnc_post(struct req *r)
{
	return put(r, true);
}

enum err h_contact_dnc_patch(struct req *r)
{
	return put(r, false);
}

enum err h_contact_dnc_delete(struct req *r)
{
	const char *id = req_param(r, "id");
	if (!id || !id_valid(id))
		return err_set(&r->err, ERR_NOT_FOUND, "no contact %s", id ? id : "");
	enum err rc = dnc_contact_delete(r->db, &r->principal, id, r->arena, &r->err);
	return rc != ERR_OK ? rc : reply_none(r);
}

static void status_json(struct jw *w, const struct dnc_status *s)
{
	jw_key(w, "warnings");
	jw_arr_begin(w);
	for (int i = 0; i < s->nwarnings; i++)
		jw_str(w, s->warnings[i]);
	jw_arr_end(w);
	jw_key(w, "status");
	jw_obj_begin(w);
	jw_kint(w, "entries", s->entries);
	json_ktime_or_null(w, "lastImportAt", s->last_import_at ? s->last_import_at : I64_NULL);
	json_ktime_or_null(w, "lastRegistryImportAt", s->last_registry_at ? s->last_registry_at : I64_NULL);
	json_ktime_or_null(w, "registryDate", s->registry_date ? s->registry_date : I64_NULL);
	jw_kint(w, "registryMaxAgeDays", DNC_REGISTRY_MAX_AGE_DAYS);
	jw_obj_end(w);
}

enum err h_dnc_export(struct req *r)
{
	const char *format = req_query(r, "format");
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return err_field_add(&r->err, "format", "must be csv or json");
	struct dnc_status st;
	enum err rc = dnc_status_get(r->db, r->principal.workspace_id, clock_now_ms(), r->arena, &st);
	if (rc != ERR_OK)
		return rc;
	if (format && !strcmp(format, "json")) {
		struct jw w;
		jw_init(&w, 1024, 65536);
		jw_obj_begin(&w);
		status_json(&w, &st);
		jw_obj_end(&w);
		return reply_jw(r, &w);
	}
	struct buf b;
	buf_init(&b, DNC_EXPORT_MAX);
	if ((rc = dnc_export(r->db, r->principal.workspace_id, &b)) != ERR_OK) {
		buf_cleanup(&b);
		return rc;
	}
	req_add_header(r, "Content-Disposition", "attachment; filename=\"dnc.csv\"");
	if (st.nwarnings)
		req_add_header(r, "X-Switchboard-Warning", st.warnings[0]);
	size_t len = b.len;
	char *data = b.data;
	if (!data) {
		buf_cleanup(&b);
		return ERR_NOMEM;
	}
	return reply_bytes(r, "text/csv; charset=utf-8", data, len);
}

/* The "file" part (or the first part with a filename) of a multipart body. */
static enum err multipart_file(struct req *r, const char *type, const char **data, size_t *len)
{
	const char *bp = strstr(type, "boundary=");
	if (!bp)
		return err_field_add(&r->err, "file", "multipart body without a boundary");
	bp += 9;
	char boundary[80] = "--";
	size_t bn = 0;
	bool q = *bp == '"';
	if (q)
		bp++;
	while (bp[bn] && bn < 72 && (q ? bp[bn] != '"' : bp[bn] != ';' && bp[bn] != ' '))
		bn++;
	if (bn == 0 || bn >= 72)
		return err_field_add(&r->err, "file", "multipart boundary is empty or too long");
	memcpy(boundary + 2, bp, bn);
	boundary[bn + 2] = '\0';
	size_t blen = bn + 2;
	const char *p = r->body.data, *end = r->body.data + r->body.len;
	const char *at = p ? memmem(p, r->body.len, boundary, blen) : NULL;
	while (at) {
		const char *hdr = at + blen;
		if (end - hdr >= 2 && hdr[0] == '-' && hdr[1] == '-')
			break;
		const char *body = memmem(hdr, (size_t)(end - hdr), "\r\n\r\n", 4);
		if (!body)
			break;
		body += 4;
		const char *next = memmem(body, (size_t)(end - body), boundary, blen);
		if (!next)
			break;
		size_t hl = (size_t)(body - hdr);
		char *h = arena_strndup(r->arena, hdr, hl);
		if (!h)
			return ERR_NOMEM;
		if (strcasestr(h, "name=\"file\"") || strcasestr(h, "filename=")) {
			const char *stop = next;
			if (stop - body >= 2 && stop[-2] == '\r' && stop[-1] == '\n')
				stop -= 2;
			*data = body;
			*len = (size_t)(stop - body);
			return ERR_OK;
		}
		at = next;
	}
	return err_field_add(&r->err, "file", "the multipart body has no \"file\" part");
}

enum err h_dnc_import(struct req *r)
{
	const char *type = req_header(r, "Content-Type");
	const char *data = r->body.len ? r->body.data : "";
	size_t len = r->body.len;
	enum err rc;
	if (type && !strncasecmp(type, "multipart/form-data", 19)) {
		if ((rc = multipart_file(r, type, &data, &len)) != ERR_OK)
			return rc;
	} else if (type && strncasecmp(type, "text/csv", 8) && strncasecmp(type, "application/csv", 15) &&
		   strncasecmp(type, "text/plain", 10)) {
		return err_set(&r->err, ERR_UNSUPPORTED, "send the CSV as text/csv or multipart/form-data (a \"file\" part)");
	}
	const char *source = req_query(r, "source"), *date = req_query(r, "registryDate");
	if (source && strcmp(source, "import") && strcmp(source, "registry"))
		err_field_add(&r->err, "source", "must be import or registry");
	bool registry = source && !strcmp(source, "registry");
	int64_t registry_date = 0;
	if (date) {
		char iso[40];
		if (strlen(date) == 10 && snprintf(iso, sizeof iso, "%sT00:00:00Z", date) > 0)
			date = iso;
		if (!registry)
			err_field_add(&r->err, "registryDate", "only goes with source=registry");
		else if (!clock_parse_rfc3339(date, &registry_date) || registry_date > clock_now_ms() + 86400000)
			err_field_add(&r->err, "registryDate", "must be a past date (YYYY-MM-DD or RFC 3339)");
	}
	if (len == 0)
		err_field_add(&r->err, "file", "is empty");
	if ((rc = input_result(r)) != ERR_OK)
		return rc;
	struct dnc_import_result res;
	if ((rc = dnc_import(r->db, &r->principal, data, len, registry, registry_date, r->arena, &res, &r->err)) != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 4096, 1 << 20);
	jw_obj_begin(&w);
	jw_kint(&w, "imported", res.imported);
	jw_kint(&w, "updated", res.updated);
	jw_kint(&w, "invalid", res.invalid);
	jw_key(&w, "invalidLines");
	jw_arr_begin(&w);
	for (int i = 0; i < res.nbad; i++) {
		jw_obj_begin(&w);
		jw_kint(&w, "line", res.bad[i].line);
		jw_kstr(&w, "error", res.bad[i].error);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	status_json(&w, &res.status);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}
