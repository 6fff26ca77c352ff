// A small local stand-in for Twilio's voice REST API, for tests only. It speaks
// the real shapes:
//   POST /2010-04-01/Accounts/{AccountSid}/Calls.json
//     HTTP Basic auth AccountSid:AuthToken (401 + Twilio error 20003 otherwise),
//     form parameters To, From, Url or Twiml, StatusCallback, StatusCallbackMethod,
//     StatusCallbackEvent (repeated: initiated ringing answered completed);
//     answers 201 with a Call resource { sid: "CA" + 32 hex, status: "queued", ... };
// then plays the call out on timers (the resource in `calls` follows: status,
// start_time, end_time, duration) and POSTs status callbacks to StatusCallback,
// signed with X-Twilio-Signature (base64 HMAC-SHA1 of the URL followed by every
// parameter name and value sorted by name, keyed by the auth token), for the
// events asked for (only `completed` when none are).
//   GET /2010-04-01/Accounts/{AccountSid}/Calls.json?To=&From=&Status=
//     &ParentCallSid=&StartTime=&StartTime>=&StartTime<=&PageSize=&Page=
//     → a page { calls: [...], next_page_uri, ... }, newest first. StartTime
//     filters take a GMT date YYYY-MM-DD (or a date-time, cut to its date) and
//     match start_time, so a call not yet dialed (start_time null) never
//     matches one; `StartTime>=D` arrives as parameter "StartTime>" = D.
// Outcomes by the last digits of To, like the simulator: 0000 busy, 0001
// no-answer, 0002 failed; anything else answers after ringMs and completes
// after talkMs.
// holdBack: call statuses whose callbacks are kept back (in `held`, in firing
// order, each with its SequenceNumber) until release(held) posts them: a
// callback that arrives late, after later ones, as Twilio's may.
// Failure modes for the next N creates (POSTs): fail(n, status) (e.g. 500,
// 503, 429, 400); delay(n, ms): the request waits ms before the stand-in looks
// at it, and a call whose client gave up meanwhile is dropped unprocessed
// (outcome 'abandoned': a timeout where nothing was created; a delayed message
// is still sent); late(n, ms): the
// call is created and played out at once but its answer is held ms (a timeout
// where the vendor did create it). failList(n, status): the next n call-list
// GETs fail. `requests` records every request received (after auth and
// failure handling: see `outcome`); callsTo(to) the creates to a number,
// callLists() the list GETs.
//
// The Messages resource (SMS), same auth and failure modes:
//   POST /2010-04-01/Accounts/{AccountSid}/Messages.json  To, From, Body,
//     StatusCallback → 201 Message resource { sid: "SM" + 32 hex, status:
//     "queued", num_segments, ... }; errors 21604 (no To), 21603 (no From),
//     21602 (no Body), 21617 (body over 1,600 characters), 21610 (To is in
//     `optedOut`: "Attempt to send to unsubscribed recipient");
//   then signed status callbacks for each change of status after creation,
//     as Twilio posts them for a message sent from a number (no Messaging
//     Service): none for the initial `queued` (Twilio never posts a callback
//     for a Message's initial status), then sent → delivered, or the outcome
//     set with outcome(to, status, errorCode): sent → undelivered + ErrorCode,
//     or failed + ErrorCode straight from queued;
//   GET  .../Messages.json?To=&From=&PageSize=&Page= → a page { messages: [...],
//     next_page_uri } newest first.
//   GET  .../Messages/{Sid}.json → 200 the Message resource as it is now
//     (status, error_code, num_segments, price once sent, date_sent), or 404
//     (20404); failFetch(n, status) fails the next n of these (500, 503, 429).
// fail(n, 401) answers Twilio's 20003 "Authenticate" (bad credentials), other
// 4xx statuses a 21211 (invalid To).
// loseCallbacks = true: status callbacks are not posted (the receiver was
// down: Twilio does not retry them); the resource still moves on.
// drop(n, pad): the next n messages are created and then the connection is cut
// without an answer (an ambiguous failure for the client); pad newer messages
// to the same number are added after each (the lookup must page back).
// inbound(url, params): posts a signed inbound message as Twilio would.
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';

