/* The libgeocoding half of core/phone_geo.h. No C++ exception leaves this
 * file. The geocoder is built once (a function-local static: thread-safe
 * initialisation) and its lookups lock its own absl mutex. */
extern "C" {
#include "core/phone_geo.h"
}

#include <cstring>
#include <string>

#include <phonenumbers/geocoding/phonenumber_offline_geocoder.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberOfflineGeocoder;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberOfflineGeocoder &geocoder()
{
	static const PhoneNumberOfflineGeocoder g;
	return g;
}

enum err describe(const char *e164, char *out, size_t n, char region[3])
{
	const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
	PhoneNumber num;
	size_t len = strnlen(e164, 32);

	if (util == NULL || len == 0 || len >= 32 || e164[0] != '+')
		return ERR_INVALID;
	if (util->Parse(std::string(e164, len), "ZZ", &num) != PhoneNumberUtil::NO_PARSING_ERROR ||
	    !util->IsValidNumber(num))
		return ERR_INVALID;
	std::string rc;
	util->GetRegionCodeForNumber(num, &rc);
	if (rc.size() == 2)
		memcpy(region, rc.data(), 3);
	std::string s = geocoder().GetDescriptionForValidNumber(num, icu::Locale("en"));
	if (s.empty())
		return ERR_NOT_FOUND;
	if (s.size() >= n)
		return ERR_TOO_LARGE;
	memcpy(out, s.data(), s.size());
	out[s.size()] = '\0';
	return ERR_OK;
}

} // namespace

extern "C" enum err phone_geo_describe(const char *e164, char *out, size_t n, char region[3])
{
	if (out == NULL || n == 0 || region == NULL)
		return ERR_INVALID;
	out[0] = '\0';
	region[0] = '\0';
	if (e164 == NULL)
		return ERR_INVALID;
	try {
		return describe(e164, out, n, region);
	} catch (...) {
		out[0] = '\0';
		return ERR_INTERNAL;
	}
}
