// Telephony webhooks: tracking numbers (CRUD, roles, validation, CLI), signed
// Twilio form posts creating inbound calls (REST list + WebSocket new_call),
// every status transition, missed/voicemail outcomes with their SLA
// follow-ups, recordings, transcripts (Stripe-style signatures) searchable by
// `search`, and everything refused or ignored: wrong signatures, stale
// timestamps, disallowed addresses, replayed deliveries.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Server, cli, expectProblem } from './harness.mjs';
import { twilioSignature, postSigned, stripeSignature } from './twilio_sign.mjs';

const TOKEN = 'test-auth-token-1234';
const SECRET = 'whsec_test_secret';
const ENV = { SWITCHBOARD_TWILIO_AUTH_TOKEN: TOKEN, SWITCHBOARD_TRANSCRIPTION_SECRET: SECRET };
const TRACKING = '+14155550100';
const ALL_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

let srv, admin, owner, dispatcher, viewer, otherAdmin, numberId;
let sidSeq = 0;
const newSid = () => `CA${String(Date.now())}${String(++sidSeq).padStart(6, '0')}`;
const hookUrl = () => `http://127.0.0.1:${srv.port}/api/webhooks/telephony`;
const hook = (params, opts) => postSigned(hookUrl(), TOKEN, params, opts);
const inbound = (from, sid = newSid(), to = TRACKING) =>
  hook({ CallSid: sid, AccountSid: 'ACtest', From: from, To: to, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' }).then((r) => ({ ...r, sid }));
const status = (sid, CallStatus, extra = {}) =>
  hook({ CallSid: sid, AccountSid: 'ACtest', CallStatus, Direction: 'inbound', From: '+12125550000', To: TRACKING, ...extra });
const callBySid = async (sid) => {
  const list = await srv.req('GET', '/api/calls?limit=100', { token: owner });
  const row = list.json.data.find((c) => c.callSid === sid);
  return row && (await srv.req('GET', `/api/calls/${row.id}`, { token: owner })).json.call;
};
const auditOf = async (id) => (await srv.req('GET', `/api/audit/calls/${id}`, { token: owner })).json.events;
const hours = (days) => srv.req('POST', '/api/settings/business-hours', { token: owner, body: { timeZone: 'UTC', days } });
const alwaysOpen = () => hours(Object.fromEntries(ALL_DAYS.map((d) => [d, [{ open: '00:00', close: '24:00' }]])));

function connect(token) {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/calls?token=${token}`);
  ws.events = [];
  ws.on('message', (m) => ws.events.push(JSON.parse(m.toString())));
  ws.opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  ws.waitFor = async (pred, ms = 3000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const e = ws.events.find(pred);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no matching event; got ' + JSON.stringify(ws.events.map((e) => e.type)));
  };
  return ws;
}

before(async () => {
  srv = await new Server({ env: ENV }).start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  admin = srv.token('acme', 'admin', 'admin@acme.test');
  dispatcher = srv.token('acme', 'dispatcher', 'disp@acme.test');
  viewer = srv.token('acme', 'viewer', 'viewer@acme.test');
  otherAdmin = srv.token('other', 'admin', 'admin@other.test');
  await alwaysOpen();
});
after(() => srv.stop());

describe('tracking numbers', () => {
  test('create, list, change, delete; Number JSON', async () => {
    const r = await srv.req('POST', '/api/numbers', { token: admin,
      body: { e164: '(415) 555-0100', label: 'Main line', routingMode: 'human', afterHours: 'vm',
        hours: { timeZone: 'UTC', days: { mon: [{ open: '08:00', close: '17:00' }] } } } });
    assert.equal(r.status, 201, r.text);
    const n = r.json.number;
    numberId = n.id;
    assert.equal(n.e164, TRACKING);
    assert.equal(n.label, 'Main line');
    assert.equal(n.status, 'active');
    assert.equal(n.routingMode, 'human');
    assert.equal(n.afterHours, 'vm');
    assert.equal(n.forwardTo, null);
    assert.equal(n.recordingOptIn, false);
    assert.deepEqual(n.hours, { timeZone: 'UTC', days: { ...Object.fromEntries(ALL_DAYS.map((d) => [d, []])),
      mon: [{ open: '08:00', close: '17:00' }] }, holidays: [] });
    assert.ok(n.workspaceId && Date.parse(n.createdAt) && Date.parse(n.updatedAt));

    const list = await srv.req('GET', '/api/numbers', { token: admin });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.data.map((x) => x.id), [n.id]);

    const p = await srv.req('PATCH', `/api/numbers/${n.id}`, { token: owner, body: { label: null, recordingOptIn: true, forwardTo: '415-555-0199' } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.number.label, null);
    assert.equal(p.json.number.recordingOptIn, true);
    assert.equal(p.json.number.forwardTo, '+14155550199');
    assert.deepEqual(p.json.number.hours, n.hours, 'untouched fields stay');
    // hours: null drops the number's own hours (the workspace's decide after-hours again, as the tests below expect).
    const back = await srv.req('PATCH', `/api/numbers/${n.id}`, { token: owner, body: { label: 'Main line', recordingOptIn: false, forwardTo: null, hours: null } });
    assert.equal(back.json.number.forwardTo, null);
    assert.equal(back.json.number.hours, null);

    const tmp = await srv.req('POST', '/api/numbers', { token: admin, body: { e164: '+1 415 555 0142' } });
    assert.equal(tmp.status, 201);
    const del = await srv.req('DELETE', `/api/numbers/${tmp.json.number.id}`, { token: admin });
    assert.equal(del.status, 204);
    expectProblem(assert, await srv.req('DELETE', `/api/numbers/${tmp.json.number.id}`, { token: admin }), 404);
    expectProblem(assert, await srv.req('PATCH', `/api/numbers/${n.id}`, { token: otherAdmin, body: { label: 'x' } }), 404);
    expectProblem(assert, await srv.req('PATCH', '/api/numbers/not-an-id', { token: admin, body: { label: 'x' } }), 404);
  });

  test('a number belongs to one workspace across the system: 409', async () => {
    expectProblem(assert, await srv.req('POST', '/api/numbers', { token: admin, body: { e164: '+1 (415) 555-0100' } }), 409);
    expectProblem(assert, await srv.req('POST', '/api/numbers', { token: otherAdmin, body: { e164: TRACKING } }), 409);
  });

  test('validation errors name the field', async () => {
    for (const [body, field] of [
      [{}, 'e164'], [{ e164: '12' }, 'e164'], [{ e164: '+14155550111', status: 'gone' }, 'status'],
      [{ e164: '+14155550111', routingMode: 'robot' }, 'routingMode'], [{ e164: '+14155550111', afterHours: 'forward' }, 'forwardTo'],
      [{ e164: '+14155550111', forwardTo: 'nope' }, 'forwardTo'], [{ e164: '+14155550111', hours: 5 }, 'hours'],
      [{ e164: '+14155550111', recordingOptIn: 'yes' }, 'recordingOptIn'], [{ e164: '+14155550111', colour: 'red' }, 'colour'],
      [{ e164: '+14155550111', status: null }, 'status'],
    ]) {
      const r = await srv.req('POST', '/api/numbers', { token: admin, body });
      expectProblem(assert, r, 400);
      assert.ok(r.json.errors.some((e) => e.field === field), `${field}: ${r.text}`);
    }
    const r = await srv.req('PATCH', `/api/numbers/${numberId}`, { token: admin, body: { e164: '+14155550111' } });
    expectProblem(assert, r, 400);
  });

  test('Admin and Owner only', async () => {
    for (const t of [dispatcher, viewer]) {
      expectProblem(assert, await srv.req('GET', '/api/numbers', { token: t }), 403);
      expectProblem(assert, await srv.req('POST', '/api/numbers', { token: t, body: { e164: '+14155550123' } }), 403);
      expectProblem(assert, await srv.req('DELETE', `/api/numbers/${numberId}`, { token: t }), 403);
    }
    expectProblem(assert, await srv.req('GET', '/api/numbers'), 401);
  });

  test('CLI: switchboard number add', () => {
    const r = cli(['number', 'add', '--workspace', 'other', '--e164', '(212) 555-0100', '--label', 'NYC'], { dataDir: srv.dataDir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^[0-9a-f-]{36} \+12125550100\n$/);
    const dup = cli(['number', 'add', '--workspace', 'acme', '--e164', '+12125550100'], { dataDir: srv.dataDir });
    assert.equal(dup.status, 2);
    assert.match(dup.stderr, /already a tracking number/);
    assert.equal(cli(['number', 'add', '--workspace', 'nope', '--e164', '+12125550101'], { dataDir: srv.dataDir }).status, 2);
    assert.equal(cli(['number', 'add', '--workspace', 'acme'], { dataDir: srv.dataDir }).status, 2);
  });
});

describe('inbound calls', () => {
  test('a call appears in GET /api/calls and on the WebSocket feed, with TwiML', async () => {
    const ws = connect(dispatcher);
    await ws.opened;
    const r = await inbound('+1 (212) 555-0101');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/xml/);
    assert.match(r.text, /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Say>[^<]+<\/Say><Record action="http:\/\/127.0.0.1:\d+\/api\/webhooks\/telephony"/);
    const c = await callBySid(r.sid);
    assert.ok(c, 'the call is listed');
    assert.equal(c.direction, 'in');
    assert.equal(c.status, 'ringing');
    assert.equal(c.fromE164, '+12125550101');
    assert.equal(c.toE164, TRACKING);
    assert.equal(c.numberId, numberId);
    assert.equal(c.firstTimeCaller, true);
    assert.equal(c.priorCalls, 0);
    assert.equal(c.afterHours, false);
    assert.equal(c.outcomeRequired, true);
    assert.equal(c.queueStatus, 'triage');
    const e = await ws.waitFor((x) => x.type === 'new_call' && x.data.callId === c.id);
    assert.equal(e.data.fromE164, '+12125550101');
    assert.equal(e.data.firstTimeCaller, true);
    assert.equal(e.data.callSid, r.sid);
    const audit = await auditOf(c.id);
    assert.equal(audit[0].action, 'call.created');
    assert.match(JSON.stringify(audit[0]), /webhook/);
    ws.close();
  });

  test('second call: not first-time, linked to the contact; after hours', async () => {
    const first = await inbound('+12125550102');
    const c1 = await callBySid(first.sid);
    const link = await srv.req('POST', `/api/calls/${c1.id}/link-contact`, { token: owner, body: { name: 'Pat Plumber' } });
    assert.ok(link.status < 300, link.text);
    assert.equal((await hours({})).status, 200); // closed all week
    try {
      const ws = connect(owner);
      await ws.opened;
      const second = await inbound('212.555.0102');
      const c2 = await callBySid(second.sid);
      assert.equal(c2.firstTimeCaller, false);
      assert.equal(c2.priorCalls, 1);
      assert.equal(c2.afterHours, true);
      assert.ok(c2.contactId, 'linked to the contact that owns the number');
      assert.equal(c2.contact.name, 'Pat Plumber');
      const e = await ws.waitFor((x) => x.type === 'new_call' && x.data.callId === c2.id);
      assert.equal(e.data.afterHours, true);
      assert.equal(e.data.contactName, 'Pat Plumber');
      ws.close();
    } finally {
      await alwaysOpen();
    }
  });

  test('routing: forward, overflow, suspended → Reject with nothing created', async () => {
    const patch = (body) => srv.req('PATCH', `/api/numbers/${numberId}`, { token: admin, body });
    try {
      await patch({ forwardTo: '+14155550199', routingMode: 'human', recordingOptIn: true });
      let r = await inbound('+12125550103');
      // The forward's end comes back to us (action: answered or missed), and so
      // does its recording (recordingStatusCallback, completed only).
      const url = hookUrl();
      assert.equal(r.text, '<?xml version="1.0" encoding="UTF-8"?><Response>'
        + `<Dial action="${url}" method="POST" record="record-from-answer-dual" recordingStatusCallback="${url}"`
        + ' recordingStatusCallbackMethod="POST" recordingStatusCallbackEvent="completed">+14155550199</Dial></Response>');
      await patch({ routingMode: 'overflow', recordingOptIn: false });
      r = await inbound('+12125550103');
      // Verbs after a <Dial> with an action are never reached: voicemail is the action's answer.
      assert.equal(r.text, '<?xml version="1.0" encoding="UTF-8"?><Response>'
        + `<Dial action="${url}" method="POST" timeout="20">+14155550199</Dial></Response>`);
      await patch({ status: 'suspended' });
      const before = (await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data.length;
      r = await inbound('+12125550104');
      assert.equal(r.status, 200);
      assert.match(r.text, /<Response><Reject\/><\/Response>/);
      assert.equal((await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data.length, before);
    } finally {
      await patch({ status: 'active', routingMode: 'human', forwardTo: null });
    }
  });

  test('unknown To → 404, nothing created', async () => {
    const before = (await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data.length;
    expectProblem(assert, await inbound('+12125550105', newSid(), '+19995550100'), 404);
    expectProblem(assert, await status(newSid(), 'completed'), 404);
    assert.equal((await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data.length, before);
  });
});

describe('status callbacks', () => {
  test('ringing → in-progress → completed: answered', async () => {
    const { sid } = await inbound('+12125550110');
    const ws = connect(owner);
    await ws.opened;
    assert.equal((await status(sid, 'ringing')).status, 200);
    let r = await status(sid, 'in-progress');
    assert.equal(r.status, 200);
    assert.match(r.text, /<Response><\/Response>/);
    let c = await callBySid(sid);
    assert.equal(c.status, 'in_progress');
    assert.ok(c.answeredAt);
    await ws.waitFor((e) => e.type === 'call_updated' && e.data.callId === c.id && e.data.changes.status?.to === 'in_progress');
    await status(sid, 'completed', { CallDuration: '73' });
    c = await callBySid(sid);
    assert.equal(c.status, 'completed');
    assert.equal(c.durationSec, 73);
    assert.ok(c.endedAt);
    assert.equal(c.disposition, 'answered');
    assert.equal(c.outcomeRequired, false);
    const audit = await auditOf(c.id);
    assert.deepEqual(audit.map((e) => e.action), ['call.created', 'call.status_changed', 'call.status_changed']);
    ws.close();
  });

  test('no-answer, busy, failed, canceled: missed, with the SLA follow-up', async () => {
    for (const [vendor, ours] of [['no-answer', 'no_answer'], ['busy', 'busy'], ['failed', 'failed'], ['canceled', 'canceled']]) {
      const { sid } = await inbound('+12125550111');
      await status(sid, vendor, { CallDuration: '0' });
      const c = await callBySid(sid);
      assert.equal(c.status, ours, vendor);
      assert.equal(c.disposition, 'missed', vendor);
      assert.ok(c.followUps.some((f) => f.status === 'open' && /SLA: missed/.test(f.note)), `${vendor}: ${JSON.stringify(c.followUps)}`);
    }
  });

  test('completed with AnsweredBy machine → voicemail (SLA follow-up)', async () => {
    const { sid } = await inbound('+12125550112');
    await status(sid, 'completed', { AnsweredBy: 'machine_end_beep', CallDuration: '20' });
    const c = await callBySid(sid);
    assert.equal(c.status, 'voicemail');
    assert.ok(c.followUps.some((f) => /SLA: voicemail/.test(f.note)), JSON.stringify(c.followUps));
  });

  test('voicemail: the recording (Record action) then completed', async () => {
    const { sid } = await inbound('+12125550113');
    await status(sid, 'in-progress');
    const rec = { CallSid: sid, AccountSid: 'ACtest', RecordingSid: `RE${sid}`, RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/ACtest/Recordings/RE${sid}`,
      RecordingDuration: '14', RecordingStatus: 'completed' };
    const r = await hook(rec);
    assert.equal(r.status, 200);
    assert.match(r.text, /<Hangup\/>/);
    let c = await callBySid(sid);
    assert.equal(c.recordingUrl, `${rec.RecordingUrl}.mp3`);
    await status(sid, 'completed', { CallDuration: '25' });
    c = await callBySid(sid);
    assert.equal(c.status, 'voicemail');
    assert.equal(c.disposition, null);
    assert.ok(c.followUps.some((f) => /SLA: voicemail/.test(f.note)));
    // the recordingStatusCallback for the same recording: a replay, nothing changes
    const audit = await auditOf(c.id);
    assert.equal((await hook(rec)).status, 200);
    assert.deepEqual(await auditOf(c.id), audit);
    expectProblem(assert, await hook({ ...rec, CallSid: 'CAunknown' }), 404);
  });

  test('a recording after the call ended unanswered makes it a voicemail', async () => {
    const { sid } = await inbound('+12125550114');
    await status(sid, 'no-answer');
    await hook({ CallSid: sid, RecordingSid: `RE2${sid}`, RecordingUrl: 'https://api.twilio.com/rec/RE2.mp3', RecordingDuration: '9' });
    const c = await callBySid(sid);
    assert.equal(c.status, 'voicemail');
    assert.equal(c.recordingUrl, 'https://api.twilio.com/rec/RE2.mp3');
  });
});

