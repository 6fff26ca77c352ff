/* Phone numbers: parsing any human format into E.164, via libphonenumber
 * (a C++ library, behind a small extern "C" shim in phone.cc). */
#ifndef SB_CORE_PHONE_H
#define SB_CORE_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define PHONE_E164_SIZE 20       /* '+', up to 15 digits, NUL, slack */
#define PHONE_DEFAULT_REGION "US"

enum phone_line { PHONE_LINE_UNKNOWN, PHONE_LINE_MOBILE, PHONE_LINE_LANDLINE, PHONE_LINE_VOIP, PHONE_LINE_TOLL_FREE };

/* Parses raw ("(555) 123-4567", "+44 20 7946 0958", "555.123.4567 x12") with region
 * (ISO 3166 alpha-2) as the default country, and writes the E.164 form into out.
 * ERR_INVALID when it is not a valid number. Thread-safe. */
enum err phone_normalize(const char *raw, const char *region, char *out, size_t n);
/* True when s is already canonical E.164 ("+" and 8..15 digits, no leading 0). */
bool phone_is_e164(const char *s);
/* Line type of a valid E.164 number (best effort; UNKNOWN when not known). */
enum phone_line phone_line_type(const char *e164);
/* The digits of raw (any format) into out, for partial-number search ("(555) 123" -> "555123"). */
void phone_digits(const char *raw, char *out, size_t n);

#endif
