// The compliance gate around SMS (issue 6), end to end against the Twilio
// stand-in and on the injectable test clock: an Owner's override travels with
// the message to its delivery; quiet hours of a scheduled send are judged at
// its send time; every send is gated again at delivery (quiet hours defer a
// held marketing text to the window's opening, shown as its scheduledFor;
// other rules fail it); keyword
// replies pass the gate as keyword_reply; staff cannot undo a customer's STOP
// with a consent; the contract's `general` example renders.
//
// One server, and its clock only ever moves forward (the A2P pacer keeps its
// slots on that clock): the tests run in the order written.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem } from './harness.mjs';
import { setup, sleep, TRACKING } from './messaging_helpers.mjs';

let ctx;
let line = 3100;
// A New York number (212) never used before in this file.
const nyNumber = () => `+1212555${String(++line)}`;
const setClock = (iso) => ctx.setClock(iso);
const auditOf = (id) => ctx.auditOf(id);
const gateEvents = (id) => ctx.gateEvents(id);
const consent = (callId, smsOptIn, token = ctx.dispatcher) =>
  ctx.srv.req('POST', `/api/compliance/consent/${callId}`, { token, body: { smsOptIn } });
const smsDnc = (n) => ctx.srv.req('POST', '/api/dnc/import', { token: ctx.admin,
  raw: `number,reason,source,channels,expiresAt\r\n${n},Asked not to be texted,manual,sms,\r\n`, headers: { 'Content-Type': 'text/csv' } });
const vendorPosts = (body) => ctx.standin.requests.filter((q) => q.method === 'POST' && q.form?.Body?.startsWith(body));
const REVIEW = { template: 'review-request', variables: { customerName: 'Ann', reviewLink: 'https://r.example/acme' } };

before(async () => {
  ctx = await setup('twilio', { SWITCHBOARD_TEST_HOOKS: 'true' });
  await setClock('2026-01-14T19:00:00Z'); // Wednesday 14:00 in New York
});
after(async () => { await ctx?.stop(); });

describe('an Owner override reaches the delivery', () => {
  test('a number DNC-listed for SMS: the Owner\'s override is kept on the message and applied at delivery, audited both times', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    assert.equal((await smsDnc(to)).status, 200);
    let r = await ctx.send(id, { template: 'general', message: 'Your part arrived.' });
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /^dnc_list:/);
    r = await ctx.send(id, { template: 'general', message: 'Your part arrived.', override: true }, ctx.owner);
    assert.equal(r.status, 200, r.text);
    const m = await ctx.waitFor(to, (x) => x.messageSid === r.json.messageSid && ['delivered', 'failed'].includes(x.status));
    assert.equal(m.status, 'delivered', m.error);
    assert.equal(ctx.standin.messagesTo(to).length, 1);
    assert.equal(ctx.sql(`SELECT override_rules FROM sms_messages WHERE sid = '${r.json.messageSid}'`), 'dnc_list');
    const over = (await gateEvents(id)).filter((e) => e.action === 'compliance.overridden');
    assert.deepEqual(over.map((e) => e.metadata.stage), ['request', 'delivery']);
    for (const e of over) {
      assert.equal(e.actor, 'owner@acme.test', 'on the Owner\'s behalf');
      assert.equal(e.metadata.rule, 'dnc_list');
      assert.deepEqual(e.metadata.overriddenRules, ['dnc_list']);
    }
    assert.equal(over[1].metadata.messageSid, r.json.messageSid);
  });

  test('a scheduled marketing text without consent, overridden by the Owner, is delivered when due', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    const at = new Date(Date.parse((await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner, body: { advanceMs: 0 } })).json.now) + 1500);
    let r = await ctx.send(id, { ...REVIEW, scheduledFor: at.toISOString() });
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /^consent: marketing messages need/);
    r = await ctx.send(id, { ...REVIEW, scheduledFor: at.toISOString(), override: true }, ctx.owner);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'scheduled');
    const m = await ctx.waitFor(to, (x) => x.messageSid === r.json.messageSid && ['delivered', 'failed'].includes(x.status));
    assert.equal(m.status, 'delivered', m.error);
    const over = (await gateEvents(id)).filter((e) => e.action === 'compliance.overridden');
    assert.deepEqual(over.map((e) => [e.metadata.stage, e.metadata.rule, e.actor]),
      [['request', 'consent', 'owner@acme.test'], ['delivery', 'consent', 'owner@acme.test']]);
  });

  test('the override passes only the rules it passed at the request: a rule that objects later fails the send', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    assert.equal((await smsDnc(to)).status, 200);
    ctx.standin.fail(1, 503); // the first attempt fails; the retry comes after the customer declined
    const r = await ctx.send(id, { template: 'general', message: 'Overridden once.', override: true }, ctx.owner);
    assert.equal(r.status, 200, r.text);
    for (const end = Date.now() + 5000; !vendorPosts('Overridden once.').length && Date.now() < end;) await sleep(20);
    assert.equal(vendorPosts('Overridden once.').length, 1, 'the first attempt reached the vendor');
    const c = await ctx.srv.req('POST', `/api/calls/${id}/link-contact`, { token: ctx.dispatcher, body: { name: 'Dee' } });
    assert.equal(c.status, 200, c.text);
    const d = await ctx.srv.req('POST', `/api/contacts/${c.json.call.contactId}/dnc`, { token: ctx.dispatcher,
      body: { reason: 'Do not contact at all', channels: ['call', 'sms'] } });
    assert.equal(d.status, 200, d.text);
    const m = await ctx.status(to, r.json.messageSid, 'failed', 10000);
    assert.match(m.error, /^do_not_contact: the contact is marked do-not-contact \(not a rule this override covers\)/);
    assert.equal(ctx.standin.messagesTo(to).length, 0);
  });
});

