// The compliance gate as the API shows it (issue 6): a blocked caller end to
// end (the inbound call rejected with <Reject/> and nothing written or
// announced, no text and no dial to them), and the gate's rules through
// POST /api/calls/:id/send-sms now (quiet hours refuse a marketing template
// but not a transactional one, consent for marketing, an override only from
// an Owner and audited as such). Scheduled sends, delivery re-checks and
// keyword replies are in messaging_gate.test.mjs; Viewer's 403 in
// messaging.test.mjs.
//
// One server on the injectable test clock, which only moves forward (the
// A2P pacer keeps its slots on it): the tests run in the order written.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { expectProblem } from './harness.mjs';
import { setup, sleep, TRACKING } from './messaging_helpers.mjs';
import { postSigned } from './twilio_sign.mjs';

let ctx;
let line = 4100;
// A New York number (212) never used before in this file.
const nyNumber = () => `+1212555${String(++line)}`;
const setClock = (iso) => ctx.setClock(iso);
const auditOf = (id) => ctx.auditOf(id);
const gateEvents = (id) => ctx.gateEvents(id);
const consent = (callId, smsOptIn) =>
  ctx.srv.req('POST', `/api/compliance/consent/${callId}`, { token: ctx.dispatcher, body: { smsOptIn } });
const REVIEW = { template: 'review-request', variables: { customerName: 'Ann', reviewLink: 'https://r.example/acme' } };

function connect(token) {
  const ws = new WebSocket(`ws://127.0.0.1:${ctx.srv.port}/ws/calls?token=${token}`);
  ws.events = [];
  ws.on('message', (m) => ws.events.push(JSON.parse(m.toString())));
  ws.opened = new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
  ws.waitFor = async (pred, ms = 3000) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) {
      const e = ws.events.find(pred);
      if (e) return e;
    }
    throw new Error('no matching event; got ' + JSON.stringify(ws.events.map((e) => e.type)));
  };
  return ws;
}

before(async () => {
  ctx = await setup('sim', { SWITCHBOARD_TEST_HOOKS: 'true' });
  for (const [t, phone] of [[ctx.dispatcher, '+14155553002'], [ctx.owner, '+14155553001']])
    assert.equal((await ctx.srv.req('PATCH', '/api/me', { token: t, body: { phone } })).status, 200);
  await setClock('2026-01-14T19:00:00Z'); // Wednesday 14:00 in New York
});
after(async () => { await ctx?.stop(); });

describe('a blocked caller', () => {
  test('their call is rejected with <Reject/>: no call, no audit row, no new_call; no text and no dial to them', async () => {
    const from = nyNumber();
    const id = await ctx.call(from); // a call from before the block
    const r0 = await ctx.srv.req('POST', '/api/blocked-numbers', { token: ctx.admin, body: { number: from, reason: 'Harassing calls' } });
    assert.equal(r0.status, 201, r0.text);
    const count = (table) => Number(ctx.sql(`SELECT COUNT(*) FROM ${table}`));
    const [calls, audits, events] = [count('calls'), count('audit_events'), count('events')];
    const ws = connect(ctx.dispatcher);
    await ws.opened;

    const sid = 'CA' + randomBytes(16).toString('hex');
    const hook = await postSigned(ctx.telHook(), ctx.authToken, { CallSid: sid, AccountSid: 'ACtest', From: from, To: TRACKING,
      CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });
    assert.equal(hook.status, 200, hook.text);
    assert.match(hook.headers.get('content-type'), /^text\/xml/);
    assert.equal(hook.text, '<?xml version="1.0" encoding="UTF-8"?><Response><Reject/></Response>');
    // Its status callback (Twilio posts one for a rejected call) finds nothing to change.
    const done = await postSigned(ctx.telHook(), ctx.authToken, { CallSid: sid, AccountSid: 'ACtest', From: from, To: TRACKING,
      CallStatus: 'busy', Direction: 'inbound', ApiVersion: '2010-04-01' });
    assert.ok([200, 404].includes(done.status), done.text);

    const list = await ctx.srv.req('GET', `/api/calls?limit=100&search=${encodeURIComponent(from)}&spam=true`, { token: ctx.owner });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.data.map((c) => c.id), [id], 'only the call from before the block');
    assert.equal(count('calls'), calls);
    assert.equal(count('audit_events'), audits, 'no audit row');
    assert.equal(count('events'), events, 'nothing announced');
    // The feed works (a caller who is not blocked is announced), and said nothing of the blocked one before.
    const other = nyNumber();
    await ctx.call(other);
    await ws.waitFor((e) => e.type === 'new_call' && e.data.fromE164 === other);
    assert.equal(ws.events.filter((e) => e.type === 'new_call' && e.data.fromE164 === from).length, 0);
    ws.close();

    // No text to them, whoever asks, naming the rule; audited.
    let r = await ctx.send(id, { template: 'general', message: 'Are you there?' });
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /^blocked_number: /);
    r = await ctx.send(id, { template: 'general', message: 'Are you there?', override: true }, ctx.owner);
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /^blocked_number: .*\(not overridable\)/);
    assert.equal((await ctx.conv(from)).messages.length, 0, 'nothing queued');
    // No dial to them.
    r = await ctx.srv.req('POST', `/api/calls/${id}/click-to-call`, { token: ctx.dispatcher });
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /^blocked_number: /);
    const denied = (await gateEvents(id)).filter((e) => e.action === 'compliance.denied');
    assert.deepEqual(denied.map((e) => [e.metadata.channel, e.metadata.rule]),
      [['sms', 'blocked_number'], ['sms', 'blocked_number'], ['call', 'blocked_number']]);
    assert.equal(ctx.sql(`SELECT COUNT(*) FROM call_legs WHERE call_id = '${id}'`), '0', 'nothing dialed');
  });
});

