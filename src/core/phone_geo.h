/* Where a phone number is registered, from libphonenumber's offline geocoder
 * (libgeocoding, C++, behind an extern "C" shim in phone_geo.cc): the
 * English description of a number's area ("Florida", "San Francisco, CA",
 * "Ontario"). Debian 12's libphonenumber 8.12 has no time-zone mapper in its
 * C++ API (PhoneNumberToTimeZonesMapper is Java-only), so callers turn the
 * region into a zone themselves (domain/compliance_zone.c). */
#ifndef SB_CORE_PHONE_GEO_H
#define SB_CORE_PHONE_GEO_H

#include <stddef.h>

#include "core/err.h"

/* Writes the English area description of e164 into out (n bytes) and the
 * number's ISO 3166 country into region ("US", "CA", "JM" for +1876...).
 * ERR_INVALID for a number that does not parse or is not valid,
 * ERR_NOT_FOUND when the geocoder knows no area for it (region is still set), ERR_TOO_LARGE when
 * out is too small. Thread-safe (the geocoder guards itself with a mutex). */
enum err phone_geo_describe(const char *e164, char *out, size_t n, char region[3]);

#endif
