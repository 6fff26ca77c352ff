/* Handlers by resource file. Private to src/api/. */
#ifndef SB_API_HANDLERS_H
#define SB_API_HANDLERS_H

#include "http/req.h"

/* system.c */
enum err h_healthz(struct req *r);
enum err h_readyz(struct req *r);
enum err h_openapi_json(struct req *r);
enum err h_openapi_yaml(struct req *r);
enum err system_openapi_init(struct err_detail *d);
void system_openapi_cleanup(void);

/* auth.c */
enum err h_login(struct req *r);
enum err h_logout(struct req *r);
enum err h_me_get(struct req *r);
enum err h_me_patch(struct req *r);

/* users.c */
enum err h_users_list(struct req *r);

/* calls.c: the call log, one call, its outcome and tags */
enum err h_calls_list(struct req *r);
enum err h_call_get(struct req *r);
enum err h_call_patch(struct req *r);
enum err h_call_tags(struct req *r);

/* The list parameters of /api/calls (and the triage queue, which forces triage order). */
struct call_query;
struct call_page;
enum err call_list_query(struct req *r, struct call_query *q, int default_limit, bool triage);
/* "nextCursor" and "hasMore" members for a page. */
void call_list_next_cursor(struct jw *w, const struct call_query *q, const struct call_page *page);
/* The response cache of call lists (api/page_cache.h). call_list_cached serves
 * r from it when it holds q's answer for route ("list", "triage") and returns
 * true with *rc the reply's result; otherwise it fills lc, and the handler
 * passes its reply's result through call_list_cache_put, which keeps the
 * reply for as long as it holds. */
struct list_cache {
	char *key;
	uint64_t version;
};
bool call_list_cached(struct req *r, const char *route, const struct call_query *q, struct list_cache *lc,
		      enum err *rc);
enum err call_list_cache_put(struct req *r, const struct call_query *q, struct list_cache *lc, enum err rc);

/* triage.c: the triage queue; audit.c: a call's audit trail */
enum err h_triage(struct req *r);
enum err h_audit_call(struct req *r);

/* settings.c: disposition rules */
enum err h_disposition_rules_get(struct req *r);
enum err h_disposition_rules_set(struct req *r);

/* contacts.c: contact search and linking a call to a contact or a job */
enum err h_contacts_search(struct req *r);
enum err h_contact_get(struct req *r);
enum err h_contact_patch(struct req *r); /* { timeZone } (issue 6) */
enum err h_call_link_contact(struct req *r);
enum err h_call_new_contact(struct req *r);
enum err h_call_link_job(struct req *r);

/* followups.c */
enum err h_followups_list(struct req *r);
enum err h_followups_create(struct req *r);
enum err h_followup_get(struct req *r);
enum err h_followup_patch(struct req *r);
enum err h_followup_delete(struct req *r);
enum err h_call_followup_create(struct req *r);

/* sla.c: business hours, SLA rules, follow-up notifications, the test clock */
enum err h_business_hours_get(struct req *r);
enum err h_business_hours_set(struct req *r);
enum err h_sla_rules_get(struct req *r);
enum err h_sla_rules_set(struct req *r);
enum err h_notifications_followups(struct req *r);
enum err h_test_clock(struct req *r);

/* numbers.c: tracking numbers (Admin+) */
enum err h_numbers_list(struct req *r);
enum err h_numbers_create(struct req *r);
enum err h_number_patch(struct req *r);
enum err h_number_delete(struct req *r);

/* webhooks.c: vendor webhooks (signed; no principal) */
enum err h_webhook_telephony(struct req *r);
enum err h_webhook_transcription(struct req *r);

/* dial.c: click-to-call and live leg status */
enum err h_click_to_call(struct req *r);
enum err h_call_status(struct req *r);

/* messaging.c: SMS templates, send-sms, conversations, opt-out, campaign settings, the SMS webhook */
enum err h_sms_templates_list(struct req *r);
enum err h_sms_template_create(struct req *r);
enum err h_sms_template_patch(struct req *r);
enum err h_sms_template_delete(struct req *r);
enum err h_send_sms(struct req *r);
enum err h_sms_conversation(struct req *r);
enum err h_sms_opt_out(struct req *r);
enum err h_sms_settings_get(struct req *r);
enum err h_sms_settings_set(struct req *r);
enum err h_webhook_sms(struct req *r);

/* dnc.c: a contact's do-not-contact state, DNC list import/export (issue 6) */
enum err h_contact_dnc_post(struct req *r);
enum err h_contact_dnc_patch(struct req *r);
enum err h_contact_dnc_delete(struct req *r);
enum err h_dnc_export(struct req *r);
enum err h_dnc_import(struct req *r);

/* compliance.c: blocked numbers (Admin+) and consent (issue 6) */
enum err h_blocked_list(struct req *r);
enum err h_blocked_add(struct req *r);
enum err h_blocked_remove(struct req *r);
enum err h_consent_set(struct req *r);
/* bulk.c, exports.c, print.c: bulk operations, exports and call cards (issue 7) */
enum err h_calls_bulk(struct req *r);
enum err h_bulk_job_get(struct req *r);
enum err h_calls_export(struct req *r);
enum err h_export_get(struct req *r);
enum err h_export_download(struct req *r);
enum err h_call_print(struct req *r);

/* ws.c: the realtime feed */
enum err h_ws_calls(struct req *r);

/* spam.c: mark a call spam, explain its score, train the model, the spam report */
enum err h_call_mark_spam(struct req *r);
enum err h_call_spam_score(struct req *r);
enum err h_spam_train(struct req *r);
enum err h_spam_reports(struct req *r);

#endif
