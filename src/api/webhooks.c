/* Vendor webhooks: POST /api/webhooks/telephony (Twilio form posts, answered
 * with TwiML) and POST /api/webhooks/transcription (JSON, signed like
 * Stripe's webhooks). Neither has a principal: the signature is the
 * credential. Both refuse everything with 403 when their secret is not
 * configured, and honour the optional IP allowlist (webhook_allow; the
 * X-Forwarded-For address counts only when the peer is a trusted proxy).
 *
 * TwiML answers to an inbound call (URL = this webhook's URL as Twilio signed
 * it, without its query):
 *   suspended number  <Reject/>
 *   forward           <Dial action=URL [record recordingStatusCallback=URL]>forwardTo</Dial>
 *   overflow          the same with timeout="20"
 *   voicemail         <Say>greeting</Say><Record action=URL recordingStatusCallback=URL/>
 *   ai                the AI receptionist (SWITCHBOARD_AI_RECEPTIONIST_URL, see twiml_ai);
 *                     voicemail when none is configured
 *   blocked caller    <Reject/> (nothing is created: see domain/inbound.c)
 * The <Dial> action (a post with DialCallStatus) is answered with the
 * voicemail verbs when an overflow went unanswered, else <Hangup/> (verbs
 * after a <Dial> with an action are never reached, so none are given); the
 * <Record> action with <Hangup/>. Other events get an empty <Response/>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/webhook_auth.h"
#include "core/cidr.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/form.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/twilio_sig.h"
#include "domain/inbound.h"
#include "store/model.h"

#define XML_TYPE "text/xml; charset=utf-8"
#define SIG_TOLERANCE_SEC 300
#define SIG_MAX_V1 8
#define TRANSCRIPT_MAX_SEGMENTS 20000
#define VM_GREETING "Sorry, nobody can take your call right now. Please leave a message after the tone."

/* ---- who may post ---- */

/* The address the request came from: the peer, or, when the peer is a
 * trusted proxy, the nearest X-Forwarded-For hop that is not one. */
static const char *origin_ip(struct req *r, const struct cidr_list *proxies)
{
	const char *xff = req_header(r, "X-Forwarded-For");
	if (!xff || !proxies->n || !cidr_list_match(proxies, r->client_ip))
		return r->client_ip;
	char *copy = arena_strdup(r->arena, xff);
	if (!copy)
		return r->client_ip;
	for (;;) {
		char *comma = strrchr(copy, ',');
		char *hop = comma ? comma + 1 : copy;
		while (*hop == ' ')
			hop++;
		size_t n = strlen(hop);
		while (n && hop[n - 1] == ' ')
			hop[--n] = 0;
		if (!comma || !cidr_list_match(proxies, hop))
			return *hop ? hop : r->client_ip;
		*comma = 0;
	}
}

static enum err check_origin(struct req *r)
{
	struct cidr_list allow, proxies;
	struct err_detail cd = {0};
	if (!r->cfg->webhook_allow || !r->cfg->webhook_allow[0])
		return ERR_OK;
	if (cidr_list_parse(r->cfg->webhook_allow, &allow, &cd) != ERR_OK ||
	    cidr_list_parse(r->cfg->trusted_proxies, &proxies, &cd) != ERR_OK) {
		log_error("webhook allowlist or trusted proxies: %s", cd.detail);
		return err_set(&r->err, ERR_FORBIDDEN, "webhooks are refused: the address allowlist is misconfigured");
	}
	const char *ip = origin_ip(r, &proxies);
	if (!cidr_list_match(&allow, ip))
		return err_set(&r->err, ERR_FORBIDDEN, "webhooks are not accepted from %s", ip);
	return ERR_OK;
}

/* ---- telephony ---- */

/* The URL the vendor signed, as Twilio builds it: the public base URL (or
 * http://Host) followed by the request target exactly as sent, raw path and
 * raw query string (not re-encoded: "%20" and "+" differ, and so does the
 * order of parameters). */
static const char *signed_url(struct req *r)
{
	const char *base = r->cfg->public_url;
	size_t blen = base ? strlen(base) : 0;
	while (blen && base[blen - 1] == '/')
		blen--;
	const char *host = req_header(r, "Host");
	const char *target = r->target && r->target[0] == '/' ? r->target : r->path;
	return blen ? arena_printf(r->arena, "%.*s%s", (int)blen, base, target)
		    : arena_printf(r->arena, "http://%s%s", host ? host : "localhost", target);
}

/* Our webhook URL for TwiML callbacks (recordings), without a query. */
static const char *callback_url(struct req *r, const char *signed_u)
{
	size_t n = strcspn(signed_u, "?");
	return arena_strndup(r->arena, signed_u, n);
}