describe('quiet hours of a scheduled send are judged at its send time', () => {
  test('at 14:00, a marketing text for 22:00 is refused naming quiet_hours; a transactional one is not', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    assert.equal((await consent(id, true)).status, 200);
    let r = await ctx.send(id, { ...REVIEW, scheduledFor: '2026-01-15T03:00:00Z' }); // 22:00 New York
    expectProblem(assert, r, 403);
    assert.match(r.json.detail, /^quiet_hours: it will be 22:00 in America\/New_York at the send time, outside 08:00-21:00/);
    const denied = (await gateEvents(id)).at(-1);
    assert.equal(denied.action, 'compliance.denied');
    assert.equal(denied.metadata.rule, 'quiet_hours');
    assert.equal(denied.metadata.at, '2026-01-15T03:00:00.000Z');
    assert.equal(denied.metadata.quietHours.localTime, '22:00');
    r = await ctx.send(id, { ...REVIEW, scheduledFor: '2026-01-14T23:00:00Z' }); // 18:00: fine
    assert.equal(r.status, 200, r.text);
    r = await ctx.send(id, { template: 'general', message: 'Late reminder', scheduledFor: '2026-01-15T03:00:00Z' });
    assert.equal(r.status, 200, 'transactional texts have no quiet hours');
  });

  test('at 22:30, a marketing text for 10:00 tomorrow is accepted, and goes at 10:00', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    assert.equal((await consent(id, true)).status, 200);
    await setClock('2026-01-15T03:30:00Z'); // 22:30 New York
    expectProblem(assert, await ctx.send(id, REVIEW), 403, 'now is quiet');
    const r = await ctx.send(id, { ...REVIEW, scheduledFor: '2026-01-15T15:00:00Z' }); // 10:00 New York
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'scheduled');
    await setClock('2026-01-15T15:00:01Z');
    const m = await ctx.waitFor(to, (x) => x.messageSid === r.json.messageSid && ['delivered', 'failed'].includes(x.status));
    assert.equal(m.status, 'delivered', m.error);
  });
});

