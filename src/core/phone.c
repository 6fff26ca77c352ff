/* The pure-C half of core/phone.h: recognising canonical E.164 and pulling the
 * digits out of any spelling for partial-number search. Parsing and
 * validation need libphonenumber and live in phone.cc. */
#include "core/phone.h"

/* E.164 allows up to 15 digits after the '+'; phone.h sets the floor at 8. */
enum { E164_MIN_DIGITS = 8, E164_MAX_DIGITS = 15 };

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* True when s is "+" then 8..15 ASCII digits, the first not 0, and nothing
 * else (no spaces, no extension). NULL is not E.164. */
bool phone_is_e164(const char *s)
{
	size_t i;

	if (s == NULL || s[0] != '+' || s[1] == '0')
		return false;
	for (i = 1; is_digit(s[i]); i++)
		if (i > E164_MAX_DIGITS)
			return false;
	return s[i] == '\0' && i - 1 >= E164_MIN_DIGITS;
}

/* Copies the ASCII digits of raw into out, in order, dropping everything
 * else. Truncates to n - 1 digits; out is always NUL-terminated when n > 0.
 * raw NULL reads as "". Nothing is written when out is NULL or n is 0. */
void phone_digits(const char *raw, char *out, size_t n)
{
	size_t len = 0;

	if (out == NULL || n == 0)
		return;
	for (; raw != NULL && *raw != '\0' && len + 1 < n; raw++)
		if (is_digit(*raw))
			out[len++] = *raw;
	out[len] = '\0';
}