static int64_t form_int(const struct form *f, const char *key)
{
	const char *v = form_get(f, key);
	if (!v || !*v)
		return I64_NULL;
	char *end;
	long long n = strtoll(v, &end, 10);
	return (*end || n < 0 || n > 10000000) ? I64_NULL : n;
}

static void xml_text(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&apos;"); break;
		default: buf_append(b, s, 1); break;
		}
	}
}

static void twiml_voicemail(struct buf *b, const char *url)
{
	buf_puts(b, "<Say>" VM_GREETING "</Say><Record action=\"");
	xml_text(b, url);
	buf_puts(b, "\" method=\"POST\" maxLength=\"120\" playBeep=\"true\" recordingStatusCallback=\"");
	xml_text(b, url);
	buf_puts(b, "\" recordingStatusCallbackMethod=\"POST\"/>");
}

/* Rings the number's forward. Its end is posted to our action URL with
 * DialCallStatus (the answered/missed signal: Twilio sends an inbound call no
 * in-progress callback), and a recording of it to recordingStatusCallback. */
static void twiml_dial(struct buf *b, const struct tel_result *res, const char *url)
{
	buf_puts(b, "<Dial action=\"");
	xml_text(b, url);
	buf_puts(b, "\" method=\"POST\"");
	if (res->answer == ANSWER_OVERFLOW)
		buf_puts(b, " timeout=\"20\"");
	if (res->record) {
		buf_puts(b, " record=\"record-from-answer-dual\" recordingStatusCallback=\"");
		xml_text(b, url);
		buf_puts(b, "\" recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed\"");
	}
	buf_puts(b, ">");
	xml_text(b, res->forward_to);
	buf_puts(b, "</Dial>");
}

/* The AI receptionist (ai_receptionist_url): a wss:// media endpoint gets the
 * call's audio both ways (<Connect><Stream>, with our call id as a stream
 * parameter); an https:// URL takes over the call's
 * TwiML (<Redirect>, Twilio posts the call's parameters there); a sip: URI
 * is dialed (<Dial><Sip>). False when none is configured. */
static bool twiml_ai(struct buf *b, const char *target, const struct tel_result *res)
{
	if (!target || !*target)
		return false;
	if (!strncmp(target, "wss://", 6)) {
		buf_puts(b, "<Connect><Stream url=\"");
		xml_text(b, target);
		buf_puts(b, "\">");
		if (res->call_id) {
			buf_puts(b, "<Parameter name=\"callId\" value=\"");
			xml_text(b, res->call_id);
			buf_puts(b, "\"/>");
		}
		buf_puts(b, "</Stream></Connect>");
	} else if (!strncmp(target, "sip:", 4)) {
		buf_puts(b, "<Dial><Sip>");
		xml_text(b, target);
		buf_puts(b, "</Sip></Dial>");
	} else {
		buf_puts(b, "<Redirect method=\"POST\">");
		xml_text(b, target);
		buf_puts(b, "</Redirect>");
	}
	return true;
}

static enum err reply_twiml(struct req *r, const struct tel_result *res, const char *url)
{
	struct buf b;
	buf_init(&b, 16384);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
	if (res->kind == TEL_RECORDING) {
		buf_puts(&b, "<Hangup/>"); /* the Record action: the message is in, end the call */
	} else if (res->kind == TEL_DIAL) {
		if (res->answer == ANSWER_VOICEMAIL) /* an overflow nobody answered */
			twiml_voicemail(&b, url);
		else
			buf_puts(&b, "<Hangup/>");
	} else if (res->kind == TEL_INBOUND) {
		switch (res->answer) {
		case ANSWER_REJECT:
			buf_puts(&b, "<Reject/>");
			break;
		case ANSWER_FORWARD:
		case ANSWER_OVERFLOW:
			twiml_dial(&b, res, url);
			break;
		case ANSWER_AI:
		case ANSWER_VOICEMAIL: /* also ai without a configured AI receptionist */
			if (res->answer != ANSWER_AI || !twiml_ai(&b, r->cfg->ai_receptionist_url, res))
				twiml_voicemail(&b, url);
			break;
		case ANSWER_HANGUP:
			buf_puts(&b, "<Hangup/>");
			break;
		}
	}
	enum err rc = buf_puts(&b, "</Response>");
	if (rc != ERR_OK) {
		buf_cleanup(&b);
		return rc;
	}
	size_t len = b.len;
	char *data = b.data; /* handed over: not cleaned up here */
	return reply_bytes(r, XML_TYPE, data, len);
}

