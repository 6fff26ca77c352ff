/* SMS compliance keywords (pure): a message that is exactly one keyword,
 * case-insensitive after trimming white space, is a request.
 *	STOP STOPALL UNSUBSCRIBE CANCEL END QUIT REVOKE OPTOUT   opt out
 *	START YES UNSTOP                                         opt back in
 *	HELP INFO                                                help */
#ifndef SB_DOMAIN_MESSAGING_KEYWORDS_H
#define SB_DOMAIN_MESSAGING_KEYWORDS_H

enum sms_keyword { KW_NONE, KW_STOP, KW_START, KW_HELP };

enum sms_keyword sms_keyword_parse(const char *body);
/* "stop", "start", "help" or NULL for KW_NONE. */
const char *sms_keyword_name(enum sms_keyword k);

#endif
