// Delivery receipts and vendor answers at the Twilio stand-in: status
// callbacks lost while we could not take them are reconciled by asking the
// vendor (GET Messages/{Sid}.json) once the message has been quiet for the
// reconcile interval, applied like the callback (status, error code,
// sms_status event), retried with backoff when the vendor cannot answer,
// never for a final message nor one past the maximum age; a 401 on send
// (bad credentials) is retried, not a permanent failure; and the first
// message to a number carries the opt-out wording until one the vendor
// accepted (not a keyword answer, not a failed one) went before.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setup, freshNumber, sleep } from './messaging_helpers.mjs';

const OPT_OUT = 'Reply STOP to opt out.';

describe('delivery receipts reconciled with the vendor', () => {
  let ctx;
  before(async () => {
    ctx = await setup('twilio', { SWITCHBOARD_SMS_RECONCILE_AFTER_SEC: '1', SWITCHBOARD_SCHEDULER_MS: '100',
      SWITCHBOARD_TEST_HOOKS: 'true' });
  });
  after(async () => { await ctx.stop(); });

  const vendorSid = (sid) => ctx.sql(`SELECT vendor_sid FROM sms_messages WHERE sid = '${sid}'`);

  test('lost callbacks: after the reconcile interval the vendor is asked and the message ends delivered', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    ctx.standin.loseCallbacks = true;
    const r = await ctx.send(id, { template: 'general', message: 'nobody told us' });
    assert.equal(r.status, 200, r.text);
    await ctx.accepted(to, r.json.messageSid);
    const vsid = vendorSid(r.json.messageSid);
    assert.match(vsid, /^SM[0-9a-f]{32}$/);
    // The stand-in delivers it, but its callbacks never reach us.
    for (let end = Date.now() + 3000; Date.now() < end && ctx.standin.messages.find((m) => m.sid === vsid).status !== 'delivered';) await sleep(20);
    assert.ok(ctx.standin.lostCallbacks.some((c) => c.messageSid === vsid && c.messageStatus === 'delivered'));
    assert.equal((await ctx.conv(to)).messages[0].status, 'queued', 'nothing came');
    const m = await ctx.status(to, r.json.messageSid, 'delivered', 8000);
    assert.equal(m.messageSid, r.json.messageSid);
    const gets = ctx.standin.fetchesOf(vsid);
    assert.ok(gets.length >= 1, 'the vendor was asked');
    assert.ok(gets.every((g) => g.outcome === 200));
    assert.equal(gets[0].auth, 'Basic ' + Buffer.from(`${ctx.standin.accountSid}:${ctx.standin.authToken}`).toString('base64'));
    // Announced like a callback would have been.
    const ev = ctx.sql(`SELECT data FROM events WHERE type = 'sms_status' AND data LIKE '%${r.json.messageSid}%'`);
    assert.match(ev, /"status":"delivered"/);
    // Settled: asked no more.
    const asked = ctx.standin.fetchesOf(vsid).length;
    await sleep(2500);
    assert.equal(ctx.standin.fetchesOf(vsid).length, asked);
    ctx.standin.loseCallbacks = false;
  });

  test('a lost "undelivered" arrives with its error code; a late callback afterwards changes nothing', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    ctx.standin.outcome(to, 'undelivered', 30003);
    ctx.standin.loseCallbacks = true;
    const r = await ctx.send(id, { template: 'general', message: 'unreachable handset' });
    const m = await ctx.status(to, r.json.messageSid, 'undelivered', 8000);
    ctx.standin.loseCallbacks = false;
    assert.equal(m.errorCode, 30003);
    const vsid = vendorSid(r.json.messageSid);
    // The callback Twilio would have sent, late: idempotent, never backwards.
    const cb = await ctx.callback({ MessageSid: vsid, MessageStatus: 'sent', To: to, m: r.json.messageSid });
    assert.equal(cb.status, 200, cb.text);
    const again = await ctx.callback({ MessageSid: vsid, MessageStatus: 'undelivered', ErrorCode: '30003', To: to });
    assert.equal(again.status, 200, again.text);
    const c = await ctx.conv(to);
    assert.equal(c.messages[0].status, 'undelivered');
    assert.equal(ctx.sql(`SELECT COUNT(*) FROM events WHERE type = 'sms_status' AND data LIKE '%${r.json.messageSid}%"undelivered"%'`), '1');
  });

  test('a final message is never fetched', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    const r = await ctx.send(id, { template: 'general', message: 'receipts arrive' });
    await ctx.status(to, r.json.messageSid, 'delivered', 8000);
    await sleep(2500); // well past the reconcile interval, many scheduler ticks
    assert.equal(ctx.standin.fetchesOf(vendorSid(r.json.messageSid)).length, 0);
  });

  test('a vendor that cannot answer is asked again later, one question at a time', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    ctx.standin.loseCallbacks = true;
    ctx.standin.failFetch(2, 503);
    const r = await ctx.send(id, { template: 'general', message: 'vendor hiccup' });
    await ctx.status(to, r.json.messageSid, 'delivered', 15000);
    ctx.standin.loseCallbacks = false;
    const gets = ctx.standin.fetchesOf(vendorSid(r.json.messageSid));
    assert.deepEqual(gets.map((g) => g.outcome), [503, 503, 200]);
    // Backoff between the attempts (the job queue's: 1 s, then 2 s, +-25%).
    assert.ok(gets[1].at - gets[0].at >= 700, `gaps ${gets[1].at - gets[0].at}`);
    assert.ok(gets[2].at - gets[1].at >= 1400, `gaps ${gets[2].at - gets[1].at}`);
    const jobs = ctx.sql(`SELECT status || ':' || attempts FROM bg_jobs WHERE kind = 'sms_reconcile' AND payload LIKE '%${r.json.messageSid}%'`);
    assert.equal(jobs, 'done:3', 'one job, three attempts');
  });

  test('a 401 on send (bad credentials) is retried, not a permanent failure; a 400 still is', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    ctx.standin.fail(1, 401);
    let r = await ctx.send(id, { template: 'general', message: 'after a 401' });
    const m = await ctx.status(to, r.json.messageSid, 'delivered', 15000);
    assert.equal(m.errorCode, undefined);
    const posts = ctx.standin.requests.filter((q) => q.method === 'POST' && q.form.Body?.startsWith('after a 401'));
    assert.deepEqual(posts.map((q) => q.outcome), [401, 201]);
    assert.equal(ctx.standin.messagesTo(to).length, 1);
    ctx.standin.fail(1, 400);
    r = await ctx.send(id, { template: 'general', message: 'invalid number' });
    const f = await ctx.status(to, r.json.messageSid, 'failed', 8000);
    assert.equal(f.errorCode, 21211);
  });

  test('opt-out wording: a failed first message or a keyword answer does not count as the first message', async () => {
    // The vendor refuses the first message for good: the next one is still the first.
    const to = freshNumber();
    const id = await ctx.call(to);
    ctx.standin.fail(1, 400);
    let r = await ctx.send(id, { template: 'general', message: 'refused' });
    assert.ok(r.json.body.endsWith(OPT_OUT));
    await ctx.status(to, r.json.messageSid, 'failed', 8000);
    r = await ctx.send(id, { template: 'general', message: 'second try' });
    assert.equal(r.json.body, `second try ${OPT_OUT}`);
    await ctx.accepted(to, r.json.messageSid);
    r = await ctx.send(id, { template: 'general', message: 'third' });
    assert.equal(r.json.body, 'third', 'once one was accepted, no more wording');
    // A number we only answered a keyword to (HELP) has had no first message.
    const other = freshNumber();
    const id2 = await ctx.call(other);
    assert.equal((await ctx.inbound(other, 'HELP')).status, 200);
    await ctx.waitFor(other, (m) => m.kind === 'keyword_reply' && m.status === 'delivered');
    r = await ctx.send(id2, { template: 'general', message: 'hello after help' });
    assert.equal(r.json.body, `hello after help ${OPT_OUT}`);
  });

  // Last: it moves the server's clock three days on.
  test('a message accepted longer ago than the maximum age is no longer asked about', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    ctx.standin.loseCallbacks = true;
    const r = await ctx.send(id, { template: 'general', message: 'too old to ask' });
    await ctx.accepted(to, r.json.messageSid);
    const clock = await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner, body: { advanceMs: 73 * 3600000 } });
    assert.equal(clock.status, 200, clock.text);
    await sleep(2500);
    assert.equal(ctx.standin.fetchesOf(vendorSid(r.json.messageSid)).length, 0);
    assert.equal((await ctx.conv(to)).messages[0].status, 'queued');
  });
});

describe('delivery receipts reconciled with the simulator', () => {
  let ctx;
  before(async () => {
    ctx = await setup('sim', { SWITCHBOARD_SMS_RECONCILE_AFTER_SEC: '1', SWITCHBOARD_SCHEDULER_MS: '100' });
  });
  after(async () => { await ctx.stop(); });

  test('the simulator answers from its own state', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    const r = await ctx.send(id, { template: 'general', message: 'sim' });
    await ctx.status(to, r.json.messageSid, 'delivered', 8000);
    // Pretend the "delivered" callback was lost: back to "sent", quiet for a while.
    ctx.sql(`DELETE FROM sms_callbacks_seen WHERE status = 'delivered' AND vendor_sid = (SELECT vendor_sid FROM sms_messages WHERE sid = '${r.json.messageSid}')`);
    ctx.sql(`UPDATE sms_messages SET status = 'sent', updated_at = updated_at - 5000 WHERE sid = '${r.json.messageSid}'`);
    await ctx.status(to, r.json.messageSid, 'delivered', 8000);
    assert.match(ctx.sql(`SELECT last_error IS NULL AND status = 'done' FROM bg_jobs WHERE kind = 'sms_reconcile'`), /^1$/);
  });
});
