// Telephony callbacks as Twilio really sends them (issue 5, audit fixes):
// an inbound call gets no in-progress callback, so a forwarded call's answer
// comes from its <Dial> action (DialCallStatus) and is answered with TwiML;
// the forward's recording comes back through recordingStatusCallback; only a
// `completed` recording is stored; status callbacks that arrive late never move
// a call or a click-to-call leg backwards (rank, and Twilio's SequenceNumber);
// a transcription signature replayed with its hex upper-cased is still a
// replay; and a wrongly signed post is 403 whatever its body, even one that is
// no valid form.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { Server, expectProblem } from './harness.mjs';
import { postSigned, stripeSignature, twilioSignature } from './twilio_sign.mjs';
import { TwilioStandin } from './twilio_standin.mjs';

const TOKEN = 'callbacks-auth-token';
const SECRET = 'whsec_callbacks';
const FORWARD = '+14155550160';   // human, forwarded, recorded
const OVERFLOW = '+14155550161';  // rings the forward 20 s, then voicemail
const VOICEMAIL = '+14155550162'; // no forward: voicemail
const FORWARD_TO = '+14155550199';
const ALL_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

let srv, owner, admin;
let seq = 0;
const newSid = () => `CAcb${Date.now()}${String(++seq).padStart(6, '0')}`;
const hookUrl = () => `${srv.base}/api/webhooks/telephony`;
// Parameters set to undefined are left out (as Twilio leaves out what it has not).
const defined = (params) => Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
const hook = (params, opts) => postSigned(hookUrl(), TOKEN, defined(params), opts);
const base = (sid, to) => ({ CallSid: sid, AccountSid: 'ACtest', From: '+12125550170', To: to, Direction: 'inbound', ApiVersion: '2010-04-01' });
const ring = async (to, from = '+12125550170') => {
  const sid = newSid();
  const r = await hook({ ...base(sid, to), From: from, CallStatus: 'ringing' });
  assert.equal(r.status, 200, r.text);
  return { sid, text: r.text };
};
const status = (sid, to, CallStatus, extra = {}) => hook({ ...base(sid, to), CallStatus, ...extra });
// The <Dial> action request, as Twilio posts it when the forward ends.
const dialEnded = (sid, to, DialCallStatus, extra = {}) => hook({ ...base(sid, to), CallStatus: 'in-progress',
  DialCallStatus, DialCallSid: `CAd${sid.slice(4)}`, DialBridged: DialCallStatus === 'completed' ? 'true' : 'false', ...extra });
const recording = (sid, to, extra = {}) => hook({ CallSid: sid, AccountSid: 'ACtest', RecordingSid: `RE${sid.slice(2)}`,
  RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/ACtest/Recordings/RE${sid.slice(2)}`, RecordingStatus: 'completed',
  RecordingDuration: '31', RecordingChannels: '2', RecordingSource: 'DialVerb', ...extra });
const callBySid = async (sid) => {
  const list = await srv.req('GET', '/api/calls?limit=100', { token: owner });
  const row = list.json.data.find((c) => c.callSid === sid);
  return row && (await srv.req('GET', `/api/calls/${row.id}`, { token: owner })).json.call;
};
const auditOf = async (id) => (await srv.req('GET', `/api/audit/calls/${id}`, { token: owner })).json.events;
const slaOpen = (c, trigger) => c.followUps.filter((f) => f.status === 'open' && f.note?.startsWith(`SLA: ${trigger}`));
// The realtime feed from now on: events collected as they come.
const feed = async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/ws/calls?token=${owner}`);
  ws.events = [];
  ws.on('message', (m) => ws.events.push(JSON.parse(m.toString())));
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  ws.until = async (pred) => {
    for (const end = Date.now() + 3000; Date.now() < end && !ws.events.some(pred);) await new Promise((r) => setTimeout(r, 20));
    return ws.events.find(pred);
  };
  return ws;
};