export function twilioSignature(authToken, url, params) {
  const keys = [...new Set(params.map(([k]) => k))].sort();
  let data = url;
  for (const k of keys) for (const [pk, v] of params) if (pk === k) data += k + v;
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Twilio's dates: RFC 2822 in GMT ("Fri, 27 Nov 2026 19:37:54 +0000").
const rfc2822 = (d) => d.toUTCString().replace('GMT', '+0000');

export class TwilioStandin {
  constructor({ accountSid, authToken, ringMs = 400, talkMs = 800, firstEventMs = 200, stepMs = 150, holdBack = [] } = {}) {
    this.accountSid = accountSid ?? 'AC' + randomBytes(16).toString('hex');
    this.authToken = authToken ?? randomBytes(16).toString('hex');
    Object.assign(this, { ringMs, talkMs, firstEventMs, stepMs });
    this.requests = [];   // { method, path, auth, params: [[k, v]...], form: {k: v}, outcome, status, at }
    this.callbacks = [];  // { url, params, status, callSid, callStatus }
    this.failures = [];   // queued statuses for the next requests
    this.delays = [];     // queued delays (ms) for the next requests
    this.timers = new Set();
    this.messages = [];   // Message resources created, oldest first
    this.calls = [];      // Call resources created, oldest first
    this.lates = [];      // queued answer holds (ms) for the next creates
    this.listFailures = []; // queued statuses for the next call-list GETs
    this.optedOut = new Set();
    this.outcomes = new Map(); // to -> { status, errorCode }
    this.drops = 0;
    this.fetchFailures = [];
    this.loseCallbacks = false;
    this.lostCallbacks = [];  // { messageSid, messageStatus } not posted
    this.holdBack = new Set(holdBack);
    this.held = [];       // callbacks kept back: { url, sid, form, callStatus, duration, seq }
  }

  failFetch(n, status) { for (let i = 0; i < n; i++) this.fetchFailures.push(status); }
  fetchesOf(sid) { return this.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/Messages/${sid}.json`)); }
  release(h) { return this.callback(h.url, h.sid, h.form, h.callStatus, h.duration, h.seq); }

  drop(n, pad = 0) { this.drops += n; this.dropPad = pad; }
  outcome(to, status, errorCode) { this.outcomes.set(to, { status, errorCode }); }
  messagesTo(to) { return this.messages.filter((m) => m.to === to); }

  fail(n, status) { for (let i = 0; i < n; i++) this.failures.push(status); }
  delay(n, ms) { for (let i = 0; i < n; i++) this.delays.push(ms); }
  late(n, ms) { for (let i = 0; i < n; i++) this.lates.push(ms); }
  failList(n, status) { for (let i = 0; i < n; i++) this.listFailures.push(status); }
  reset() { this.failures = []; this.delays = []; this.lates = []; this.listFailures = []; }
  callsTo(to) { return this.requests.filter((r) => r.method === 'POST' && r.form.To === to); }
  callLists() { return this.requests.filter((r) => r.method === 'GET' && /\/Calls\.json/.test(r.path)); }

  async start() {
    this.server = http.createServer((req, res) => this.handle(req, res).catch((e) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 20500, message: String(e), status: 500 }));
    }));
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = this.server.address().port;
    this.base = `http://127.0.0.1:${this.port}`;
    return this;
  }

  async stop() {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections?.();
    await new Promise((r) => this.server.close(r));
  }

  error(res, status, code, message) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  }

  async handle(req, res) {
    const at = Date.now(); // when the request arrived, before its body is read
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const params = [...new URLSearchParams(body)];
    const form = Object.fromEntries(params);
    const rec = { method: req.method, path: req.url, auth: req.headers.authorization ?? null, params, form, at };
    this.requests.push(rec);
    const mm = req.url.match(/^\/2010-04-01\/Accounts\/([^/?]+)\/Messages\.json(\?.*)?$/);
    if (mm) return this.handleMessages(req, res, rec, mm, form);
    const one = req.url.match(/^\/2010-04-01\/Accounts\/([^/?]+)\/Messages\/([^/?]+)\.json$/);
    if (one) return this.handleMessage(req, res, rec, one);
    const m = req.url.match(/^\/2010-04-01\/Accounts\/([^/?]+)\/Calls\.json(\?.*)?$/);
    if (!m || (req.method !== 'POST' && req.method !== 'GET')) {
      rec.outcome = 404;
      return this.error(res, 404, 20404, 'The requested resource was not found');
    }
    if (!this.authorized(rec, m[1])) {
      rec.outcome = 401;
      return this.error(res, 401, 20003, 'Authenticate');
    }
    if (req.method === 'GET') return this.listCalls(res, rec, m[2]);
    let gone = false; // the client gave up (timed out) before the answer
    res.on('close', () => { if (!res.writableFinished) gone = true; });
    const delay = this.delays.shift();
    if (delay) await sleep(delay);
    if (delay && gone) {
      rec.outcome = 'abandoned';
      return;
    }
    const failure = this.failures.shift();
    if (failure) {
      rec.outcome = failure;
      if (failure >= 500) return this.error(res, failure, 20500, 'Internal Server Error');
      if (failure === 429) return this.error(res, 429, 20429, 'Too Many Requests');
      return this.error(res, failure, 21211, "The 'To' number is not a valid phone number.");
    }
    if (!form.To || !form.From) {
      rec.outcome = 400;
      return this.error(res, 400, 21201, "No 'To' or 'From' number is specified");
    }
    if (!form.Url && !form.Twiml) {
      rec.outcome = 400;
      return this.error(res, 400, 21205, 'Url or Twiml parameter is required');
    }
    const sid = 'CA' + randomBytes(16).toString('hex');
    const now = rfc2822(new Date());
    const call = {
      sid, account_sid: this.accountSid, to: form.To, to_formatted: form.To, from: form.From, from_formatted: form.From,
      status: 'queued', direction: 'outbound-api', api_version: '2010-04-01', date_created: now, date_updated: now,
      start_time: null, end_time: null, duration: null, price: null, price_unit: 'USD', answered_by: null,
      parent_call_sid: null, phone_number_sid: null, caller_name: null, forwarded_from: null, group_sid: null,
      queue_time: '0', trunk_sid: null,
      uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${sid}.json`,
      subresource_uris: { notifications: `/2010-04-01/Accounts/${this.accountSid}/Calls/${sid}/Notifications.json`,
        recordings: `/2010-04-01/Accounts/${this.accountSid}/Calls/${sid}/Recordings.json` },
    };
    this.calls.push(call);
    rec.sid = sid;
    const created = JSON.stringify(call);
    this.play(call, form, params.filter(([k]) => k === 'StatusCallbackEvent').map(([, v]) => v));
    const late = this.lates.shift();
    if (late) {
      await sleep(late);
      rec.outcome = gone ? 'created, answer lost' : 201;
      if (gone) return;
    } else {
      rec.outcome = 201;
    }
    res.writeHead(201, { 'Content-Type': 'application/json' });
    res.end(created);
  }

  // GET Calls.json: the account's calls, filtered, newest first, a page at a time.
  listCalls(res, rec, query) {
    const failure = this.listFailures.shift();
    if (failure) {
      rec.outcome = failure;
      return this.error(res, failure, 20500, 'Internal Server Error');
    }
    const q = new URLSearchParams(query ? query.slice(1) : '');
    const day = (v) => (/^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : new Date(v).toISOString().slice(0, 10));
    const started = (c) => (c.start_time ? new Date(c.start_time).toISOString().slice(0, 10) : null);
    const tests = [];
    for (const [k, f] of [['To', 'to'], ['From', 'from'], ['Status', 'status'], ['ParentCallSid', 'parent_call_sid']])
      if (q.get(k)) tests.push((c) => c[f] === q.get(k));
    if (q.get('StartTime')) tests.push((c) => started(c) === day(q.get('StartTime')));
    if (q.get('StartTime>')) tests.push((c) => started(c) !== null && started(c) >= day(q.get('StartTime>')));
    if (q.get('StartTime<')) tests.push((c) => started(c) !== null && started(c) <= day(q.get('StartTime<')));
    const all = this.calls.filter((c) => tests.every((t) => t(c))).slice().reverse();
    const size = Math.min(Number(q.get('PageSize') ?? 50) || 50, 1000);
    const page = Math.max(Number(q.get('Page') ?? 0) || 0, 0);
    const list = all.slice(page * size, (page + 1) * size);
    const base = `/2010-04-01/Accounts/${this.accountSid}/Calls.json`;
    const filt = [...q].filter(([k]) => !['PageSize', 'Page', 'PageToken'].includes(k))
      .map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('');
    const next = (page + 1) * size < all.length ? `${base}?PageSize=${size}&Page=${page + 1}${filt}&PageToken=PA${page + 1}` : null;
    rec.outcome = 200;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ calls: list, end: page * size + list.length - 1, first_page_uri: `${base}?PageSize=${size}&Page=0${filt}`,
      next_page_uri: next, page, page_size: size, previous_page_uri: null, start: page * size,
      uri: `${base}?PageSize=${size}&Page=${page}${filt}` }));
  }

  authorized(rec, sid) {
    const wantAuth = 'Basic ' + Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64');
    return rec.auth === wantAuth && sid === this.accountSid;
  }

  // GET one Message resource (the fetch a reconcile makes).
  async handleMessage(req, res, rec, one) {
    if (!this.authorized(rec, one[1])) {
      rec.outcome = 401;
      return this.error(res, 401, 20003, 'Authenticate');
    }
    if (req.method !== 'GET') {
      rec.outcome = 405;
      return this.error(res, 405, 20004, 'Method not allowed');
    }
    const failure = this.fetchFailures.shift();
    if (failure) {
      rec.outcome = failure;
      if (failure === 429) return this.error(res, 429, 20429, 'Too Many Requests');
      return this.error(res, failure, 20500, 'Internal Server Error');
    }
    const msg = this.messages.find((x) => x.sid === one[2]);
    if (!msg) {
      rec.outcome = 404;
      return this.error(res, 404, 20404, `The requested resource /2010-04-01/Accounts/${one[1]}/Messages/${one[2]}.json was not found`);
    }
    rec.outcome = 200;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(msg));
  }

  async handleMessages(req, res, rec, mm, form) {
    if (!this.authorized(rec, mm[1])) {
      rec.outcome = 401;
      return this.error(res, 401, 20003, 'Authenticate');
    }
    if (req.method === 'GET') {
      const q = new URLSearchParams(mm[2] ? mm[2].slice(1) : '');
      const size = Math.min(Number(q.get('PageSize') ?? 50) || 50, 1000);
      const page = Math.max(Number(q.get('Page') ?? 0) || 0, 0);
      const all = this.messages.filter((x) => (!q.get('To') || x.to === q.get('To')) && (!q.get('From') || x.from === q.get('From')))
        .slice().reverse();
      const list = all.slice(page * size, (page + 1) * size);
      const base = `/2010-04-01/Accounts/${this.accountSid}/Messages.json`;
      const filt = ['To', 'From'].filter((k) => q.get(k)).map((k) => `&${k}=${encodeURIComponent(q.get(k))}`).join('');
      const uri = `${base}?PageSize=${size}&Page=${page}${filt}`;
      const next = (page + 1) * size < all.length ? `${base}?PageSize=${size}&Page=${page + 1}${filt}&PageToken=PA${page + 1}` : null;
      rec.outcome = 200;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ messages: list, end: page * size + list.length - 1,
        first_page_uri: `${base}?PageSize=${size}&Page=0${filt}`, next_page_uri: next, page, page_size: size,
        previous_page_uri: null, start: page * size, uri }));
    }
    if (req.method !== 'POST') {
      rec.outcome = 405;
      return this.error(res, 405, 20004, 'Method not allowed');
    }
    const delay = this.delays.shift();
    if (delay) await sleep(delay);
    const failure = this.failures.shift();
    if (failure) {
      rec.outcome = failure;
      if (failure >= 500) return this.error(res, failure, 20500, 'Internal Server Error');
      if (failure === 429) return this.error(res, 429, 20429, 'Too Many Requests');
      if (failure === 401) return this.error(res, 401, 20003, 'Authenticate');
      return this.error(res, failure, 21211, "The 'To' number is not a valid phone number.");
    }
    const bad = !form.To ? [21604, "A 'To' phone number is required."]
      : !form.From ? [21603, "A 'From' phone number is required."]
      : !form.Body ? [21602, 'Message body is required.']
      : [...form.Body].length > 1600 ? [21617, 'The concatenated message body exceeds the 1600 character limit.']
      : this.optedOut.has(form.To) ? [21610, 'Attempt to send to unsubscribed recipient'] : null;
    if (bad) {
      rec.outcome = 400;
      return this.error(res, 400, bad[0], bad[1]);
    }
    const sid = 'SM' + randomBytes(16).toString('hex');
    const now = new Date().toUTCString().replace('GMT', '+0000');
    const msg = {
      account_sid: this.accountSid, api_version: '2010-04-01', body: form.Body, date_created: now, date_sent: null,
      date_updated: now, direction: 'outbound-api', error_code: null, error_message: null, from: form.From,
      messaging_service_sid: null, num_media: '0', num_segments: '1', price: null, price_unit: 'USD', sid,
      status: 'queued', subresource_uris: { media: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}/Media.json` },
      to: form.To, uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json`,
    };
    this.messages.push(msg);
    rec.sid = sid;
    const dropping = this.drops > 0;
    // A dropped answer's callbacks come late (as they may), so the client cannot learn the sid from them first.
    if (form.StatusCallback) this.deliver(msg, form.StatusCallback, dropping ? 4000 : 0);
    if (dropping) {
      this.drops--;
      // Newer messages to the same number, so a lookup has to page back to find this one.
      for (let i = 0; i < (this.dropPad ?? 0); i++)
        this.messages.push({ ...msg, sid: 'SM' + randomBytes(16).toString('hex'), body: `filler ${i}` });
      rec.outcome = 'dropped';
      return req.socket.destroy();
    }
    rec.outcome = 201;
    res.writeHead(201, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(msg));
  }

  // Schedules a message's status callbacks: sent, then delivered or the set outcome (none for
  // the initial queued).
  deliver(msg, url, later = 0) {
    const o = this.outcomes.get(msg.to);
    const plan = [];
    if (o?.status === 'failed') plan.push(['failed', o.errorCode]);
    else plan.push(['sent'], o ? [o.status, o.errorCode] : ['delivered']);
    plan.forEach(([status, code], i) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        msg.status = status;
        msg.date_updated = new Date().toUTCString().replace('GMT', '+0000');
        if (code) msg.error_code = code;
        if (status === 'sent') {
          msg.date_sent = msg.date_updated;
          msg.price = (-0.0079 * Number(msg.num_segments)).toFixed(5);
        }
        if (this.loseCallbacks) {
          this.lostCallbacks.push({ messageSid: msg.sid, messageStatus: status });
          return;
        }
        const params = [['AccountSid', this.accountSid], ['ApiVersion', '2010-04-01'], ['From', msg.from], ['To', msg.to],
          ['MessageSid', msg.sid], ['SmsSid', msg.sid], ['MessageStatus', status], ['SmsStatus', status]];
        if (code) params.push(['ErrorCode', String(code)]);
        this.post(url, params, { messageSid: msg.sid, messageStatus: status }).catch(() => {});
      }, later + this.firstEventMs + i * this.stepMs);
      this.timers.add(t);
    });
  }

  // Posts a signed inbound message (From the customer, To our number) to url.
  async inbound(url, { From, To, Body }) {
    const sid = 'SM' + randomBytes(16).toString('hex');
    const params = [['ToCountry', 'US'], ['SmsMessageSid', sid], ['NumMedia', '0'], ['SmsSid', sid],
      ['SmsStatus', 'received'], ['Body', Body], ['To', To], ['NumSegments', '1'], ['MessageSid', sid],
      ['AccountSid', this.accountSid], ['From', From], ['ApiVersion', '2010-04-01'], ['FromCountry', 'US']];
    const r = await this.post(url, params, { messageSid: sid, inbound: true });
    return { sid, status: r.status, params };
  }

  async post(url, params, info) {
    const sig = twilioSignature(this.authToken, url, params);
    const rec = { url, params, ...info, at: Date.now() };
    this.callbacks.push(rec);
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig, 'User-Agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(params).toString(),
    });
    rec.status = r.status;
    rec.text = await r.text();
    return rec;
  }

  // Schedules the call's life: its resource follows every step, and the
  // status callbacks asked for are posted (when there is a StatusCallback).
  play(call, form, events) {
    const want = new Set(events.length ? events : ['completed']);
    const t0 = this.firstEventMs, t1 = t0 + this.stepMs, t2 = t1 + this.ringMs;
    const talk = Math.round(this.talkMs / 1000);
    const plan = [[t0, 'initiated', 'initiated']];
    if (form.To.endsWith('0002')) plan.push([t1, 'completed', 'failed', 0]);
    else {
      plan.push([t1, 'ringing', 'ringing']);
      if (form.To.endsWith('0000')) plan.push([t2, 'completed', 'busy', 0]);
      else if (form.To.endsWith('0001')) plan.push([t2, 'completed', 'no-answer', 0]);
      else plan.push([t2, 'answered', 'in-progress'], [t2 + this.talkMs, 'completed', 'completed', talk]);
    }
    let seq = 0;
    for (const [at, event, callStatus, duration] of plan) {
      const n = want.has(event) && form.StatusCallback ? seq++ : -1;
      const held = n >= 0 && this.holdBack.has(callStatus);
      if (held) this.held.push({ url: form.StatusCallback, sid: call.sid, form, callStatus, duration, seq: n });
      const t = setTimeout(() => {
        this.timers.delete(t);
        const now = rfc2822(new Date());
        if (callStatus === 'initiated') call.start_time = now;
        else call.status = callStatus;
        if (duration !== undefined) Object.assign(call, { end_time: now, duration: String(duration) });
        call.date_updated = now;
        if (n >= 0 && !held) this.callback(form.StatusCallback, call.sid, form, callStatus, duration, n).catch(() => {});
      }, at);
      this.timers.add(t);
    }
  }

  async callback(url, sid, form, callStatus, duration, seq) {
    const params = [
      ['AccountSid', this.accountSid], ['ApiVersion', '2010-04-01'], ['CallSid', sid], ['CallStatus', callStatus],
      ['Called', form.To], ['Caller', form.From], ['Direction', 'outbound-api'], ['From', form.From], ['To', form.To],
      ['Timestamp', new Date().toUTCString().replace('GMT', '+0000')], ['SequenceNumber', String(seq)],
      ['CallbackSource', 'call-progress-events'],
    ];
    if (duration !== undefined) params.push(['CallDuration', String(duration)], ['Duration', String(duration)]);
    const sig = twilioSignature(this.authToken, url, params);
    const rec = { url, callSid: sid, callStatus, params, at: Date.now() };
    this.callbacks.push(rec);
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig, 'User-Agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(params).toString(),
    });
    rec.status = r.status;
    rec.text = await r.text();
    return rec;
  }
}
