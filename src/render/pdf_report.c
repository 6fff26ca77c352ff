/* The export report PDF (see pdf.h). Landscape US Letter; each row's height is
 * that of its tallest wrapped cell; a row that does not fit starts a new page. */
#include "render/pdf.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

#include "render/csv.h"

#define PAGE_W 792.0
#define PAGE_H 612.0
#define MARGIN 36.0
#define PAD 2.0
#define CELL_MAX 400 /* bytes of a cell shown */

struct pdf_report {
	FILE *f;
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *cell[EXPORT_MAX_COLS_PDF];
	PangoLayout *misc;
	int cols[EXPORT_MAX_COLS_PDF];
	double x[EXPORT_MAX_COLS_PDF + 1];
	int ncols;
	const struct tz *zone;
	double y;
	int page;
	bool fresh; /* nothing on this page below the header yet */
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
	FILE *f = closure;
	return fwrite_unlocked(data, 1, len, f) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static PangoLayout *layout_new(cairo_t *cr, const char *font)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	return l;
}

static double text_at(cairo_t *cr, PangoLayout *l, const char *s, double x, double y, double w)
{
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_text(l, s, -1);
	int pw, ph;
	pango_layout_get_size(l, &pw, &ph);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, l);
	return (double)ph / PANGO_SCALE;
}

static void header_row(struct pdf_report *r)
{
	double h = 0;
	cairo_set_source_rgb(r->cr, 0.88, 0.90, 0.94);
	cairo_rectangle(r->cr, MARGIN, r->y, PAGE_W - 2 * MARGIN, 14);
	cairo_fill(r->cr);
	cairo_set_source_rgb(r->cr, 0, 0, 0);
	for (int i = 0; i < r->ncols; i++) {
		double ch = text_at(r->cr, r->cell[i], export_cols[r->cols[i]].title, r->x[i] + PAD, r->y + PAD,
				    r->x[i + 1] - r->x[i] - 2 * PAD);
		if (ch > h)
			h = ch;
	}
	r->y += h + 2 * PAD + 2;
	r->fresh = true;
}

static void footer(struct pdf_report *r)
{
	char s[32];
	snprintf(s, sizeof s, "Page %d", r->page);
	cairo_set_source_rgb(r->cr, 0.3, 0.3, 0.3);
	text_at(r->cr, r->misc, s, PAGE_W - MARGIN - 60, PAGE_H - MARGIN + 8, 60);
	cairo_set_source_rgb(r->cr, 0, 0, 0);
}

static void new_page(struct pdf_report *r)
{
	footer(r);
	cairo_show_page(r->cr);
	r->page++;
	r->y = MARGIN;
	header_row(r);
}

enum err render_pdf_report_open(FILE *f, const char *title, const char *subtitle, const int *cols, int ncols,
				const struct tz *zone, struct pdf_report **out)
{
	if (ncols < 1 || ncols > EXPORT_MAX_COLS_PDF)
		return ERR_INVALID;
	struct pdf_report *r = calloc(1, sizeof *r);
	if (!r)
		return ERR_NOMEM;
	r->f = f;
	r->zone = zone;
	r->ncols = ncols;
	memcpy(r->cols, cols, sizeof *cols * (size_t)ncols);
	r->surface = cairo_pdf_surface_create_for_stream(write_out, f, PAGE_W, PAGE_H);
	r->cr = cairo_create(r->surface);
	if (cairo_status(r->cr) != CAIRO_STATUS_SUCCESS) {
		cairo_destroy(r->cr);
		cairo_surface_destroy(r->surface);
		free(r);
		return ERR_IO;
	}
	cairo_pdf_surface_set_metadata(r->surface, CAIRO_PDF_METADATA_TITLE, title);
	int total = 0;
	for (int i = 0; i < ncols; i++)
		total += export_cols[cols[i]].width;
	double avail = PAGE_W - 2 * MARGIN;
	r->x[0] = MARGIN;
	for (int i = 0; i < ncols; i++) {
		r->x[i + 1] = r->x[i] + avail * export_cols[cols[i]].width / total;
		r->cell[i] = layout_new(r->cr, "DejaVu Sans 6.5");
	}
	r->misc = layout_new(r->cr, "DejaVu Sans 8");
	PangoLayout *big = layout_new(r->cr, "DejaVu Sans Bold 14");
	r->page = 1;
	r->y = MARGIN;
	r->y += text_at(r->cr, big, title, MARGIN, r->y, avail) + 4;
	g_object_unref(big);
	r->y += text_at(r->cr, r->misc, subtitle, MARGIN, r->y, avail) + 8;
	header_row(r);
	*out = r;
	return ERR_OK;
}

enum err render_pdf_report_row(struct pdf_report *r, const struct export_cell *cells)
{
	char text[CELL_MAX + 8];
	double h = 0;
	for (int i = 0; i < r->ncols; i++) {
		render_cell_text(r->zone, r->cols[i], &cells[i], text, sizeof text);
		/* Cut at a UTF-8 boundary so pango never sees a broken sequence. */
		size_t len = strlen(text);
		if (len > CELL_MAX) {
			len = CELL_MAX;
			while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
				len--;
			text[len] = 0;
		}
		PangoLayout *l = r->cell[i];
		pango_layout_set_width(l, (int)((r->x[i + 1] - r->x[i] - 2 * PAD) * PANGO_SCALE));
		pango_layout_set_text(l, text, -1);
		int pw, ph;
		pango_layout_get_size(l, &pw, &ph);
		if ((double)ph / PANGO_SCALE > h)
			h = (double)ph / PANGO_SCALE;
	}
	h += 2 * PAD;
	if (r->y + h > PAGE_H - MARGIN && !r->fresh) {
		/* The layouts hold this row's text; drawing a new page's header reuses them. */
		new_page(r);
		return render_pdf_report_row(r, cells);
	}
	for (int i = 0; i < r->ncols; i++) {
		cairo_move_to(r->cr, r->x[i] + PAD, r->y + PAD);
		pango_cairo_show_layout(r->cr, r->cell[i]);
	}
	r->y += h;
	r->fresh = false;
	cairo_set_source_rgb(r->cr, 0.8, 0.8, 0.8);
	cairo_set_line_width(r->cr, 0.3);
	cairo_move_to(r->cr, MARGIN, r->y);
	cairo_line_to(r->cr, PAGE_W - MARGIN, r->y);
	cairo_stroke(r->cr);
	cairo_set_source_rgb(r->cr, 0, 0, 0);
	return cairo_status(r->cr) == CAIRO_STATUS_SUCCESS ? ERR_OK : ERR_IO;
}

enum err render_pdf_report_close(struct pdf_report *r)
{
	if (!r)
		return ERR_OK;
	footer(r);
	cairo_show_page(r->cr);
	for (int i = 0; i < r->ncols; i++)
		g_object_unref(r->cell[i]);
	g_object_unref(r->misc);
	cairo_destroy(r->cr);
	cairo_surface_finish(r->surface);
	enum err rc = cairo_surface_status(r->surface) == CAIRO_STATUS_SUCCESS ? ERR_OK : ERR_IO;
	cairo_surface_destroy(r->surface);
	free(r);
	return rc;
}
