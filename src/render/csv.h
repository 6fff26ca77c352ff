/* CSV per RFC 4180 (CRLF line ends, fields with a comma, quote, CR or LF
 * quoted, quotes doubled), UTF-8, for exports. Cells a spreadsheet would run
 * as a formula (text starting with = + - @ tab or CR) get a leading
 * apostrophe. Times are written in the workspace's zone with their offset
 * ("2026-11-27T09:03:00.000-05:00"). Writes through a buffered FILE. */
#ifndef SB_RENDER_CSV_H
#define SB_RENDER_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/tz.h"
#include "store/bulk.h"

/* One text cell (len bytes). */
void render_csv_cell(FILE *f, const char *s, size_t len);
/* The header line: the column names. */
void render_csv_header(FILE *f, const int *cols, int n);
/* One row of cells for cols. */
void render_csv_row(FILE *f, const struct tz *zone, const int *cols, int n, const struct export_cell *cells);
/* An instant as local time with offset in zone into out (>= 32 bytes). */
void render_time_local(const struct tz *zone, int64_t ms, char *out, size_t n);
/* Text of one cell as the PDF shows it (times local, booleans yes/no) into out. */
void render_cell_text(const struct tz *zone, int col, const struct export_cell *c, char *out, size_t n);

#endif
