/* SMS segment counting (see segments.h). */
#include "domain/segments.h"

#include <stdint.h>

/* GSM 03.38 basic character set, as Unicode code points (ESC 0x1B excluded). */
static const uint16_t gsm_basic[] = {
	'@', 0xA3, '$', 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, '\n', 0xD8, 0xF8, '\r', 0xC5, 0xE5,
	0x394, '_', 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E, 0xC6, 0xE6, 0xDF, 0xC9,
	' ', '!', '"', '#', 0xA4, '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	0xA1, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 0xC4, 0xD6, 0xD1, 0xDC, 0xA7,
	0xBF, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 0xE4, 0xF6, 0xF1, 0xFC, 0xE0,
};

/* The extension table: each costs ESC + the character. */
static const uint16_t gsm_ext[] = {'\f', '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC};

static bool in(const uint16_t *set, size_t n, uint32_t cp)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == cp)
			return true;
	return false;
}

/* GSM-7 units of cp (1 or 2), or 0 when cp is not in GSM-7. */
static int gsm_units(uint32_t cp)
{
	if (cp > 0xFFFF)
		return 0;
	if (in(gsm_basic, sizeof gsm_basic / sizeof gsm_basic[0], cp))
		return 1;
	if (in(gsm_ext, sizeof gsm_ext / sizeof gsm_ext[0], cp))
		return 2;
	return 0;
}

/* Next code point of s (n bytes left) into *cp; bytes used, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!len || len > n)
		return 0;
	uint32_t v = s[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Segments of units packed greedily into `per` units each, an item of 2
 * units never split: walks the body again with the unit function. */
static int pack(const unsigned char *s, size_t len, bool gsm, int per)
{
	int segs = 1, used = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_next(s + i, len - i, &cp);
		i += k;
		int u = gsm ? gsm_units(cp) : cp > 0xFFFF ? 2 : 1;
		if (used + u > per) {
			segs++;
			used = 0;
		}
		used += u;
	}
	return segs;
}

bool sms_count(const char *body, size_t len, struct sms_count *out)
{
	const unsigned char *s = (const unsigned char *)body;
	int chars = 0, gsm = 0, ucs = 0;
	bool all_gsm = true;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_next(s + i, len - i, &cp);
		if (!k)
			return false;
		i += k;
		chars++;
		int g = gsm_units(cp);
		if (!g)
			all_gsm = false;
		gsm += g;
		ucs += cp > 0xFFFF ? 2 : 1;
	}
	out->chars = chars;
	out->encoding = all_gsm ? SMS_GSM7 : SMS_UCS2;
	out->units = all_gsm ? gsm : ucs;
	int single = all_gsm ? 160 : 70, multi = all_gsm ? 153 : 67;
	if (out->units == 0)
		out->segments = 0;
	else if (out->units <= single)
		out->segments = 1;
	else
		out->segments = pack(s, len, all_gsm, multi);
	return true;
}

const char *sms_encoding_name(enum sms_encoding e)
{
	return e == SMS_GSM7 ? "GSM-7" : "UCS-2";
}
