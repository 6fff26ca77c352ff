/* GET /api/calls/:id/print: the call card for field crews as a one-page PDF
 * (render/pdf.h), with a QR code back to the call. Needs the download
 * permission (not Viewers; a Tech only for calls of their jobs). */
#include <string.h>

#include "api/handlers.h"
#include "core/tz.h"
#include "domain/accounts.h"
#include "domain/calls.h"
#include "render/pdf.h"

enum err h_call_print(struct req *r)
{
	struct call c;
	const char *id = req_param(r, "id");
	enum err rc = calls_get(r->db, &r->principal, id, r->arena, &c, &r->err);
	if (rc != ERR_OK)
		return rc;
	struct workspace ws;
	if ((rc = accounts_workspace(r->db, &r->principal, &ws)) != ERR_OK)
		return rc;
	/* The link the QR code carries: the public URL when configured, else this host. */
	const char *host = req_header(r, "Host");
	char url[512];
	if (r->cfg->public_url && r->cfg->public_url[0])
		snprintf(url, sizeof url, "%s/calls/%s", r->cfg->public_url, c.id);
	else
		snprintf(url, sizeof url, "http://%s/calls/%s", host && strlen(host) < 200 ? host : "localhost", c.id);
	struct buf out;
	buf_init(&out, 16u << 20);
	rc = render_call_card(&c, url, tz_get(ws.time_zone), ws.name, &out);
	if (rc != ERR_OK) {
		buf_cleanup(&out);
		return rc;
	}
	char disp[128];
	snprintf(disp, sizeof disp, "inline; filename=\"call-%s.pdf\"", c.id);
	req_add_header(r, "Content-Disposition", disp);
	size_t len = out.len;
	return reply_bytes(r, "application/pdf", out.data, len);
}