static void event_from_form(const struct form *f, struct tel_event *ev)
{
	ev->call_sid = form_get(f, "CallSid");
	ev->account_sid = form_get(f, "AccountSid");
	ev->from = form_get(f, "From");
	ev->to = form_get(f, "To");
	ev->call_status = form_get(f, "CallStatus");
	ev->direction = form_get(f, "Direction");
	ev->answered_by = form_get(f, "AnsweredBy");
	ev->recording_sid = form_get(f, "RecordingSid");
	ev->recording_url = form_get(f, "RecordingUrl");
	ev->recording_status = form_get(f, "RecordingStatus");
	ev->call_duration = form_int(f, "CallDuration");
	ev->recording_duration = form_int(f, "RecordingDuration");
	ev->caller_name = form_get(f, "CallerName");
	ev->dial_call_status = form_get(f, "DialCallStatus");
	ev->dial_call_sid = form_get(f, "DialCallSid");
	ev->dial_call_duration = form_int(f, "DialCallDuration");
	ev->sequence_number = form_int(f, "SequenceNumber");
}

/* A telephony answer waiting for its new call's commit. */
struct tel_answer_ctx {
	struct tel_result res;
	const char *callback;
};

static void wake_request(void *arg)
{
	req_resume(arg);
}

/* Back on the request's thread after the commit: answer only now. */
static enum err telephony_finish(struct req *r, void *ctx)
{
	struct tel_answer_ctx *t = ctx;
	enum err rc = inbound_event_finish(&t->res);
	return rc != ERR_OK ? rc : reply_twiml(r, &t->res, t->callback);
}

/* The checks every Twilio-signed webhook passes, in this order: the sender's
 * address, a configured auth token, the X-Twilio-Signature over the URL and
 * the parameters as sent, and only then the body itself. A body that is no
 * valid form is still checked as Twilio would have signed it (form_parse_raw):
 * wrongly signed, it is 403 like any other; rightly signed, 400. A signed JSON
 * body (bodySHA256) is verified, then refused: these events come as forms. */
static enum err twilio_verify(struct req *r, struct form *f, const char **url)
{
	enum err rc = check_origin(r);
	if (rc != ERR_OK)
		return rc;
	const char *token = r->cfg->twilio_auth_token;
	if (!token || !*token)
		return err_set(&r->err, ERR_FORBIDDEN, "Twilio webhooks are refused: no auth token is configured");
	const char *sig = req_header(r, "X-Twilio-Signature");
	if (!sig || !*sig)
		return err_set(&r->err, ERR_FORBIDDEN, "the X-Twilio-Signature header is missing");
	const char *body = r->body.len ? r->body.data : "";
	if (!(*url = signed_url(r)))
		return ERR_NOMEM;
	bool json_variant = strstr(*url, "bodySHA256=") != NULL, clean = true;
	*f = (struct form){0};
	if (!json_variant && (rc = form_parse_raw(r->arena, body, r->body.len, f, &clean)) != ERR_OK) {
		if (rc == ERR_NOMEM)
			return rc;
		return err_set(&r->err, ERR_FORBIDDEN, "the X-Twilio-Signature cannot match: the body has more than %d parameters",
			       FORM_MAX_PARAMS);
	}
	if (!twilio_sig_valid(token, *url, f, body, r->body.len, sig))
		return err_set(&r->err, ERR_FORBIDDEN, "the X-Twilio-Signature does not match this request");
	if (json_variant)
		return err_set(&r->err, ERR_INVALID, "send these events as form posts");
	if (!clean)
		return err_set(&r->err, ERR_INVALID, "the body is not a valid application/x-www-form-urlencoded form");
	return ERR_OK;
}

enum err h_webhook_telephony(struct req *r)
{
	struct form f;
	const char *url = NULL;
	enum err rc = twilio_verify(r, &f, &url);
	if (rc != ERR_OK)
		return rc;
	struct tel_event ev;
	event_from_form(&f, &ev);
	ev.ai_receptionist = r->cfg->ai_receptionist_url && r->cfg->ai_receptionist_url[0];
	struct tel_answer_ctx *t = arena_alloc(r->arena, sizeof *t);
	if (!t)
		return ERR_NOMEM;
	t->callback = callback_url(r, url);
	/* Deferred before the work is handed over (the writer may finish at once);
	 * a reply or an error below makes the deferral moot. */
	req_defer(r, telephony_finish, t);
	if ((rc = inbound_event_async(r->db, &ev, r->arena, &t->res, &r->err, wake_request, r)) != ERR_OK)
		return rc;
	if (t->res.pending) /* the write is with the group-commit writer */
		return ERR_OK;
	return reply_twiml(r, &t->res, t->callback);
}

