/* Every route the server answers. Literal segments win over parameters, so
 * order within the table does not matter for matching. */
#include "api/api.h"
#include "api/handlers.h"
#include "domain/authz.h"

#define JSON ROUTE_BODY_JSON
#define REQ ROUTE_BODY_REQUIRED

const struct route api_routes[] = {
	{"GET", "/healthz", h_healthz, ACCESS_PUBLIC, 0, 0},
	{"GET", "/readyz", h_readyz, ACCESS_PUBLIC, 0, 0},
	{"GET", "/api/openapi.json", h_openapi_json, ACCESS_PUBLIC, 0, 0},
	{"GET", "/api/openapi.yaml", h_openapi_yaml, ACCESS_PUBLIC, 0, 0},

	{"POST", "/api/auth/login", h_login, ACCESS_PUBLIC, 0, JSON | REQ},
	{"POST", "/api/auth/logout", h_logout, ACCESS_SIGNED_IN, 0, ROUTE_NO_CONTENT},
	{"GET", "/api/me", h_me_get, ACCESS_SIGNED_IN, 0, 0},
	{"PATCH", "/api/me", h_me_patch, ACCESS_SIGNED_IN, 0, JSON | REQ},
	{"GET", "/api/users", h_users_list, ACCESS_ACTION, ACT_SETTINGS, 0},

	{"GET", "/api/calls", h_calls_list, ACCESS_ACTION, ACT_READ, 0},
	{"GET", "/api/calls/queue/triage", h_triage, ACCESS_ACTION, ACT_READ, 0},
	{"GET", "/api/calls/:id", h_call_get, ACCESS_ACTION, ACT_READ, 0},
	{"PATCH", "/api/calls/:id", h_call_patch, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"PATCH", "/api/calls/:id/tags", h_call_tags, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"POST", "/api/calls/:id/link-contact", h_call_link_contact, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"POST", "/api/calls/:id/new-contact", h_call_new_contact, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"POST", "/api/calls/:id/link-job", h_call_link_job, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"POST", "/api/calls/:id/followups", h_call_followup_create, ACCESS_ACTION, ACT_EDIT, JSON | REQ | ROUTE_CREATED},
	{"GET", "/api/audit/calls/:id", h_audit_call, ACCESS_ACTION, ACT_READ, 0},
	{"POST", "/api/calls/:id/click-to-call", h_click_to_call, ACCESS_ACTION, ACT_EDIT, JSON},
	{"GET", "/api/calls/:id/call-status/:callSid", h_call_status, ACCESS_ACTION, ACT_READ, 0},

	{"POST", "/api/calls/:id/mark-spam", h_call_mark_spam, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"GET", "/api/calls/:id/spam-score", h_call_spam_score, ACCESS_ACTION, ACT_READ, 0},
	{"GET", "/api/spam/reports", h_spam_reports, ACCESS_ACTION, ACT_READ, 0},
	{"POST", "/api/spam/train", h_spam_train, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ},

	{"GET", "/api/numbers", h_numbers_list, ACCESS_ACTION, ACT_SETTINGS, 0},
	{"POST", "/api/numbers", h_numbers_create, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ | ROUTE_CREATED},
	{"PATCH", "/api/numbers/:id", h_number_patch, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ},
	{"DELETE", "/api/numbers/:id", h_number_delete, ACCESS_ACTION, ACT_SETTINGS, ROUTE_NO_CONTENT},

	{"POST", "/api/webhooks/telephony", h_webhook_telephony, ACCESS_PUBLIC, 0, ROUTE_RAW_BODY},
	{"POST", "/api/webhooks/transcription", h_webhook_transcription, ACCESS_PUBLIC, 0, ROUTE_RAW_BODY},

	{"POST", "/api/calls/:id/send-sms", h_send_sms, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"GET", "/api/messaging/templates", h_sms_templates_list, ACCESS_ACTION, ACT_READ, 0},
	{"POST", "/api/messaging/templates", h_sms_template_create, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ | ROUTE_CREATED},
	{"PATCH", "/api/messaging/templates/:id", h_sms_template_patch, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ},
	{"DELETE", "/api/messaging/templates/:id", h_sms_template_delete, ACCESS_ACTION, ACT_SETTINGS, ROUTE_NO_CONTENT},
	{"GET", "/api/messaging/conversation/:number", h_sms_conversation, ACCESS_ACTION, ACT_READ, 0},
	{"POST", "/api/messaging/opt-out/:number", h_sms_opt_out, ACCESS_ACTION, ACT_EDIT, 0},
	{"GET", "/api/settings/messaging", h_sms_settings_get, ACCESS_ACTION, ACT_SETTINGS, 0},
	{"POST", "/api/settings/messaging", h_sms_settings_set, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ},
	{"POST", "/api/webhooks/sms", h_webhook_sms, ACCESS_PUBLIC, 0, ROUTE_RAW_BODY},

	/* bulk operations, exports, call cards (issue 7) */
	{"POST", "/api/calls/bulk", h_calls_bulk, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"GET", "/api/bulk-jobs/:jobId", h_bulk_job_get, ACCESS_ACTION, ACT_READ, 0},
	{"POST", "/api/calls/export", h_calls_export, ACCESS_ACTION, ACT_EXPORT, JSON | REQ},
	{"GET", "/api/exports/:jobId", h_export_get, ACCESS_ACTION, ACT_EXPORT, 0},
	{"GET", "/api/exports/:jobId/download", h_export_download, ACCESS_PUBLIC, 0, 0},
	{"GET", "/api/calls/:id/print", h_call_print, ACCESS_ACTION, ACT_DOWNLOAD, 0},

	{"GET", "/api/followups", h_followups_list, ACCESS_ACTION, ACT_READ, 0},
	{"POST", "/api/followups", h_followups_create, ACCESS_ACTION, ACT_EDIT, JSON | REQ | ROUTE_CREATED},
	{"GET", "/api/followups/:id", h_followup_get, ACCESS_ACTION, ACT_READ, 0},
	{"PATCH", "/api/followups/:id", h_followup_patch, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"DELETE", "/api/followups/:id", h_followup_delete, ACCESS_ACTION, ACT_EDIT, ROUTE_NO_CONTENT},

	{"GET", "/api/contacts/search", h_contacts_search, ACCESS_ACTION, ACT_READ, 0},
	{"GET", "/api/contacts/:id", h_contact_get, ACCESS_ACTION, ACT_READ, 0},
	{"PATCH", "/api/contacts/:id", h_contact_patch, ACCESS_ACTION, ACT_EDIT, JSON | REQ}, /* issue 6: timeZone */

	/* Compliance (issue 6): do-not-contact, blocked numbers, consent. */
	{"POST", "/api/contacts/:id/dnc", h_contact_dnc_post, ACCESS_ACTION, ACT_EDIT, JSON},
	{"PATCH", "/api/contacts/:id/dnc", h_contact_dnc_patch, ACCESS_ACTION, ACT_EDIT, JSON | REQ},
	{"DELETE", "/api/contacts/:id/dnc", h_contact_dnc_delete, ACCESS_ACTION, ACT_EDIT, ROUTE_NO_CONTENT},
	{"GET", "/api/dnc/import", h_dnc_export, ACCESS_ACTION, ACT_SETTINGS, 0},
	{"POST", "/api/dnc/import", h_dnc_import, ACCESS_ACTION, ACT_SETTINGS, ROUTE_RAW_BODY | ROUTE_UPLOAD},
	{"GET", "/api/blocked-numbers", h_blocked_list, ACCESS_ACTION, ACT_SETTINGS, 0},
	{"POST", "/api/blocked-numbers", h_blocked_add, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ | ROUTE_CREATED},
	{"DELETE", "/api/blocked-numbers/:number", h_blocked_remove, ACCESS_ACTION, ACT_SETTINGS, ROUTE_NO_CONTENT},
	{"POST", "/api/compliance/consent/:callId", h_consent_set, ACCESS_ACTION, ACT_EDIT, JSON | REQ},

	{"GET", "/ws/calls", h_ws_calls, ACCESS_ACTION, ACT_READ, ROUTE_QUERY_TOKEN},
	{"GET", "/api/notifications/follow-ups", h_notifications_followups, ACCESS_ACTION, ACT_READ, 0},

	{"GET", "/api/settings/business-hours", h_business_hours_get, ACCESS_ACTION, ACT_SETTINGS, 0},
	{"POST", "/api/settings/business-hours", h_business_hours_set, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ},
	{"GET", "/api/settings/sla-rules", h_sla_rules_get, ACCESS_ACTION, ACT_SETTINGS, 0},
	{"POST", "/api/settings/sla-rules", h_sla_rules_set, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ},
	{"POST", "/api/test/clock", h_test_clock, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ},

	{"GET", "/api/settings/disposition-rules", h_disposition_rules_get, ACCESS_ACTION, ACT_SETTINGS, 0},
	{"POST", "/api/settings/disposition-rules", h_disposition_rules_set, ACCESS_ACTION, ACT_SETTINGS, JSON | REQ},
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];

enum err api_init(struct err_detail *d)
{
	return system_openapi_init(d);
}

void api_cleanup(void)
{
	system_openapi_cleanup();
}
