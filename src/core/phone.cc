/* The libphonenumber half of core/phone.h: a C++17 shim behind extern "C".
 * It owns turning a human spelling into E.164 and telling a line type. Input
 * is screened in plain code before the library sees it, and no C++ exception
 * leaves this file: every entry point catches everything and answers with an
 * enum err (or PHONE_LINE_UNKNOWN). PhoneNumberUtil::GetInstance() is a
 * thread-safe singleton with const methods, so these functions are too. */
extern "C" {
#include "core/phone.h"
}

#include <cstring>
#include <new>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

/* No human spelling of one number, extension included, needs more; capping
 * it keeps the library's regular expressions away from client-sized text. */
constexpr size_t RAW_MAX = 64;

/* True when raw is at most RAW_MAX bytes and holds no control character
 * (C0 or DEL); stores its length. Reads at most RAW_MAX + 1 bytes. */
bool raw_ok(const char *raw, size_t *len)
{
	size_t i;

	for (i = 0; raw[i] != '\0'; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (i >= RAW_MAX || c < 0x20 || c == 0x7f)
			return false;
	}
	*len = i;
	return true;
}

/* Copies region into buf upper-cased ("us" -> "US"); NULL means
 * PHONE_DEFAULT_REGION. False unless it is exactly two ASCII letters. */
bool region_ok(const char *region, char buf[3])
{
	if (region == NULL)
		region = PHONE_DEFAULT_REGION;
	for (int i = 0; i < 2; i++) {
		char c = region[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return false;
		buf[i] = c;
	}
	buf[2] = '\0';
	return region[2] == '\0';
}

/* The library work of phone_normalize; may throw. */
enum err normalize(const char *raw, size_t len, const char *region, char *out, size_t n)
{
	const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
	PhoneNumber num;
	std::string e164;

	if (util == NULL)
		return ERR_INTERNAL;
	if (util->Parse(std::string(raw, len), region, &num) != PhoneNumberUtil::NO_PARSING_ERROR)
		return ERR_INVALID;
	/* Parse has split "x12" / "ext. 12" / ";ext=12" off into the extension
	 * field, which validation ignores and E164 formatting never prints:
	 * we store the number only. (Clearing the field by hand would call
	 * into libprotobuf and add it to the link line for nothing.) */
	if (!util->IsValidNumber(num))
		return ERR_INVALID;
	util->Format(num, PhoneNumberUtil::E164, &e164);
	/* Keeps the promise that what we store passes phone_is_e164, which
	 * also proves no extension slipped through. A few real numbers fall
	 * under its 8-digit floor (Niue +683 7290) and are refused here. */
	if (!phone_is_e164(e164.c_str()))
		return ERR_INVALID;
	if (e164.size() >= n)
		return ERR_TOO_LARGE;
	std::memcpy(out, e164.c_str(), e164.size() + 1);
	return ERR_OK;
}

/* The library work of phone_line_type; may throw. */
enum phone_line line_type(const char *e164)
{
	const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
	PhoneNumber num;

	if (util == NULL)
		return PHONE_LINE_UNKNOWN;
	/* "ZZ": the number carries its own country code. */
	if (util->Parse(e164, "ZZ", &num) != PhoneNumberUtil::NO_PARSING_ERROR)
		return PHONE_LINE_UNKNOWN;
	/* GetNumberType does IsValidNumber's matching itself and answers
	 * UNKNOWN for an invalid number; asking both costs ~40% more. */
	switch (util->GetNumberType(num)) {
	case PhoneNumberUtil::MOBILE:
		return PHONE_LINE_MOBILE;
	case PhoneNumberUtil::FIXED_LINE:
		return PHONE_LINE_LANDLINE;
	case PhoneNumberUtil::VOIP:
		return PHONE_LINE_VOIP;
	case PhoneNumberUtil::TOLL_FREE:
		return PHONE_LINE_TOLL_FREE;
	case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
		/* Where the plan does not tell them apart (all of +1): guessing
		 * either would mislead whoever decides on SMS from this. */
	default:
		/* Premium rate, shared cost, personal, pager, UAN, voicemail:
		 * none is a line kind we act on. */
		return PHONE_LINE_UNKNOWN;
	}
}

} // namespace

/* Parses raw in region's conventions and writes E.164 into out (n bytes,
 * PHONE_E164_SIZE is enough). out is set to "" on any failure when n > 0.
 * ERR_INVALID: raw NULL, over 64 bytes, holding a control character, region
 * not two letters, or not a valid number; ERR_TOO_LARGE: out too small;
 * ERR_NOMEM / ERR_INTERNAL: the library failed. Thread-safe. */
extern "C" enum err phone_normalize(const char *raw, const char *region, char *out, size_t n)
{
	char reg[3];
	size_t len;
	enum err rc;

	if (out == NULL || n == 0)
		return ERR_INVALID;
	out[0] = '\0';
	if (raw == NULL || !raw_ok(raw, &len) || !region_ok(region, reg))
		return ERR_INVALID;
	try {
		rc = normalize(raw, len, reg, out, n);
	} catch (const std::bad_alloc &) {
		rc = ERR_NOMEM;
	} catch (...) {
		rc = ERR_INTERNAL;
	}
	if (rc != ERR_OK)
		out[0] = '\0';
	return rc;
}

/* Line type of e164 (which must pass phone_is_e164); PHONE_LINE_UNKNOWN for
 * anything else, for an invalid number, or when the library fails. */
extern "C" enum phone_line phone_line_type(const char *e164)
{
	if (!phone_is_e164(e164))
		return PHONE_LINE_UNKNOWN;
	try {
		return line_type(e164);
	} catch (...) {
		return PHONE_LINE_UNKNOWN;
	}
}