describe('the gate through send-sms', () => {
  test('quiet hours: a marketing template is 403 naming quiet_hours, a transactional one goes; only an Owner overrides, audited', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    assert.equal((await consent(id, true)).status, 200);
    await setClock('2026-01-15T03:30:00Z'); // Wednesday 22:30 in New York
    let r = await ctx.send(id, REVIEW);
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /^quiet_hours: it is 22:30 in America\/New_York, outside 08:00-21:00 \(an Owner may override\)/);
    let ev = (await gateEvents(id)).at(-1);
    assert.deepEqual([ev.action, ev.metadata.channel, ev.metadata.rule, ev.metadata.stage], ['compliance.denied', 'sms', 'quiet_hours', 'request']);
    // The same minute, a transactional template goes, and is delivered.
    const t = await ctx.send(id, { template: 'on-my-way', variables: { customerName: 'Ann', techName: 'Al', eta: '10 minutes' } });
    assert.equal(t.status, 200, t.text);
    await ctx.status(to, t.json.messageSid, 'delivered');
    // A Dispatcher's or an Admin's override is refused as if not asked for, and audited as asked.
    for (const token of [ctx.dispatcher, ctx.admin]) {
      r = await ctx.send(id, { ...REVIEW, override: true }, token);
      expectProblem(assert, r, 403);
      assert.match(r.json.detail, /^quiet_hours: .*\(only an Owner may override\)/);
    }
    ev = (await gateEvents(id)).filter((e) => e.action === 'compliance.denied').slice(-2);
    assert.deepEqual(ev.map((e) => [e.actor, e.metadata.overrideRequested, e.metadata.overridden ?? false]),
      [['disp@acme.test', true, false], ['admin@acme.test', true, false]]);
    // The Owner's goes, audited as the Owner's, and the override carries it through delivery.
    r = await ctx.send(id, { ...REVIEW, override: true }, ctx.owner);
    assert.equal(r.status, 200, r.text);
    const m = await ctx.waitFor(to, (x) => x.messageSid === r.json.messageSid && ['delivered', 'failed'].includes(x.status));
    assert.equal(m.status, 'delivered', m.error);
    const over = (await gateEvents(id)).filter((e) => e.action === 'compliance.overridden');
    assert.deepEqual(over.map((e) => [e.actor, e.metadata.rule, e.metadata.stage]),
      [['owner@acme.test', 'quiet_hours', 'request'], ['owner@acme.test', 'quiet_hours', 'delivery']]);
    assert.deepEqual(over[0].metadata.overriddenRules, ['quiet_hours']);
    const audit = await auditOf(id);
    assert.equal(audit.filter((e) => e.action === 'call.send_sms').length, 2, 'the transactional one and the Owner\'s');
  });

  test('consent: a marketing template to a number that never opted in is 403 naming consent; transactional goes', async () => {
    await setClock('2026-01-15T15:00:00Z'); // Thursday 10:00 in New York
    const to = nyNumber();
    const id = await ctx.call(to);
    let r = await ctx.send(id, REVIEW);
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /^consent: marketing messages need/);
    assert.equal((await gateEvents(id)).at(-1).metadata.rule, 'consent');
    r = await ctx.send(id, { template: 'general', message: 'Your invoice is ready.' });
    assert.equal(r.status, 200, r.text);
    // Once they opt in, the marketing template goes.
    assert.equal((await consent(id, true)).status, 200);
    r = await ctx.send(id, REVIEW);
    assert.equal(r.status, 200, r.text);
    await ctx.status(to, r.json.messageSid, 'delivered');
  });
});
