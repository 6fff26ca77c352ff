/* The printable call card (see pdf.h): portrait US Letter, one page. Long
 * texts are cut to fit their box (pango ellipsizes by height), so the card
 * never runs onto a second page. */
#include "render/pdf.h"

#include <cairo-pdf.h>
#include <inttypes.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <string.h>

#include "render/csv.h"

#define W 612.0
#define H 792.0
#define M 40.0

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
	return buf_append(closure, data, len) == ERR_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

struct card {
	cairo_t *cr;
	PangoLayout *head, *body;
	const struct tz *zone;
	double y;
};

/* A section: heading then text wrapped to width, at most max_h points tall. */
static void section(struct card *c, const char *heading, const char *text, double width, double max_h)
{
	pango_layout_set_width(c->head, (int)(width * PANGO_SCALE));
	pango_layout_set_text(c->head, heading, -1);
	cairo_move_to(c->cr, M, c->y);
	pango_cairo_show_layout(c->cr, c->head);
	int pw, ph;
	pango_layout_get_size(c->head, &pw, &ph);
	c->y += (double)ph / PANGO_SCALE + 2;
	pango_layout_set_width(c->body, (int)(width * PANGO_SCALE));
	pango_layout_set_height(c->body, (int)(max_h * PANGO_SCALE));
	pango_layout_set_ellipsize(c->body, PANGO_ELLIPSIZE_END);
	pango_layout_set_text(c->body, text && *text ? text : "-", -1);
	cairo_move_to(c->cr, M, c->y);
	pango_cairo_show_layout(c->cr, c->body);
	pango_layout_get_size(c->body, &pw, &ph);
	c->y += (double)ph / PANGO_SCALE + 10;
}

static void when(const struct tz *zone, int64_t ms, char *out, size_t n)
{
	if (ms == I64_NULL) {
		snprintf(out, n, "-");
		return;
	}
	struct tz_civil t;
	tz_civil_at(zone, ms, &t);
	snprintf(out, n, "%04d-%02d-%02d %02d:%02d", t.year, t.month, t.day, t.hour, t.minute);
}

static void qr(cairo_t *cr, const char *url, double x, double y, double size)
{
	QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return;
	double cell = size / (q->width + 8);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int r = 0; r < q->width; r++)
		for (int k = 0; k < q->width; k++)
			if (q->data[r * q->width + k] & 1)
				cairo_rectangle(cr, x + (k + 4) * cell, y + (r + 4) * cell, cell, cell);
	cairo_fill(cr);
	QRcode_free(q);
}

static void text_cat(char *out, size_t n, const char *s)
{
	size_t len = strlen(out);
	if (len < n)
		snprintf(out + len, n - len, "%s", s ? s : "");
}