before(async () => {
  srv = await new Server({ env: { SWITCHBOARD_TWILIO_AUTH_TOKEN: TOKEN, SWITCHBOARD_TRANSCRIPTION_SECRET: SECRET } }).start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
  admin = srv.token('acme', 'admin', 'admin@acme.test');
  const h = await srv.req('POST', '/api/settings/business-hours', { token: owner,
    body: { timeZone: 'UTC', days: Object.fromEntries(ALL_DAYS.map((d) => [d, [{ open: '00:00', close: '24:00' }]])) } });
  assert.equal(h.status, 200, h.text);
  for (const body of [
    { e164: FORWARD, routingMode: 'human', forwardTo: FORWARD_TO, recordingOptIn: true },
    { e164: OVERFLOW, routingMode: 'overflow', forwardTo: FORWARD_TO },
    { e164: VOICEMAIL, routingMode: 'human' },
  ]) {
    const r = await srv.req('POST', '/api/numbers', { token: admin, body });
    assert.equal(r.status, 201, r.text);
  }
});
after(() => srv.stop());

describe('issue 5: a forward is answered or missed by its <Dial> action', () => {
  test('the call ends (completed, no in-progress), then DialCallStatus=completed → answered, talk time as duration', async () => {
    const { sid, text } = await ring(FORWARD);
    assert.match(text, new RegExp(`<Dial action="${hookUrl()}" method="POST"`));
    assert.equal((await status(sid, FORWARD, 'completed', { CallDuration: '95' })).status, 200);
    const r = await dialEnded(sid, FORWARD, 'completed', { DialCallDuration: '62' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/xml/);
    assert.equal(r.text, `${XML}<Response><Hangup/></Response>`);
    const c = await callBySid(sid);
    assert.equal(c.status, 'completed');
    assert.equal(c.disposition, 'answered');
    assert.equal(c.durationSec, 62, 'the talk time, not the parent call with its ringing');
    assert.ok(c.answeredAt && c.endedAt);
    assert.ok((await auditOf(c.id)).some((e) => e.action === 'call.forward_ended'));
  });

  test('the Dial action first, then the call\'s own completed: answered; the parent duration does not replace the talk time', async () => {
    const { sid } = await ring(FORWARD);
    const r = await dialEnded(sid, FORWARD, 'answered', { DialCallDuration: '40' });
    assert.equal(r.text, `${XML}<Response><Hangup/></Response>`);
    await status(sid, FORWARD, 'completed', { CallDuration: '70' });
    const c = await callBySid(sid);
    assert.equal(c.status, 'completed');
    assert.equal(c.disposition, 'answered');
    assert.equal(c.durationSec, 40);
    assert.equal(c.outcomeRequired, false);
    // A repeated action answers the same and changes nothing.
    const audit = await auditOf(c.id);
    assert.equal((await dialEnded(sid, FORWARD, 'answered', { DialCallDuration: '40' })).text, r.text);
    assert.deepEqual(await auditOf(c.id), audit);
  });

  test('the call\'s own completed first judges it missed (SLA follow-up); the Dial action answered corrects it and cancels that follow-up, audited and announced', async () => {
    const { sid } = await ring(FORWARD);
    await status(sid, FORWARD, 'completed', { CallDuration: '80' });
    let c = await callBySid(sid);
    assert.equal(c.disposition, 'missed');
    const [missed] = slaOpen(c, 'missed');
    assert.ok(missed, JSON.stringify(c.followUps));
    assert.equal(c.queueStatus, 'followup');
    // A follow-up a person made is theirs: the correction leaves it alone.
    const mine = await srv.req('POST', `/api/calls/${c.id}/followups`, { token: owner,
      body: { type: 'task', dueAt: new Date(Date.now() + 86400000).toISOString(), note: 'send the quote' } });
    assert.equal(mine.status, 201, mine.text);
    const ws = await feed();
    const r = await dialEnded(sid, FORWARD, 'completed', { DialCallDuration: '51' });
    assert.equal(r.text, `${XML}<Response><Hangup/></Response>`);
    c = await callBySid(sid);
    assert.equal(c.disposition, 'answered');
    assert.equal(c.durationSec, 51);
    assert.deepEqual(slaOpen(c, 'missed'), []);
    const gone = c.followUps.find((f) => f.id === missed.id);
    assert.equal(gone.status, 'cancelled');
    assert.equal(gone.completedAt ?? null, null, 'cancelled, not done: nobody called back');
    assert.deepEqual(c.followUpTasks.map((f) => f.id), [mine.json.followUp.id]);
    assert.equal((await srv.req('GET', `/api/followups/${missed.id}`, { token: owner })).json.followUp.status, 'cancelled');
    const ended = (await auditOf(c.id)).filter((e) => e.action === 'call.forward_ended');
    assert.equal(ended.length, 1);
    assert.deepEqual(ended[0].metadata.followUpsCancelled, [missed.id]);
    assert.deepEqual(ended[0].diff.disposition, { from: 'missed', to: 'answered' });
    const ev = await ws.until((e) => e.type === 'call_updated' && e.data?.callId === c.id);
    ws.close();
    assert.ok(ev, 'call_updated announced');
    assert.equal(ev.data.action, 'call.forward_ended');
    assert.deepEqual(ev.data.changes.disposition, { from: 'missed', to: 'answered' });
    // A repeated action changes nothing more.
    const audit = await auditOf(c.id);
    await dialEnded(sid, FORWARD, 'completed', { DialCallDuration: '51' });
    assert.deepEqual(await auditOf(c.id), audit);
  });

  test('the Dial action answered before the call\'s own completed: answered at once, no missed follow-up is ever opened', async () => {
    const { sid } = await ring(FORWARD);
    await dialEnded(sid, FORWARD, 'completed', { DialCallDuration: '44' });
    await status(sid, FORWARD, 'completed', { CallDuration: '70' });
    const c = await callBySid(sid);
    assert.equal(c.disposition, 'answered');
    assert.deepEqual(c.followUps, []);
    assert.equal(c.queueStatus, 'none');
  });

  test('judged a voicemail (the forward\'s recording came before the call\'s end), then answered: the voicemail follow-up is cancelled too', async () => {
    const { sid } = await ring(FORWARD);
    await recording(sid, FORWARD);
    await status(sid, FORWARD, 'completed', { CallDuration: '66' });
    let c = await callBySid(sid);
    assert.equal(c.status, 'voicemail');
    const [vm] = slaOpen(c, 'voicemail');
    assert.ok(vm, JSON.stringify(c.followUps));
    await dialEnded(sid, FORWARD, 'completed', { DialCallDuration: '38' });
    c = await callBySid(sid);
    assert.equal(c.status, 'completed');
    assert.equal(c.disposition, 'answered');
    assert.ok(c.recordingUrl);
    assert.equal(c.followUps.find((f) => f.id === vm.id).status, 'cancelled');
    assert.deepEqual(c.followUpTasks, []);
  });

  test('DialCallStatus no-answer, busy, failed, canceled → missed, the call hangs up, with its SLA follow-up', async () => {
    for (const [vendor, ours] of [['no-answer', 'no_answer'], ['busy', 'busy'], ['failed', 'failed'], ['canceled', 'canceled']]) {
      const { sid } = await ring(FORWARD);
      const r = await dialEnded(sid, FORWARD, vendor, { DialCallDuration: '0' });
      assert.equal(r.text, `${XML}<Response><Hangup/></Response>`, vendor);
      await status(sid, FORWARD, 'completed', { CallDuration: '21' });
      const c = await callBySid(sid);
      assert.equal(c.disposition, 'missed', vendor);
      assert.equal(c.status, ours, vendor);
      assert.equal(c.durationSec, 21, `${vendor}: how long the caller waited`);
      assert.ok(c.followUps.some((f) => f.status === 'open' && /SLA: missed/.test(f.note)), vendor);
    }
  });

  test('overflow nobody answered → the action answers with voicemail; the message makes it a voicemail', async () => {
    const { sid } = await ring(OVERFLOW);
    const r = await dialEnded(sid, OVERFLOW, 'no-answer', { DialCallDuration: '0' });
    assert.equal(r.status, 200, r.text);
    const url = hookUrl();
    assert.match(r.text, new RegExp(`^${XML.replace(/[?.]/g, '\\$&')}<Response><Say>[^<]+</Say><Record action="${url}" method="POST"`
      + `[^>]* recordingStatusCallback="${url}"[^>]*/></Response>$`));
    assert.equal((await dialEnded(sid, OVERFLOW, 'no-answer', { DialCallDuration: '0' })).text, r.text, 'a repeat hears the same');
    const rec = await recording(sid, OVERFLOW, { RecordingStatus: undefined, RecordingSource: undefined, RecordingChannels: undefined });
    assert.match(rec.text, /<Hangup\/>/);
    await status(sid, OVERFLOW, 'completed', { CallDuration: '48' });
    const c = await callBySid(sid);
    assert.equal(c.status, 'voicemail');
    assert.ok(c.recordingUrl);
    assert.ok(c.followUps.some((f) => /SLA: voicemail/.test(f.note)), JSON.stringify(c.followUps));
  });

  test('overflow, no message left → missed; an answered overflow hangs up', async () => {
    let { sid } = await ring(OVERFLOW);
    await dialEnded(sid, OVERFLOW, 'busy');
    await status(sid, OVERFLOW, 'completed', { CallDuration: '30' });
    let c = await callBySid(sid);
    assert.equal(c.disposition, 'missed');
    ({ sid } = await ring(OVERFLOW));
    const r = await dialEnded(sid, OVERFLOW, 'completed', { DialCallDuration: '12' });
    assert.equal(r.text, `${XML}<Response><Hangup/></Response>`);
    c = await callBySid(sid);
    assert.equal(c.disposition, 'answered');
  });

  test('an unknown DialCallStatus → 400 naming it; an unknown CallSid → 404', async () => {
    const { sid } = await ring(FORWARD);
    const r = await dialEnded(sid, FORWARD, 'exploded');
    expectProblem(assert, r, 400);
    assert.ok(r.json.errors.some((e) => e.field === 'DialCallStatus'), r.text);
    expectProblem(assert, await dialEnded(newSid(), FORWARD, 'completed'), 404);
  });
});

describe('issue 5: recordings', () => {
  test('a forward\'s recording (recordingStatusCallback) is stored; the answered call is no voicemail', async () => {
    const { sid } = await ring(FORWARD);
    await dialEnded(sid, FORWARD, 'completed', { DialCallDuration: '33' });
    const r = await recording(sid, FORWARD);
    assert.equal(r.status, 200, r.text);
    await status(sid, FORWARD, 'completed', { CallDuration: '41' });
    const c = await callBySid(sid);
    assert.match(c.recordingUrl, /\/Recordings\/RE.*\.mp3$/);
    assert.equal(c.status, 'completed');
    assert.equal(c.disposition, 'answered');
  });

  test('RecordingStatus absent, failed or in-progress, or an empty RecordingUrl: nothing stored, no voicemail', async () => {
    const { sid } = await ring(VOICEMAIL);
    await status(sid, VOICEMAIL, 'no-answer', { CallDuration: '0' });
    const c0 = await callBySid(sid);
    const audit = await auditOf(c0.id);
    for (const extra of [{ RecordingStatus: 'absent', ErrorCode: '16101' }, { RecordingStatus: 'failed' },
      { RecordingStatus: 'in-progress' }, { RecordingUrl: '' }, { RecordingStatus: undefined, RecordingUrl: '' }]) {
      const r = await recording(sid, VOICEMAIL, extra);
      assert.equal(r.status, 200, r.text);
      const c = await callBySid(sid);
      assert.equal(c.recordingUrl, null, JSON.stringify(extra));
      assert.equal(c.status, 'no_answer', JSON.stringify(extra));
    }
    assert.deepEqual(await auditOf(c0.id), audit, 'nothing changed');
    // The completed callback for the same recording still counts (once).
    assert.equal((await recording(sid, VOICEMAIL)).status, 200);
    const c = await callBySid(sid);
    assert.equal(c.status, 'voicemail');
    assert.ok(c.recordingUrl);
    const done = await auditOf(c.id);
    assert.equal((await recording(sid, VOICEMAIL)).status, 200);
    assert.deepEqual(await auditOf(c.id), done);
  });
});

describe('issue 5: late status callbacks never move a call back', () => {
  test('in-progress after completed changes nothing', async () => {
    const { sid } = await ring(VOICEMAIL);
    await status(sid, VOICEMAIL, 'completed', { CallDuration: '15', SequenceNumber: '1' });
    const c = await callBySid(sid);
    const audit = await auditOf(c.id);
    for (const s of ['in-progress', 'initiated', 'ringing']) {
      const r = await status(sid, VOICEMAIL, s, { SequenceNumber: '0' });
      assert.equal(r.status, 200, r.text);
      if (s !== 'ringing') /* (a repeated inbound webhook: answered as the first time) */
        assert.equal(r.text, `${XML}<Response></Response>`);
    }
    assert.deepEqual(await callBySid(sid), c);
    assert.deepEqual(await auditOf(c.id), audit);
  });
});

describe('issue 5: signatures first', () => {
  const raw = (path, body, signature, type = 'application/x-www-form-urlencoded') => fetch(`${srv.base}${path}`, {
    method: 'POST', headers: { 'Content-Type': type, 'X-Twilio-Signature': signature }, body,
  }).then(async (res) => {
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
  });

  test('a wrong signature with a body that is no valid form → 403 (not 400), on every Twilio webhook', async () => {
    for (const path of ['/api/webhooks/telephony', '/api/webhooks/sms']) {
      expectProblem(assert, await raw(path, 'a=%zz', 'bm90IGEgc2lnbmF0dXJl'), 403);
      expectProblem(assert, await raw(path, 'a=%zz', twilioSignature('wrong-token', `${srv.base}${path}`, { a: '%zz' })), 403);
      // Signed as Twilio would sign it (a malformed escape stays as written): the body itself is then the problem.
      expectProblem(assert, await raw(path, 'a=%zz', twilioSignature(TOKEN, `${srv.base}${path}`, { a: '%zz' })), 400);
      // The JSON variant: its signature is checked before it is refused as the wrong kind of post.
      const q = `${path}?bodySHA256=${'0'.repeat(64)}`;
      expectProblem(assert, await raw(q, '{}', 'bm90IGEgc2lnbmF0dXJl', 'application/json'), 403);
    }
  });
});

describe('issue 5: a transcription signature is remembered in one spelling', () => {
  test('the same post re-sent with its hex upper-cased is a replay: 403, nothing changed', async () => {
    const { sid } = await ring(VOICEMAIL);
    const c = await callBySid(sid);
    const body = JSON.stringify({ callId: c.id, transcript: { segments: [{ speaker: 'caller', start: 0, end: 1, text: 'my sump pump failed' }] } });
    const send = (sig) => srv.req('POST', '/api/webhooks/transcription',
      { raw: body, headers: { 'Content-Type': 'application/json', 'X-Switchboard-Signature': sig } });
    const sig = stripeSignature(SECRET, Math.floor(Date.now() / 1000), body);
    assert.equal((await send(sig)).status, 200);
    const audit = await auditOf(c.id);
    const [t, hex] = sig.split(',v1=');
    expectProblem(assert, await send(`${t},v1=${hex.toUpperCase()}`), 403);
    expectProblem(assert, await send(`${t},v1=${'0'.repeat(64)},v1=${hex.slice(0, 32).toUpperCase()}${hex.slice(32)}`), 403);
    assert.deepEqual(await auditOf(c.id), audit);
  });
});

describe('issue 5: a click-to-call leg never moves back', () => {
  let ctx;
  before(async () => {
    const authToken = randomBytes(16).toString('hex');
    const accountSid = 'AC' + randomBytes(16).toString('hex');
    // A long talk: the leg stays connected while the late callbacks arrive.
    const standin = await new TwilioStandin({ accountSid, authToken, ringMs: 200, talkMs: 60000, holdBack: ['ringing'] }).start();
    const s = await new Server({ env: {
      SWITCHBOARD_TELEPHONY: 'twilio', SWITCHBOARD_TWILIO_AUTH_TOKEN: authToken, SWITCHBOARD_TWILIO_ACCOUNT_SID: accountSid,
      SWITCHBOARD_TWILIO_BASE_URL: standin.base, SWITCHBOARD_TEST_HOOKS: 'true' } }).start();
    ctx = { standin, srv: s, authToken, owner: s.token('acme', 'owner', 'owner@acme.test') };
    const n = await s.req('POST', '/api/numbers', { token: ctx.owner, body: { e164: VOICEMAIL } });
    assert.equal(n.status, 201, n.text);
    assert.equal((await s.req('PATCH', '/api/me', { token: ctx.owner, body: { phone: '+14155553999' } })).status, 200);
    // Quiet hours are kept in the customer's zone: dial on a Wednesday at 19:00 UTC.
    const wed = new Date();
    wed.setUTCHours(19, 0, 0, 0);
    wed.setUTCDate(wed.getUTCDate() + (((3 - wed.getUTCDay() + 7) % 7 + 3) % 7) - 3);
    const clk = await s.req('POST', '/api/test/clock', { token: ctx.owner, body: { offsetMs: wed.getTime() - Date.now() } });
    assert.equal(clk.status, 200, clk.text);
  });
  after(async () => {
    await ctx?.srv.stop();
    await ctx?.standin.stop();
  });

  test('a late ringing (older SequenceNumber, or none) after connected changes nothing', async () => {
    const { srv: s, standin, owner: tok } = ctx;
    const sid = newSid();
    const url = `${s.base}/api/webhooks/telephony`;
    const r0 = await postSigned(url, ctx.authToken, { ...base(sid, VOICEMAIL), From: '+12125550171', CallStatus: 'ringing' });
    assert.equal(r0.status, 200, r0.text);
    const call = (await s.req('GET', '/api/calls?limit=5', { token: tok })).json.data.find((c) => c.callSid === sid);
    const click = await s.req('POST', `/api/calls/${call.id}/click-to-call`, { token: tok, body: { bridgeMode: 'transfer' } });
    assert.equal(click.status, 200, click.text);
    const legStatus = async () => (await s.req('GET', `/api/calls/${call.id}/call-status/${click.json.callSid}`, { token: tok })).json;
    let leg;
    for (const end = Date.now() + 10000; Date.now() < end; await new Promise((res) => setTimeout(res, 30)))
      if ((leg = await legStatus()).status === 'connected') break;
    assert.equal(leg.status, 'connected', JSON.stringify(leg));
    // Twilio's ringing callback (SequenceNumber 1) arrives only now, after in-progress (2).
    const held = standin.held.find((h) => h.form.To === '+14155553999' && h.callStatus === 'ringing');
    assert.equal(held.seq, 1);
    const seen = (await s.req('GET', '/api/calls?limit=5', { token: tok })).json.data.find((c) => c.id === call.id);
    const r = await standin.release(held);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await legStatus(), leg);
    // Without a SequenceNumber, the status order alone keeps it.
    const late = await postSigned(held.url, ctx.authToken, { AccountSid: standin.accountSid, ApiVersion: '2010-04-01',
      CallSid: held.sid, CallStatus: 'ringing', Direction: 'outbound-api', From: held.form.From, To: held.form.To });
    assert.equal(late.status, 200, late.text);
    assert.deepEqual(await legStatus(), leg);
    assert.deepEqual((await s.req('GET', '/api/calls?limit=5', { token: tok })).json.data.find((c) => c.id === call.id), seen);
  });
});