describe('every send is gated again at delivery', () => {
  test('a marketing text held past 21:00 is deferred to 08:00, audited, then delivered', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    assert.equal((await consent(id, true)).status, 200);
    await setClock('2026-01-16T01:59:00Z'); // Thursday 20:59 New York
    ctx.standin.fail(1, 503);
    const r = await ctx.send(id, REVIEW);
    assert.equal(r.status, 200, r.text);
    for (const end = Date.now() + 5000; !vendorPosts('Thanks for choosing').some((q) => q.form.To === to) && Date.now() < end;) await sleep(20);
    await setClock('2026-01-16T02:30:00Z'); // 21:30: the retry comes in quiet hours
    let ev;
    for (const end = Date.now() + 8000; !ev && Date.now() < end; await sleep(50))
      ev = (await gateEvents(id)).find((e) => e.action === 'compliance.deferred');
    assert.ok(ev, 'the delivery re-check deferred it');
    assert.equal(ev.metadata.rule, 'quiet_hours');
    assert.equal(ev.metadata.stage, 'delivery');
    assert.equal(ev.metadata.decision, 'defer');
    assert.equal(ev.metadata.messageSid, r.json.messageSid);
    assert.equal(ev.metadata.deferredUntil, '2026-01-16T13:00:00.000Z');
    assert.equal(ev.actor, 'system:sms-delivery');
    await sleep(300);
    const held = (await ctx.conv(to)).messages.find((x) => x.messageSid === r.json.messageSid);
    assert.ok(['queued', 'sending'].includes(held.status), `held, not ${held.status}`);
    // The conversation shows when it will go, and why.
    assert.equal(Date.parse(held.scheduledFor), Date.parse('2026-01-16T13:00:00Z'));
    assert.equal(held.deferredBy, 'quiet_hours');
    assert.equal(ctx.standin.messagesTo(to).length, 0, 'nothing went in quiet hours');
    assert.equal(ctx.sql(`SELECT run_at FROM bg_jobs WHERE kind = 'sms' AND payload LIKE '%${r.json.messageSid}%'`),
      String(Date.parse('2026-01-16T13:00:00Z')));
    await setClock('2026-01-16T13:00:01Z'); // 08:00
    const m = await ctx.waitFor(to, (x) => x.messageSid === r.json.messageSid && ['delivered', 'failed'].includes(x.status), 10000);
    assert.equal(m.status, 'delivered', m.error);
    assert.equal(ctx.standin.messagesTo(to).length, 1);
    assert.ok(Date.parse(m.sentAt) >= Date.parse(m.scheduledFor), 'it went when it said it would');
  });

  test('a scheduled send keeps its own scheduledFor; a message never deferred shows none', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    const now = Date.parse((await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner, body: { advanceMs: 0 } })).json.now);
    const r = await ctx.send(id, { template: 'general', message: 'Plain.' });
    const at = new Date(now + 3600000).toISOString();
    const s = await ctx.send(id, { template: 'general', message: 'Later.', scheduledFor: at });
    assert.equal(s.status, 200, s.text);
    const m = await ctx.status(to, r.json.messageSid, 'delivered');
    assert.equal(m.scheduledFor, undefined);
    assert.equal(m.deferredBy, undefined);
    const later = (await ctx.conv(to)).messages.find((x) => x.messageSid === s.json.messageSid);
    assert.equal(Date.parse(later.scheduledFor), Date.parse(at));
    assert.equal(later.deferredBy, undefined);
  });

  test('a number DNC-listed while its text waits fails it with the rule', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    ctx.standin.fail(1, 503);
    const r = await ctx.send(id, { template: 'general', message: 'Listed meanwhile.' });
    assert.equal(r.status, 200, r.text);
    for (const end = Date.now() + 5000; !vendorPosts('Listed meanwhile.').length && Date.now() < end;) await sleep(20);
    assert.equal((await smsDnc(to)).status, 200);
    const m = await ctx.status(to, r.json.messageSid, 'failed', 10000);
    assert.match(m.error, /^dnc_list: /);
    const ev = (await gateEvents(id)).at(-1);
    assert.deepEqual([ev.action, ev.metadata.stage, ev.metadata.rule], ['compliance.denied', 'delivery', 'dnc_list']);
    assert.equal(ctx.standin.messagesTo(to).length, 0);
  });
});

describe('keyword replies pass the gate as keyword_reply', () => {
  const gateRows = (n) => ctx.sql(`SELECT action || '|' || metadata FROM audit_events WHERE action LIKE 'compliance.%'`
    + ` AND target = 'number' AND target_id = '${n}' ORDER BY rowid`).split('\n').filter(Boolean)
    .map((l) => ({ action: l.slice(0, l.indexOf('|')), metadata: JSON.parse(l.slice(l.indexOf('|') + 1)) }));

  test('STOP is confirmed to the now opted-out, DNC-listed number (exempt rules audited); HELP is answered too', async () => {
    const from = nyNumber();
    await ctx.inbound(from, 'STOP');
    const reply = await ctx.waitFor(from, (m) => m.kind === 'keyword_reply' && m.status === 'delivered');
    assert.match(reply.body, /unsubscribed/);
    let rows = gateRows(from);
    assert.deepEqual(rows.map((e) => [e.action, e.metadata.kind, e.metadata.stage]),
      [['compliance.allowed', 'keyword_reply', 'request'], ['compliance.allowed', 'keyword_reply', 'delivery']]);
    assert.deepEqual(rows[0].metadata.exempted, ['dnc_list', 'sms_opt_out']);
    // HELP from an opted-out number is still answered (CTIA), and stays opted out.
    await ctx.inbound(from, 'HELP');
    const help = await ctx.waitFor(from, (m) => m.kind === 'keyword_reply' && /for help/.test(m.body) && m.status === 'delivered');
    assert.match(help.body, new RegExp(TRACKING.replace('+', '\\+')));
    assert.equal((await ctx.conv(from)).optInStatus, false);
    rows = gateRows(from);
    assert.equal(rows.length, 4);
  });

  test('a blocked number gets no reply: the refusal is audited with its rule', async () => {
    const from = nyNumber();
    assert.equal((await ctx.srv.req('POST', '/api/blocked-numbers', { token: ctx.admin, body: { number: from } })).status, 201);
    await ctx.inbound(from, 'STOP');
    await ctx.inbound(from, 'HELP');
    await sleep(400);
    const c = await ctx.conv(from);
    assert.equal(c.optInStatus, false, 'the STOP itself is honoured');
    assert.equal(c.messages.filter((m) => m.kind === 'keyword_reply').length, 0);
    const rows = gateRows(from);
    assert.deepEqual(rows.map((e) => [e.action, e.metadata.kind, e.metadata.rule]),
      [['compliance.denied', 'keyword_reply', 'blocked_number'], ['compliance.denied', 'keyword_reply', 'blocked_number']]);
    assert.equal(ctx.standin.messagesTo(from).length, 0);
  });
});

