// Sends that wait and try again, at the Twilio stand-in (issue 6): after an
// attempt whose answer was lost, the lookup finds the message's own vendor
// message even when an identical text (two of the same reminder) is in the
// vendor's list, so no vendor message is claimed twice and none is sent
// twice.
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