/* ---- transcription ---- */

struct stripe_sig {
	long long t;
	const char *v1[SIG_MAX_V1];
	size_t v1_len[SIG_MAX_V1];
	int nv1;
};

/* "t=<unix>,v1=<hex>[,v1=<hex>...]" (other schemes ignored). */
static bool sig_parse(const char *h, struct stripe_sig *s)
{
	memset(s, 0, sizeof *s);
	bool have_t = false;
	while (h && *h) {
		size_t n = strcspn(h, ",");
		while (n && *h == ' ')
			h++, n--;
		if (n > 2 && !strncmp(h, "t=", 2)) {
			char *end;
			s->t = strtoll(h + 2, &end, 10);
			have_t = end == h + n && end > h + 2;
		} else if (n > 3 && !strncmp(h, "v1=", 3) && s->nv1 < SIG_MAX_V1) {
			s->v1[s->nv1] = h + 3;
			s->v1_len[s->nv1++] = n - 3;
		}
		h += n;
		if (*h == ',')
			h++;
	}
	return have_t && s->nv1 > 0;
}

/* The v1 that matches, or -1; key (65 bytes) gets the matched signature as
 * lower-case hex, the one spelling of it that replays are remembered by (the
 * comparison ignores the case of the hex, so the key must too). */
static int sig_match(const char *secret, const struct stripe_sig *s, const char *body, size_t len, struct arena *a,
		     char key[65])
{
	char *payload = arena_alloc(a, len + 32);
	if (!payload)
		return -1;
	int pre = snprintf(payload, 32, "%lld.", s->t);
	memcpy(payload + pre, body, len);
	unsigned char mac[32];
	char want[65], got[65];
	if (crypto_hmac_sha256(secret, strlen(secret), payload, (size_t)pre + len, mac) != 32)
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(want + 2 * i, 3, "%02x", mac[i]);
	int found = -1;
	for (int i = 0; i < s->nv1; i++) {
		size_t n = s->v1_len[i] < 64 ? s->v1_len[i] : 64;
		memcpy(got, s->v1[i], n);
		got[n] = 0;
		for (size_t k = 0; k < n; k++)
			got[k] = (char)((got[k] >= 'A' && got[k] <= 'F') ? got[k] + 32 : got[k]);
		if (s->v1_len[i] == 64 && crypto_streq(want, got) && found < 0)
			found = i;
	}
	crypto_wipe(payload, (size_t)pre + len);
	if (found >= 0)
		memcpy(key, want, sizeof want);
	return found;
}

static enum err check_stripe_sig(struct req *r, const char **used)
{
	const char *secret = r->cfg->transcription_secret;
	if (!secret || !*secret)
		return err_set(&r->err, ERR_FORBIDDEN, "transcription webhooks are refused: no secret is configured");
	struct stripe_sig s;
	if (!sig_parse(req_header(r, "X-Switchboard-Signature"), &s))
		return err_set(&r->err, ERR_FORBIDDEN, "the X-Switchboard-Signature header is missing or malformed");
	long long now = clock_now_ms() / 1000;
	if (s.t < now - SIG_TOLERANCE_SEC || s.t > now + SIG_TOLERANCE_SEC)
		return err_set(&r->err, ERR_FORBIDDEN, "the signature's timestamp is outside the %d s tolerance",
			       SIG_TOLERANCE_SEC);
	char key[65];
	if (sig_match(secret, &s, r->body.len ? r->body.data : "", r->body.len, r->arena, key) < 0)
		return err_set(&r->err, ERR_FORBIDDEN, "the X-Switchboard-Signature does not match this request");
	*used = arena_printf(r->arena, "sig:%s", key);
	return *used ? ERR_OK : ERR_NOMEM;
}

