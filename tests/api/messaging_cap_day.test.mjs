// The A2P daily cap counts segments by the carriers' day, midnight to
// midnight in the campaign's capTimeZone (default America/Los_Angeles:
// T-Mobile's), not by UTC's: with the server's test clock, usage carries
// over 00:00 UTC, resets at the zone's midnight, and a message held by the
// cap is deferred to that midnight and goes then. capTimeZone is validated.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { expectProblem } from './harness.mjs';
import { setup, freshNumber, sleep } from './messaging_helpers.mjs';

describe('daily cap by the carriers\' day', () => {
  let ctx;
  before(async () => { ctx = await setup('sim', { SWITCHBOARD_TEST_HOOKS: 'true' }); });
  after(async () => { await ctx.stop(); });

  const settings = async () => {
    const r = await ctx.srv.req('GET', '/api/settings/messaging', { token: ctx.admin });
    assert.equal(r.status, 200, r.text);
    return r.json;
  };
  const setClock = async (iso) => {
    const r = await ctx.srv.req('POST', '/api/test/clock', { token: ctx.owner, body: { offsetMs: Date.parse(iso) - Date.now() } });
    assert.equal(r.status, 200, r.text);
  };

  test('capTimeZone: America/Los_Angeles by default, settable by Admin+, an unknown zone is 400 naming it', async () => {
    assert.equal((await settings()).capTimeZone, 'America/Los_Angeles');
    let r = await ctx.srv.req('POST', '/api/settings/messaging',
      { token: ctx.admin, body: { messagesPerSecond: 10, dailyCapSegments: 2, capTimeZone: 'Mars/Olympus_Mons' } });
    expectProblem(assert, r, 400);
    assert.deepEqual(r.json.errors.map((e) => e.field), ['capTimeZone']);
    for (const bad of [5, '', '../etc/passwd', 'x'.repeat(80)]) {
      r = await ctx.srv.req('POST', '/api/settings/messaging',
        { token: ctx.admin, body: { messagesPerSecond: 10, dailyCapSegments: 2, capTimeZone: bad } });
      expectProblem(assert, r, 400);
      assert.deepEqual(r.json.errors.map((e) => e.field), ['capTimeZone'], JSON.stringify(bad));
    }
    assert.equal((await settings()).dailyCapSegments, 2000, 'nothing written');
    expectProblem(assert, await ctx.srv.req('POST', '/api/settings/messaging',
      { token: ctx.dispatcher, body: { messagesPerSecond: 10, dailyCapSegments: 2, capTimeZone: 'UTC' } }), 403);
    r = await ctx.srv.req('POST', '/api/settings/messaging',
      { token: ctx.admin, body: { messagesPerSecond: 10, dailyCapSegments: 2, capTimeZone: 'America/New_York' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.capTimeZone, 'America/New_York');
    // Leaving it out keeps it.
    r = await ctx.srv.req('POST', '/api/settings/messaging', { token: ctx.admin, body: { messagesPerSecond: 10, dailyCapSegments: 2 } });
    assert.equal(r.json.capTimeZone, 'America/New_York');
    const audit = ctx.sql("SELECT metadata FROM audit_events WHERE action = 'settings.messaging' ORDER BY rowid DESC LIMIT 1");
    assert.match(audit, /"capTimeZone":"America\/New_York"/);
    r = await ctx.srv.req('POST', '/api/settings/messaging',
      { token: ctx.owner, body: { messagesPerSecond: 10, dailyCapSegments: 2, capTimeZone: 'America/Los_Angeles' } });
    assert.equal(r.json.capTimeZone, 'America/Los_Angeles');
  });

  test('usage carries over 00:00 UTC, resets at midnight Pacific; a held message waits for that midnight', async () => {
    const to = freshNumber();
    const id = await ctx.call(to);
    await setClock('2030-01-15T23:30:00Z'); // 15:30 PST
    const sids = [];
    for (const body of ['one', 'two']) {
      const r = await ctx.send(id, { template: 'general', message: body });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.segments, 1);
      sids.push(r.json.messageSid);
      await ctx.accepted(to, r.json.messageSid);
    }
    assert.equal((await settings()).usedTodaySegments, 2);
    await setClock('2030-01-16T00:30:00Z'); // a new UTC day, still the 15th in Los Angeles
    assert.equal((await settings()).usedTodaySegments, 2, 'the cap\'s day has not turned');
    const held = await ctx.send(id, { template: 'general', message: 'three' });
    assert.equal(held.status, 200, held.text);
    await sleep(800);
    let c = await ctx.conv(to);
    assert.equal(c.messages.find((m) => m.messageSid === held.json.messageSid).status, 'queued');
    const runAt = Number(ctx.sql(`SELECT run_at FROM bg_jobs WHERE kind = 'sms' AND status = 'pending' AND payload LIKE '%${held.json.messageSid}%'`));
    assert.equal(new Date(runAt).toISOString(), '2030-01-16T08:00:00.000Z', 'deferred to midnight Pacific');
    await setClock('2030-01-16T07:59:00Z'); // 23:59 PST: still held
    await sleep(600);
    c = await ctx.conv(to);
    assert.equal(c.messages.find((m) => m.messageSid === held.json.messageSid).status, 'queued');
    await setClock('2030-01-16T08:00:01Z'); // 00:00:01 PST on the 16th
    assert.equal((await settings()).usedTodaySegments, 0, 'a new day for the carrier');
    const m = await ctx.accepted(to, held.json.messageSid, 8000);
    assert.ok(Date.parse(m.sentAt) >= Date.parse('2030-01-16T08:00:00Z'), m.sentAt);
    assert.equal((await settings()).usedTodaySegments, 1);
    assert.equal(ctx.sql("SELECT segments FROM sms_usage WHERE day = '2030-01-15'"), '2');
    assert.equal(ctx.sql("SELECT segments FROM sms_usage WHERE day = '2030-01-16'"), '1');
  });
});