static void draw(struct card *c, const struct call *call, const char *url, const char *workspace_name)
{
	char t[4096], a[64], b[64];
	PangoLayout *title = pango_cairo_create_layout(c->cr);
	PangoFontDescription *fd = pango_font_description_from_string("DejaVu Sans Bold 18");
	pango_layout_set_font_description(title, fd);
	pango_font_description_free(fd);
	snprintf(t, sizeof t, "Call card - %s", workspace_name ? workspace_name : "");
	pango_layout_set_width(title, (int)((W - 2 * M - 130) * PANGO_SCALE));
	pango_layout_set_text(title, t, -1);
	cairo_move_to(c->cr, M, c->y);
	pango_cairo_show_layout(c->cr, title);
	g_object_unref(title);
	qr(c->cr, url, W - M - 110, M - 10, 110);
	c->y += 34;
	when(c->zone, call->started_at, a, sizeof a);
	snprintf(t, sizeof t, "%s call, %s  |  disposition: %s  |  intent: %s  |  id %s",
		 call->direction && !strcmp(call->direction, "out") ? "Outbound" : "Inbound", a,
		 call->disposition ? call->disposition : "-", call->intent ? call->intent : "-", call->id);
	section(c, "Call", t, W - 2 * M - 130, 40);

	const struct contact_brief *ct = call->contact;
	t[0] = 0;
	text_cat(t, sizeof t, ct && ct->name ? ct->name : "Unknown caller");
	if (ct && ct->email) {
		text_cat(t, sizeof t, "  <");
		text_cat(t, sizeof t, ct->email);
		text_cat(t, sizeof t, ">");
	}
	section(c, "Customer", t, W - 2 * M - 130, 30);
	snprintf(t, sizeof t, "From %s   To %s", call->from_e164 ? call->from_e164 : "-", call->to_e164 ? call->to_e164 : "-");
	for (int i = 0; ct && i < ct->nphones && i < 4; i++) {
		text_cat(t, sizeof t, i ? ", " : "   Customer phones: ");
		text_cat(t, sizeof t, ct->phones[i]);
	}
	section(c, "Numbers", t, W - 2 * M, 30);
	const char *addr = call->job && call->job->address ? call->job->address : ct ? ct->address : NULL;
	section(c, "Address", addr, W - 2 * M, 40);
	if (call->job) {
		when(c->zone, call->job->slot_start, a, sizeof a);
		when(c->zone, call->job->slot_end, b, sizeof b);
		snprintf(t, sizeof t, "%s  |  status: %s  |  slot: %s to %s", call->job->title ? call->job->title : "(untitled)",
			 call->job->status ? call->job->status : "-", a, b);
	} else {
		snprintf(t, sizeof t, "No job linked");
	}
	section(c, "Job", t, W - 2 * M, 40);
	section(c, "Notes", call->notes, W - 2 * M, 110);
	t[0] = 0;
	for (int i = 0; i < call->ntags; i++) {
		text_cat(t, sizeof t, i ? ", " : "");
		text_cat(t, sizeof t, call->tags[i]);
	}
	section(c, "Tags", t, W - 2 * M, 30);
	section(c, "Transcript (excerpt)", call->transcript ? call->transcript->text : NULL, W - 2 * M, 120);
	t[0] = 0;
	for (int i = 0; i < call->nfollowups && i < 8; i++) {
		const struct followup *f = &call->followups[i];
		when(c->zone, f->due_at, a, sizeof a);
		char line[600];
		snprintf(line, sizeof line, "%s%s due %s (%s, %s)%s%.400s", i ? "\n" : "", f->type ? f->type : "task", a,
			 f->status ? f->status : "open", f->priority ? f->priority : "normal", f->note ? ": " : "",
			 f->note ? f->note : "");
		text_cat(t, sizeof t, line);
	}
	section(c, "Follow-ups", t, W - 2 * M, H - M - 30 - c->y > 40 ? H - M - 30 - c->y : 40);
	pango_layout_set_height(c->body, -1);
	pango_layout_set_width(c->body, (int)((W - 2 * M) * PANGO_SCALE));
	pango_layout_set_text(c->body, url, -1);
	cairo_move_to(c->cr, M, H - M);
	pango_cairo_show_layout(c->cr, c->body);
}

enum err render_call_card(const struct call *call, const char *url, const struct tz *zone, const char *workspace_name,
			  struct buf *out)
{
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_buf, out, W, H);
	cairo_t *cr = cairo_create(s);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		cairo_destroy(cr);
		cairo_surface_destroy(s);
		return ERR_NOMEM;
	}
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "Call card");
	struct card c = {.cr = cr, .zone = zone, .y = M};
	c.head = pango_cairo_create_layout(cr);
	c.body = pango_cairo_create_layout(cr);
	PangoFontDescription *hf = pango_font_description_from_string("DejaVu Sans Bold 10");
	PangoFontDescription *bf = pango_font_description_from_string("DejaVu Sans 9");
	pango_layout_set_font_description(c.head, hf);
	pango_layout_set_font_description(c.body, bf);
	pango_font_description_free(hf);
	pango_font_description_free(bf);
	pango_layout_set_wrap(c.body, PANGO_WRAP_WORD_CHAR);
	draw(&c, call, url, workspace_name);
	g_object_unref(c.head);
	g_object_unref(c.body);
	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	enum err rc = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS ? ERR_OK : ERR_NOMEM;
	cairo_surface_destroy(s);
	return rc;
}