static double num(json_t *v)
{
	return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

/* One segment {speaker, start, end, text, confidence?}; its text is appended to b. */
static void check_segment(struct req *r, json_t *seg, size_t i, struct buf *b)
{
	char field[64];
	snprintf(field, sizeof field, "transcript.segments[%zu]", i);
	json_t *sp = json_object_get(seg, "speaker"), *st = json_object_get(seg, "start"),
	       *en = json_object_get(seg, "end"), *tx = json_object_get(seg, "text"),
	       *cf = json_object_get(seg, "confidence");
	if (!json_is_object(seg) || !json_is_string(sp) || !json_is_number(st) || !json_is_number(en) ||
	    !json_is_string(tx)) {
		err_field_add(&r->err, field, "needs speaker (string), start and end (seconds) and text (string)");
		return;
	}
	if (num(st) < 0 || num(en) < num(st))
		err_field_add(&r->err, field, "end must not be before start, and start not negative");
	if (cf && (!json_is_number(cf) || num(cf) < 0 || num(cf) > 1))
		err_field_add(&r->err, field, "confidence must be a number from 0 to 1");
	if (b->len)
		buf_puts(b, " ");
	if (buf_puts(b, json_string_value(tx)) != ERR_OK)
		err_field_add(&r->err, "transcript", "is too long");
}

static enum err parse_transcript(struct req *r, json_t *root, struct transcript_in *in)
{
	json_t *t = json_object_get(root, "transcript"), *id = json_object_get(root, "callId");
	if (!json_is_string(id) || !id_valid(json_string_value(id)))
		err_field_add(&r->err, "callId", "must be a call id");
	else
		in->call_id = arena_strdup(r->arena, json_string_value(id)); /* outlives the parsed body */
	if (!json_is_object(t))
		return err_field_add(&r->err, "transcript", "must be an object");
	json_t *segs = json_object_get(t, "segments"), *text = json_object_get(t, "text"),
	       *conf = json_object_get(t, "confidence"), *lang = json_object_get(t, "language");
	if (!json_is_array(segs) || json_array_size(segs) > TRANSCRIPT_MAX_SEGMENTS)
		err_field_add(&r->err, "transcript.segments", "must be an array of at most %d segments",
			      TRANSCRIPT_MAX_SEGMENTS);
	if (text && !json_is_string(text) && !json_is_null(text))
		err_field_add(&r->err, "transcript.text", "must be a string");
	if (conf && !json_is_null(conf) && (!json_is_number(conf) || num(conf) < 0 || num(conf) > 1))
		err_field_add(&r->err, "transcript.confidence", "must be a number from 0 to 1");
	if (lang && !json_is_null(lang) && (!json_is_string(lang) || json_string_length(lang) > 16))
		err_field_add(&r->err, "transcript.language", "must be a language tag such as en-US");
	struct buf b;
	buf_init(&b, r->cfg->max_body);
	for (size_t i = 0; json_is_array(segs) && i < json_array_size(segs) && !r->err.nfields; i++)
		check_segment(r, json_array_get(segs, i), i, &b);
	/* Searchable text: the segments' text joined; the given text when there are no segments. */
	if (!b.len && json_is_string(text))
		in->text = arena_strdup(r->arena, json_string_value(text));
	else
		in->text = arena_strdup(r->arena, buf_cstr(&b));
	buf_cleanup(&b);
	in->confidence = json_is_number(conf) ? (int64_t)(num(conf) * 100 + 0.5) : I64_NULL;
	in->language = json_is_string(lang) ? arena_strdup(r->arena, json_string_value(lang)) : NULL;
	char *body = json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER);
	in->body = arena_strdup(r->arena, body);
	free(body);
	enum err rc = input_result(r);
	return rc != ERR_OK ? rc : (!in->text || !in->body) ? ERR_NOMEM : ERR_OK;
}

enum err h_webhook_transcription(struct req *r)
{
	const char *used = NULL;
	enum err rc = check_origin(r);
	if (rc == ERR_OK)
		rc = check_stripe_sig(r, &used);
	if (rc != ERR_OK)
		return rc;
	bool fresh = false;
	int64_t now = clock_now_ms();
	/* Remembered for twice the tolerance: a timestamp can be off either way. */
	if ((rc = inbound_signature_claim(r->db, "transcription", used, now, 2000LL * SIG_TOLERANCE_SEC, &fresh)) != ERR_OK)
		return rc;
	if (!fresh)
		return err_set(&r->err, ERR_FORBIDDEN, "this signature was already used: a replayed delivery is refused");
	json_error_t je;
	json_t *root = json_loadb(r->body.len ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return err_set(&r->err, ERR_INVALID, "the body must be a JSON object { callId, transcript }");
	}
	struct transcript_in in = {0};
	rc = parse_transcript(r, root, &in);
	if (rc == ERR_OK)
		rc = inbound_transcript(r->db, &in, r->arena, &r->err);
	json_decref(root);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 256, 4096);
	jw_obj_begin(&w);
	jw_kstr(&w, "callId", in.call_id);
	jw_kbool(&w, "hasTranscript", true);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

/* ---- shared with other Twilio-signed webhooks (api/webhook_auth.h) ---- */

enum err webhook_twilio_verify(struct req *r, struct form *f, const char **url)
{
	return twilio_verify(r, f, url);
}
