/* PDFs with cairo + pango (fonts from fontconfig; DejaVu Sans is installed by
 * scripts/deps.sh): the export report (title, the filters used, a table whose
 * cells wrap, the header repeated and "Page N" on every page), streamed to a
 * FILE row by row, and the one-page call card for field crews with a QR code
 * (libqrencode) linking back to the call. */
#ifndef SB_RENDER_PDF_H
#define SB_RENDER_PDF_H

#include <stdio.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/tz.h"
#include "store/bulk.h"
#include "store/model.h"

#define EXPORT_MAX_COLS_PDF 32

struct pdf_report;

/* Starts a report on f (borrowed until close); cols are export_cols indexes (copied). */
enum err render_pdf_report_open(FILE *f, const char *title, const char *subtitle, const int *cols, int ncols,
				const struct tz *zone, struct pdf_report **out);
enum err render_pdf_report_row(struct pdf_report *r, const struct export_cell *cells);
/* Ends the last page and the document, frees r (NULL is fine). */
enum err render_pdf_report_close(struct pdf_report *r);

/* The call card of c (detail with contact, job, follow-ups, transcript) as a
 * one-page PDF appended to out; url is what the QR code says; zone for times. */
enum err render_call_card(const struct call *c, const char *url, const struct tz *zone, const char *workspace_name,
			  struct buf *out);

#endif
