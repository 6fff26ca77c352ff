// Sends that wait and try again, at the Twilio stand-in (issue 6): after an
// attempt whose answer was lost, the lookup finds the message's own vendor
// message even when an identical text (two of the same reminder) is in the
// vendor's list, so no vendor message is claimed twice and none is sent
// twice; and raising the campaign's cap wakes the messages the cap holds,
// never one waiting out its backoff after vendor errors.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setup, freshNumber, sleep } from './messaging_helpers.mjs';

let ctx;
before(async () => { ctx = await setup('twilio'); });
after(async () => { await ctx?.stop(); });

const vendorSid = (sid) => ctx.sql(`SELECT vendor_sid FROM sms_messages WHERE sid = '${sid}'`);
const posts = (to, body) => ctx.standin.requests.filter((q) => q.method === 'POST' && q.form.To === to && q.form.Body === body);
const waitUntil = async (what, pred, ms = 8000) => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (pred()) return;
  assert.fail(`timed out waiting for ${what}`);
};

describe('identical texts after an answer lost', () => {
  // A number that has had its first message (the opt-out wording is in the first only).
  const warm = async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    const r = await ctx.send(id, { template: 'general', message: 'Welcome.' });
    await ctx.accepted(to, r.json.messageSid);
    return { to, id };
  };

  // Both must end linked to two distinct vendor messages, each created by its own POST.
  const assertDistinct = async (to, body, a, b) => {
    const ma = await ctx.status(to, a, 'delivered', 15000);
    const mb = await ctx.status(to, b, 'delivered', 15000);
    assert.equal(ma.error, undefined);
    assert.equal(mb.error, undefined);
    const vendor = ctx.standin.messagesTo(to).filter((m) => m.body === body);
    assert.equal(vendor.length, 2, 'exactly two vendor messages');
    assert.equal(posts(to, body).length, 2, 'two POSTs, none repeated');
    const [va, vb] = [vendorSid(a), vendorSid(b)];
    assert.notEqual(va, vb);
    assert.deepEqual([va, vb].sort(), vendor.map((m) => m.sid).sort());
    return { va, vb, vendor };
  };

  test('the second of two identical reminders times out after the vendor accepted it: it finds its own', async () => {
    const { to, id } = await warm();
    const body = 'Reminder: your visit is tomorrow at 9 am.';
    const a = await ctx.send(id, { template: 'general', message: body });
    assert.equal(a.status, 200, a.text);
    await ctx.accepted(to, a.json.messageSid);
    ctx.standin.drop(1);
    const b = await ctx.send(id, { template: 'general', message: body });
    assert.equal(b.status, 200, b.text);
    const { vb } = await assertDistinct(to, body, a.json.messageSid, b.json.messageSid);
    const dropped = posts(to, body).find((q) => q.outcome === 'dropped');
    assert.equal(vb, dropped.sid, 'the second is the vendor message its lost answer would have named');
  });

  test('a twin sent while the first waits to retry is newer, yet the first claims its own, not the twin', async () => {
    const { to, id } = await warm();
    const body = 'Reminder: bring the gate code.';
    ctx.standin.drop(1);
    const a = await ctx.send(id, { template: 'general', message: body });
    assert.equal(a.status, 200, a.text);
    await waitUntil('the cut-off POST', () => posts(to, body).some((q) => q.outcome === 'dropped'));
    const droppedAt = Date.now();
    // The twin goes (and is recorded) while the first waits out its backoff.
    const b = await ctx.send(id, { template: 'general', message: body });
    assert.equal(b.status, 200, b.text);
    await ctx.accepted(to, b.json.messageSid);
    // The first learns its vendor sid from its own lookup (its retry, about
    // a second on), not from its status callbacks (the stand-in posts a cut-off
    // message's 4 s late): claiming the twin's would fail on every retry.
    await ctx.accepted(to, a.json.messageSid, 3500 - (Date.now() - droppedAt));
    const job = ctx.sql(`SELECT status || ':' || attempts FROM bg_jobs WHERE kind = 'sms' AND payload LIKE '%${a.json.messageSid}%'`);
    assert.equal(job, 'done:2', 'the cut-off attempt, then the lookup');
    const { va, vb, vendor } = await assertDistinct(to, body, a.json.messageSid, b.json.messageSid);
    assert.equal(va, posts(to, body).find((q) => q.outcome === 'dropped').sid);
    assert.equal(vb, vendor.at(-1).sid, 'the twin is the newer one');
  });
});

describe('raising the cap wakes only what the cap holds', () => {
  test('a message in its retry backoff after vendor errors keeps its time; one held by the cap goes at once', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    const first = await ctx.send(id, { template: 'general', message: 'Welcome.' });
    await ctx.accepted(to, first.json.messageSid);
    // Two vendor errors: the second puts it in a 1.5-2.5 s backoff.
    ctx.standin.fail(2, 503);
    const r = await ctx.send(id, { template: 'general', message: 'After two errors.' });
    assert.equal(r.status, 200, r.text);
    const job = () => ctx.sql(`SELECT status || '|' || attempts || '|' || run_at || '|' || COALESCE(held_for, '')`
      + ` FROM bg_jobs WHERE kind = 'sms' AND payload LIKE '%${r.json.messageSid}%'`).split('|');
    await waitUntil('the second failure', () => { const [s, n] = job(); return s === 'pending' && n === '2'; });
    const failedAt = Date.now();
    const [, , backoffUntil, held] = job();
    assert.equal(held, '', 'a retry is no hold');
    assert.ok(Number(backoffUntil) > Date.now() + 1000, 'waiting out its backoff');
    // The cap is used up: a new message is held until tomorrow.
    const used = (await ctx.srv.req('GET', '/api/settings/messaging', { token: ctx.admin })).json.usedTodaySegments;
    let s = await ctx.srv.req('POST', '/api/settings/messaging', { token: ctx.admin, body: { messagesPerSecond: 10, dailyCapSegments: used } });
    assert.equal(s.status, 200, s.text);
    const held2 = await ctx.send(id, { template: 'general', message: 'Held by the cap.' });
    await waitUntil('the cap to hold it', () => ctx.sql(`SELECT held_for FROM bg_jobs WHERE kind = 'sms'`
      + ` AND payload LIKE '%${held2.json.messageSid}%'`) === 'pace');
    // Raising the cap: the held one goes now, the failing one waits its turn.
    s = await ctx.srv.req('POST', '/api/settings/messaging', { token: ctx.admin, body: { messagesPerSecond: 10, dailyCapSegments: used + 100 } });
    assert.equal(s.status, 200, s.text);
    assert.equal(job()[2], backoffUntil, 'the backoff was not cut short');
    await ctx.accepted(to, held2.json.messageSid, 3000);
    const m = await ctx.status(to, r.json.messageSid, 'delivered', 15000);
    const attempts = posts(to, 'After two errors.');
    assert.deepEqual(attempts.map((q) => q.outcome), [503, 503, 201]);
    assert.ok(attempts[2].at >= Number(backoffUntil) - 5, `retried at ${attempts[2].at}, backoff until ${backoffUntil}`);
    assert.ok(attempts[2].at - failedAt >= 1000, 'not woken by the cap');
    assert.ok(Date.parse(m.sentAt) > Date.parse((await ctx.conv(to, '?limit=200')).messages
      .find((x) => x.messageSid === held2.json.messageSid).sentAt), 'the held message went first');
  });
});
