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

/* triage.c: the triage queue; audit.c: a call's audit trail */
enum err h_triage(struct req *r);
enum err h_audit_call(struct req *r);

/* settings.c: disposition rules */
enum err h_disposition_rules_get(struct req *r);
enum err h_disposition_rules_set(struct req *r);

/* contacts.c: contact search and linking a call to a contact or a job */
enum err h_contacts_search(struct req *r);
enum err h_contact_get(struct req *r);
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

/* ws.c: the realtime feed */
enum err h_ws_calls(struct req *r);

#endif
