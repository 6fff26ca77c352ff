// The triage queue's ranking at scale of the seed: pages of any size give the
// same order, (score, id) descending, with no gap or duplicate; the band
// counts agree with the rows; and cached rankings follow the clock (a
// follow-up falling due, a call's waiting time) without any write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, cli } from './harness.mjs';

// The SLA scheduler idles (once a minute), so no notice it writes can refresh a cached ranking.
const ENV = { SWITCHBOARD_TEST_HOOKS: 'true', SWITCHBOARD_SCHEDULER_MS: '60000' };
const DAY = 86400000;
let srv, owner;

async function pages(path, limit) {
  const rows = [];
  let cursor = null;
  for (let i = 0; i < 500; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const q = `${path}${sep}limit=${limit}${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`;
    const r = await srv.req('GET', q, { token: owner });
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    rows.push(...(r.json.data ?? r.json.queuedCalls));
    if (!r.json.hasMore) return rows;
    cursor = r.json.nextCursor;
  }
  throw new Error('too many pages');
}

const first = async (path) => {
  const r = await srv.req('GET', path, { token: owner });
  assert.equal(r.status, 200, r.text);
  return r.json;
};

before(async () => {
  srv = new Server({ env: ENV });
  // Up to now, so the last day holds calls still waiting (the default ends at midnight).
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const s = cli(['seed', '--calls', '8000', '--workspace', 'acme', '--seed', '11', '--now', now], { dataDir: srv.dataDir });
  assert.equal(s.status, 0, s.stderr);
  await srv.start();
  owner = srv.token('acme', 'owner', 'owner@acme.test');
});
after(() => srv.stop());

test('the seed gives the ranking all its kinds: recent, older than a day, overdue', async () => {
  const rows = await pages('/api/calls?triageMode=true', 100);
  const now = Date.now();
  assert.ok(rows.some((c) => now - Date.parse(c.startedAt) < DAY), 'calls of the last day');
  assert.ok(rows.some((c) => now - Date.parse(c.startedAt) > 2 * DAY), 'calls older than a day');
  assert.ok(rows.some((c) => c.triage.reasons.includes('follow-up overdue')), 'overdue calls');
  assert.ok(rows.length > 100, `a queue of ${rows.length}`);
});

test('every page size gives one order: (score, id) descending, no gap, no duplicate', async () => {
  const all = await pages('/api/calls?spam=true', 100);
  const want = new Set(all.filter((c) => c.queueStatus !== 'none' && !c.spam).map((c) => c.id));
  const big = await pages('/api/calls?triageMode=true', 100);
  const small = await pages('/api/calls?triageMode=true', 7);
  assert.deepEqual(small.map((c) => c.id), big.map((c) => c.id));
  assert.equal(new Set(big.map((c) => c.id)).size, big.length, 'no duplicates');
  assert.deepEqual(new Set(big.map((c) => c.id)), want, 'exactly the calls needing a human');
  for (let i = 1; i < big.length; i++) {
    const a = big[i - 1], b = big[i];
    assert.ok(a.triage.score > b.triage.score || (a.triage.score === b.triage.score && a.id > b.id),
      `row ${i}: ${a.triage.score}/${a.id} before ${b.triage.score}/${b.id}`);
  }
  // The queue endpoint: the same order, and band counts that match the rows.
  const queue = await pages('/api/calls/queue/triage', 50);
  assert.deepEqual(queue.map((c) => c.id), big.map((c) => c.id));
  const q = await first('/api/calls/queue/triage?limit=5');
  for (const p of q.priorities)
    assert.equal(p.count, big.filter((c) => c.triage.band === p.band).length, `band ${p.band}`);
});

test('a filter narrows the ranking without changing its order', async () => {
  const big = await pages('/api/calls?triageMode=true', 100);
  const human = await pages('/api/calls?triageMode=true&agentType=human', 9);
  assert.deepEqual(human.map((c) => c.id), big.filter((c) => c.agentType === 'human').map((c) => c.id));
});

test('a cached ranking follows the clock: a follow-up falling due, a call waiting longer', async () => {
  const big = await pages('/api/calls?triageMode=true', 100);
  const old = big.filter((c) => !c.triage.reasons.includes('follow-up overdue') && Date.now() - Date.parse(c.startedAt) > DAY + 3600000);
  const target = old[old.length - 1];
  assert.ok(target, 'an old call at the bottom of the queue');
  // Move the clock to one second into a minute: a ranking holds for the rest of its minute.
  const was = Date.parse((await srv.req('POST', '/api/test/clock', { token: owner, body: { advanceMs: 0 } })).json.now);
  const clock = await srv.req('POST', '/api/test/clock', { token: owner, body: { advanceMs: 61000 - (was % 60000) } });
  const now = Date.parse(clock.json.now);
  const made = await srv.req('POST', `/api/calls/${target.id}/followups`,
    { token: owner, body: { type: 'callback', dueAt: new Date(now + 90000).toISOString(), priority: 'low' } });
  assert.equal(made.status, 201, made.text);

  const before1 = await first('/api/calls?triageMode=true&limit=50');
  const before2 = await first('/api/calls?triageMode=true&limit=50');
  assert.deepEqual(before2.data, before1.data, 'the same ranking while nothing moved');
  assert.ok(!before1.data.some((c) => c.id === target.id && c.triage.reasons.includes('follow-up overdue')));

  await srv.req('POST', '/api/test/clock', { token: owner, body: { advanceMs: 11 * 60000 } });
  const after1 = await first('/api/calls?triageMode=true&limit=50');
  const hit = after1.data.find((c) => c.id === target.id);
  assert.ok(hit, 'the call now overdue rises to the first page');
  assert.ok(hit.triage.reasons.includes('follow-up overdue'));
  assert.ok(hit.triage.score >= 1000);
  assert.equal(hit.triage.band, 'urgent');
  const q = await first('/api/calls/queue/triage?limit=50');
  assert.ok(q.queuedCalls.some((c) => c.id === target.id), 'the queue endpoint too');
  // A call younger than 900 minutes waited 11 more: its age part (1 per 10
  // minutes) grew. Only calls whose one counted attempt is themselves, so no
  // other call can leave their 24-hour window meanwhile.
  const unanswered = (c) => ['no_answer', 'voicemail', 'busy'].includes(c.status) || c.disposition === 'missed';
  const everyLater = await pages('/api/calls?triageMode=true', 100);
  const young = big.filter((c) => Date.parse(c.startedAt) > now - 900 * 60000 && c.id !== target.id
    && unanswered(c) && !c.triage.reasons.some((r) => r.includes('attempts')));
  assert.ok(young.length > 0, 'young calls in the queue');
  for (const c of young) {
    const later = everyLater.find((x) => x.id === c.id);
    assert.ok(later.triage.score > c.triage.score, `${c.id} waited longer: ${c.triage.score} -> ${later.triage.score}`);
  }
});
