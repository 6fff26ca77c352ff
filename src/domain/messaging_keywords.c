/* SMS compliance keywords (see messaging_keywords.h). */
#include "domain/messaging_keywords.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *word;
	enum sms_keyword kw;
} words[] = {
	{"STOP", KW_STOP},   {"STOPALL", KW_STOP}, {"UNSUBSCRIBE", KW_STOP}, {"CANCEL", KW_STOP},
	{"END", KW_STOP},    {"QUIT", KW_STOP},    {"REVOKE", KW_STOP},      {"OPTOUT", KW_STOP},
	{"START", KW_START}, {"YES", KW_START},    {"UNSTOP", KW_START},     {"HELP", KW_HELP},
	{"INFO", KW_HELP},
};

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

enum sms_keyword sms_keyword_parse(const char *body)
{
	if (!body)
		return KW_NONE;
	while (space(*body))
		body++;
	size_t n = strlen(body);
	while (n && space(body[n - 1]))
		n--;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i].word) == n && strncasecmp(words[i].word, body, n) == 0)
			return words[i].kw;
	return KW_NONE;
}

const char *sms_keyword_name(enum sms_keyword k)
{
	return k == KW_STOP ? "stop" : k == KW_START ? "start" : k == KW_HELP ? "help" : NULL;
}