describe('security and idempotency', () => {
  test('missing or wrong signature → 403, nothing created', async () => {
    const params = { CallSid: newSid(), From: '+12125550120', To: TRACKING, CallStatus: 'ringing', Direction: 'inbound' };
    const before = (await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data.length;
    expectProblem(assert, await hook(params, { signature: '' }), 403);
    expectProblem(assert, await hook(params, { signature: twilioSignature('other-token', hookUrl(), params) }), 403);
    expectProblem(assert, await hook(params, { signature: twilioSignature(TOKEN, hookUrl() + '?x=1', params) }), 403);
    const tampered = twilioSignature(TOKEN, hookUrl(), params);
    expectProblem(assert, await hook({ ...params, From: '+12125550999' }, { signature: tampered }), 403);
    assert.equal((await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data.length, before);
  });

  test('query parameters are part of the signed URL', async () => {
    const url = hookUrl() + '?tenant=acme';
    const sid = newSid();
    const r = await postSigned(url, TOKEN, { CallSid: sid, From: '+12125550121', To: TRACKING, CallStatus: 'ringing', Direction: 'inbound' });
    assert.equal(r.status, 200, r.text);
    assert.ok(await callBySid(sid));
  });

  test('replayed deliveries change nothing and answer the same', async () => {
    const first = await inbound('+12125550122');
    const again = await inbound('+12125550122', first.sid);
    assert.equal(again.status, 200);
    assert.equal(again.text, first.text);
    await status(first.sid, 'in-progress');
    await status(first.sid, 'completed', { CallDuration: '30' });
    const call = await callBySid(first.sid);
    const audit = await auditOf(call.id);
    for (const [s, extra] of [['in-progress', {}], ['completed', { CallDuration: '99' }], ['ringing', {}]])
      assert.equal((await status(first.sid, s, extra)).status, 200);
    assert.deepEqual(await callBySid(first.sid), call);
    assert.deepEqual(await auditOf(call.id), audit);
    const list = (await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data;
    assert.equal(list.filter((c) => c.callSid === first.sid).length, 1);
  });

  test('the same inbound call delivered many times at once makes one call, one audit row, one answer', async () => {
    const first = newSid();
    // Concurrent copies can all pass the request threads' lookup before any is written: the
    // group-commit writer's insert keyed by CallSid is what keeps it to one.
    const answers = await Promise.all(Array.from({ length: 12 }, () => inbound('+12125550131', first)));
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.equal(a.text, answers[0].text);
    }
    const list = (await srv.req('GET', '/api/calls?limit=100', { token: owner })).json.data;
    const made = list.filter((c) => c.callSid === first);
    assert.equal(made.length, 1);
    const audit = await auditOf(made[0].id);
    assert.equal(audit.filter((e) => e.action === 'call.created').length, 1);
  });

  test('no auth token configured → every telephony webhook is refused', async () => {
    const bare = await new Server({ env: { SWITCHBOARD_TWILIO_AUTH_TOKEN: '', SWITCHBOARD_TRANSCRIPTION_SECRET: '' } }).start();
    try {
      const url = `http://127.0.0.1:${bare.port}/api/webhooks/telephony`;
      const p = { CallSid: newSid(), From: '+12125550123', To: TRACKING, CallStatus: 'ringing' };
      expectProblem(assert, await postSigned(url, '', p, { signature: twilioSignature('', url, p) }), 403);
      const body = JSON.stringify({ callId: '01a21e36-3085-7084-884f-5a66844654e5', transcript: { segments: [] } });
      const t = Math.floor(Date.now() / 1000);
      expectProblem(assert, await bare.req('POST', '/api/webhooks/transcription',
        { raw: body, headers: { 'Content-Type': 'application/json', 'X-Switchboard-Signature': stripeSignature('', t, body) } }), 403);
    } finally {
      await bare.stop();
    }
  });

  test('IP allowlist: 127.0.0.1 is outside 10.0.0.0/8; X-Forwarded-For only from trusted proxies', async () => {
    const env = { ...ENV, SWITCHBOARD_WEBHOOK_ALLOW: '10.0.0.0/8, 2001:db8::/32' };
    const a = await new Server({ env }).start();
    const b = await new Server({ env: { ...env, SWITCHBOARD_TRUSTED_PROXIES: '127.0.0.1/32' } }).start();
    try {
      for (const [s, xff, want] of [[a, undefined, 403], [a, '10.1.2.3', 403], [b, '10.1.2.3', 404], [b, '192.168.1.1', 403],
        [b, '192.168.1.1, 10.9.9.9', 404], [b, '10.9.9.9, 192.168.1.1', 403]]) {
        const url = `http://127.0.0.1:${s.port}/api/webhooks/telephony`;
        const p = { CallSid: newSid(), From: '+12125550124', To: '+19995550100', CallStatus: 'ringing' };
        const r = await postSigned(url, TOKEN, p, { headers: xff ? { 'X-Forwarded-For': xff } : {} });
        // 404: allowed through, then refused because no workspace owns the To number
        expectProblem(assert, r, want);
      }
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('transcripts', () => {
  const sign = (body, t = Math.floor(Date.now() / 1000), secret = SECRET) => stripeSignature(secret, t, body);
  const send = (body, sig) => srv.req('POST', '/api/webhooks/transcription',
    { raw: body, headers: { 'Content-Type': 'application/json', 'X-Switchboard-Signature': sig } });
  const transcript = (callId, words) => JSON.stringify({ callId, transcript: {
    segments: [{ speaker: 'caller', start: 0, end: 2.5, text: `Hello, my ${words} is leaking`, confidence: 0.93 },
      { speaker: 'agent', start: 2.6, end: 4, text: 'We can send someone today.' }],
    confidence: 0.91, language: 'en-US' } });

  test('stored, shown in detail, searchable; audited and announced', async () => {
    const { sid } = await inbound('+12125550130');
    const c = await callBySid(sid);
    const ws = connect(owner);
    await ws.opened;
    const body = transcript(c.id, 'watersoftener');
    const r = await send(body, sign(body));
    assert.equal(r.status, 200, r.text);
    const d = (await srv.req('GET', `/api/calls/${c.id}`, { token: owner })).json.call;
    assert.equal(d.hasTranscript, true);
    assert.equal(d.transcript.segments.length, 2);
    assert.equal(d.transcript.language, 'en-US');
    const found = await srv.req('GET', '/api/calls?search=watersoftener', { token: owner });
    assert.deepEqual(found.json.data.map((x) => x.id), [c.id]);
    const hit = await srv.req('GET', `/api/calls?search=${encodeURIComponent('send someone')}`, { token: owner });
    assert.ok(hit.json.data.some((x) => x.id === c.id));
    await ws.waitFor((e) => e.type === 'call_updated' && e.data.callId === c.id && e.data.changes.hasTranscript);
    assert.ok((await auditOf(c.id)).some((e) => e.action === 'call.transcribed'));
    ws.close();
  });

  test('rotation: any of several v1 signatures', async () => {
    const { sid } = await inbound('+12125550131');
    const c = await callBySid(sid);
    const body = transcript(c.id, 'furnace');
    const t = Math.floor(Date.now() / 1000);
    const good = sign(body, t).split(',v1=')[1];
    const old = sign(body, t, 'old-secret').split(',v1=')[1];
    const r = await send(body, `t=${t},v1=${old},v1=${good}`);
    assert.equal(r.status, 200, r.text);
  });

  test('wrong, stale, replayed or missing signatures → 403; bad bodies → 400; unknown call → 404', async () => {
    const { sid } = await inbound('+12125550132');
    const c = await callBySid(sid);
    const body = transcript(c.id, 'boiler');
    const audit = await auditOf(c.id);
    expectProblem(assert, await send(body, sign(body, undefined, 'nope')), 403);
    expectProblem(assert, await send(body, sign(body, Math.floor(Date.now() / 1000) - 400)), 403);
    expectProblem(assert, await send(body, sign(body, Math.floor(Date.now() / 1000) + 400)), 403);
    expectProblem(assert, await send(body, ''), 403);
    expectProblem(assert, await send(body, 't=abc,v1=00'), 403);
    expectProblem(assert, await send(body.replace('boiler', 'toilet'), sign(body)), 403);
    assert.deepEqual(await auditOf(c.id), audit, 'nothing changed');
    assert.equal((await callBySid(sid)).hasTranscript, false);
    const sig = sign(body);
    assert.equal((await send(body, sig)).status, 200);
    const after1 = await auditOf(c.id);
    expectProblem(assert, await send(body, sig), 403); // replay
    assert.deepEqual(await auditOf(c.id), after1);
    for (const bad of ['{', '[]', JSON.stringify({ callId: c.id }), JSON.stringify({ callId: 'x', transcript: { segments: [] } }),
      JSON.stringify({ callId: c.id, transcript: { segments: [{ speaker: 'a', start: 3, end: 1, text: 'x' }] } }),
      JSON.stringify({ callId: c.id, transcript: { segments: [], confidence: 7 } })]) {
      expectProblem(assert, await send(bad, sign(bad)), 400);
    }
    const ghost = transcript('01a21e36-3085-7084-884f-5a66844654e5', 'ghost');
    expectProblem(assert, await send(ghost, sign(ghost)), 404);
  });
});