describe('a consent cannot undo the customer\'s own opt-out', () => {
  test('after STOP, smsOptIn true is a 409 naming why, for any role; nothing changes; START still works', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    assert.equal((await ctx.srv.req('POST', `/api/calls/${id}/link-contact`, { token: ctx.dispatcher, body: { name: 'Eve' } })).status, 200);
    await ctx.inbound(to, 'STOP');
    for (const token of [ctx.dispatcher, ctx.owner]) {
      const r = await ctx.srv.req('POST', `/api/compliance/consent/${id}`, { token, body: { smsOptIn: true, recordingConsent: true } });
      expectProblem(assert, r, 409);
      assert.match(r.json.detail, /opted out by replying STOP; only the customer's own START/);
    }
    assert.equal((await ctx.conv(to)).optInStatus, false);
    const call = (await ctx.srv.req('GET', `/api/calls/${id}`, { token: ctx.dispatcher })).json.call;
    assert.equal(call.consent, null, 'nothing written, not even recordingConsent');
    assert.equal((await auditOf(id)).filter((e) => e.action === 'call.consent_updated').length, 0);
    // Declining is always allowed; the customer's START opts back in.
    assert.equal((await consent(id, false)).status, 200);
    await ctx.inbound(to, 'START');
    assert.equal((await ctx.conv(to)).optInStatus, true);
    assert.equal((await consent(id, true)).status, 200);
  });

  test('the carrier\'s 21610 counts as the customer\'s STOP; an opt-out staff recorded can be lifted', async () => {
    const to = nyNumber();
    ctx.standin.optedOut.add(to);
    const id = await ctx.call(to);
    const r = await ctx.send(id, { template: 'general', message: 'hello' });
    assert.equal((await ctx.status(to, r.json.messageSid, 'failed')).errorCode, 21610);
    const c = await consent(id, true, ctx.owner);
    expectProblem(assert, c, 409);
    assert.match(c.json.detail, /21610/);
    const manual = nyNumber();
    const mid = await ctx.call(manual);
    assert.equal((await ctx.srv.req('POST', `/api/messaging/opt-out/${encodeURIComponent(manual)}`, { token: ctx.dispatcher })).status, 200);
    assert.equal((await consent(mid, true)).status, 200);
    assert.equal((await ctx.conv(manual)).optInStatus, true);
  });
});

describe('the contract\'s general example', () => {
  test('{ template: general, variables: { customerName, jobTime } } renders without a message', async () => {
    const to = nyNumber();
    const id = await ctx.call(to);
    let r = await ctx.send(id, { template: 'general', variables: { customerName: 'Ann', jobTime: '3 pm' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.body, 'Hi Ann, this is acme. We have you scheduled for 3 pm. Reply here with any questions. Reply STOP to opt out.');
    await ctx.status(to, r.json.messageSid, 'delivered');
    r = await ctx.send(id, { template: 'general', variables: { customerName: 'Ann' } });
    expectProblem(assert, r, 400);
    assert.deepEqual(r.json.errors.map((e) => e.field), ['variables.message']);
    assert.match(r.json.errors[0].message, /jobTime/);
    const t = (await ctx.srv.req('GET', '/api/messaging/templates', { token: ctx.dispatcher })).json.templates;
    assert.deepEqual(t.find((x) => x.id === 'general').defaults,
      { message: 'We have you scheduled for {{jobTime}}. Reply here with any questions.' });
  });
});
