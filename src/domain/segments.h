/* Exact SMS segment counting (pure: no I/O).
 *
 * GSM-7 when every character is in the GSM 03.38 basic set or its extension
 * table (^ { } \ [ ~ ] | € and form feed cost 2 units: escape + char); one
 * segment holds 160 units, a concatenated one 153 (the UDH takes 7), and an
 * escape pair is never split across segments. UCS-2 as soon as one character
 * is outside GSM-7: 70 UTF-16 units in one segment, 67 per concatenated
 * segment; characters outside the BMP (emoji) are surrogate pairs (2 units)
 * and a pair is never split. */
#ifndef SB_DOMAIN_SEGMENTS_H
#define SB_DOMAIN_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>

#define SMS_MAX_CHARS 1600   /* longest body accepted, in characters (code points) */

enum sms_encoding { SMS_GSM7, SMS_UCS2 };

struct sms_count {
	enum sms_encoding encoding;
	int chars;      /* Unicode code points */
	int units;      /* GSM-7 septets or UTF-16 code units */
	int segments;   /* 0 for an empty body */
};

/* Counts body (UTF-8, len bytes). False when it is not valid UTF-8. */
bool sms_count(const char *body, size_t len, struct sms_count *out);
/* "GSM-7" or "UCS-2". */
const char *sms_encoding_name(enum sms_encoding e);

#endif
