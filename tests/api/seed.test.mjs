// The data generator, `switchboard seed --calls N`: the same seed gives the
// same data (summary line and every call through the API), the proportions
// look like a field-service phone line, the rows keep the calls module's
// bookkeeping, every number is a valid E.164 number, a second run adds calls,
// and bad arguments exit 2 with a message naming the option.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Server, cli, freshDataDir } from './harness.mjs';

const N = 2000;
const NOW = '2025-06-01T00:00:00Z';
const ARGS = ['seed', '--calls', String(N), '--seed', '4242', '--now', NOW, '--workspace', 'gen'];

const summaryOf = (out) => out.trim().split('\n').pop();
const withoutTime = (line) => line.replace(/ seconds=\S+$/, '');
const fields = (line) => Object.fromEntries(line.split(' ').filter((w) => w.includes('=')).map((w) => w.split('=')));

async function listAll(srv, token) {
  const out = [];
  let cursor = null;
  do {
    const q = `/api/calls?limit=100&spam=true${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`;
    const r = await srv.req('GET', q, { token });
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.data);
    cursor = r.json.hasMore ? r.json.nextCursor : null;
  } while (cursor);
  return out;
}

// The workspace and its staff are made by the accounts module with ordinary
// (random) ids; everything the generator makes is deterministic. Name those
// ids by slug and e-mail so two databases can be compared.
async function stableIds(srv, token) {
  const names = new Map();
  const me = await srv.req('GET', '/api/me', { token });
  names.set(me.json.workspace?.id ?? me.json.user?.workspaceId, '<workspace>');
  const users = await srv.req('GET', '/api/users', { token });
  assert.equal(users.status, 200, users.text);
  for (const u of users.json.users) names.set(u.id, `<${u.email}>`);
  return (value) => JSON.parse(JSON.stringify(value, (k, v) => (typeof v === 'string' && names.has(v) ? names.get(v) : v)));
}

const runs = [];

before(async () => {
  for (let i = 0; i < 2; i++) {
    const dataDir = freshDataDir();
    const r = cli(ARGS, { dataDir });
    assert.equal(r.status, 0, r.stderr);
    const srv = await new Server({ dataDir }).start();
    const token = srv.token('gen', 'owner', 'owner@gen.test');
    const stable = await stableIds(srv, token);
    const calls = await listAll(srv, token);
    runs.push({ srv, token, summary: summaryOf(r.stdout), stderr: r.stderr, calls, stable });
  }
});
after(async () => {
  for (const r of runs) await r.srv.stop();
});

describe('deterministic', () => {
  test('the same seed prints the same summary (rows per table and digest)', () => {
    const [a, b] = runs;
    assert.match(a.summary, /^seeded workspace=gen seed=4242 now=2025-06-01T00:00:00.000Z days=90 calls=2000 /);
    assert.match(a.summary, / digest=[0-9a-f]{16} seconds=\d+(\.\d+)?$/);
    assert.equal(withoutTime(a.summary), withoutTime(b.summary));
    assert.match(a.stderr, /seed: calls 2000\/2000/, 'progress goes to stderr');
  });

  test('the same seed writes the same calls, field for field', async () => {
    const [a, b] = runs;
    assert.equal(a.calls.length, N);
    assert.deepEqual(a.stable(a.calls), b.stable(b.calls));
    const some = a.calls.filter((c) => c.hasTranscript).slice(0, 10).concat(a.calls.slice(0, 5));
    for (const c of some) {
      const x = await a.srv.req('GET', `/api/calls/${c.id}`, { token: a.token });
      const y = await b.srv.req('GET', `/api/calls/${c.id}`, { token: b.token });
      assert.equal(x.status, 200);
      assert.deepEqual(a.stable(x.json), b.stable(y.json));
    }
  });

  test('another seed gives other data', () => {
    const dataDir = freshDataDir();
    const r = cli(['seed', '--calls', '200', '--seed', '4243', '--now', NOW, '--workspace', 'gen'], { dataDir });
    assert.equal(r.status, 0, r.stderr);
    const first = fields(summaryOf(r.stdout));
    const otherDir = freshDataDir();
    const again = cli(['seed', '--calls', '200', '--seed', '4242', '--now', NOW, '--workspace', 'gen'], { dataDir: otherDir });
    assert.notEqual(first.digest, fields(summaryOf(again.stdout)).digest);
    for (const d of [dataDir, otherDir]) rmSync(d, { recursive: true, force: true });
  });
});

describe('realistic', () => {
  test('proportions: ~30% missed, ~8% spam, ~60% known callers, jobs, transcripts, AI answers', () => {
    const calls = runs[0].calls;
    const share = (pred) => calls.filter(pred).length / calls.length;
    const missed = share((c) => c.direction === 'in' && ['no_answer', 'voicemail'].includes(c.status));
    assert.ok(missed >= 0.25 && missed <= 0.35, `missed ${missed}`);
    const spam = share((c) => c.spam);
    assert.ok(spam >= 0.05 && spam <= 0.11, `spam ${spam}`);
    const known = share((c) => c.contactId);
    assert.ok(known >= 0.5 && known <= 0.7, `known ${known}`);
    const jobs = share((c) => c.jobId);
    assert.ok(jobs >= 0.12 && jobs <= 0.3, `jobs ${jobs}`);
    const transcripts = share((c) => c.hasTranscript);
    assert.ok(transcripts >= 0.18 && transcripts <= 0.32, `transcripts ${transcripts}`);
    const ai = share((c) => c.agentType === 'ai');
    assert.ok(ai >= 0.1 && ai <= 0.35, `ai ${ai}`);
    const s = fields(runs[0].summary);
    assert.equal(Number(s.calls), N);
    assert.equal(Number(s.missed), calls.filter((c) => c.direction === 'in' && ['no_answer', 'voicemail'].includes(c.status)).length);
    assert.equal(Number(s.spam), calls.filter((c) => c.spam).length);
    assert.equal(Number(s.tracking_numbers), 3);
    assert.equal(Number(s.users), 5, 'three techs and two dispatchers made');
  });

  test('business hours: most calls Mon-Sat 7-19 in the workspace zone, a few at night', () => {
    const calls = runs[0].calls;
    const hours = new Array(24).fill(0);
    for (const c of calls) hours[new Date(Date.parse(c.startedAt) - 4 * 3600e3).getUTCHours()]++; // New York summer time
    const day = hours.slice(8, 18).reduce((a, b) => a + b, 0);
    const night = hours.slice(0, 6).reduce((a, b) => a + b, 0);
    assert.ok(day / calls.length > 0.7, `daytime share ${day / calls.length}`);
    assert.ok(night > 0 && night / calls.length < 0.03, `night share ${night / calls.length}`);
    assert.ok(hours[12] > hours[9] && hours[12] > hours[16], 'a lunch peak');
    assert.equal(calls.filter((c) => c.afterHours).length > 0, true);
  });

  test('rows keep the calls bookkeeping: outcome, triage, spam, first-time callers, repeat callers', () => {
    const calls = runs[0].calls;
    for (const c of calls) {
      if (c.disposition) assert.equal(c.outcomeRequired, false, `${c.id} has an outcome`);
      if (c.spam) {
        assert.ok(c.intent === 'spam' || c.disposition === 'spam', `${c.id} spam is marked`);
        assert.equal(c.queueStatus, 'none');
        assert.ok(c.spamReason);
      } else {
        assert.notEqual(c.intent, 'spam');
        assert.notEqual(c.disposition, 'spam');
      }
      assert.equal(c.queueStatus === 'triage', c.outcomeRequired, `${c.id} triage iff an outcome is required`);
      assert.equal(c.firstTimeCaller, c.direction === 'in' && c.priorCalls === 0, `${c.id} first-time caller`);
      if (c.contactId) assert.ok(c.contact && c.contact.phones.includes(c.direction === 'in' ? c.fromE164 : c.toE164));
      if (c.disposition === 'booked') assert.ok(c.valueEstCents > 0, `${c.id} booked has a value`);
      if (c.hasTranscript) assert.ok(c.recordingUrl, `${c.id} transcript from a recording`);
      assert.ok(c.startedAt < NOW && c.startedAt >= '2025-03-03', `${c.id} in the 90 days before now`);
    }
    // Prior calls count the earlier inbound calls from the same number (the list is newest first).
    const seen = new Map();
    for (const c of [...calls].reverse()) {
      if (c.direction !== 'in') continue;
      assert.equal(c.priorCalls, seen.get(c.fromE164) ?? 0, `${c.id} prior calls`);
      seen.set(c.fromE164, (seen.get(c.fromE164) ?? 0) + 1);
    }
    const repeat = [...seen.values()].filter((n) => n > 1).length;
    assert.ok(repeat > 50, `repeat callers ${repeat}`);
    assert.ok(calls.some((c) => c.queueStatus === 'triage'), 'recent calls wait in triage');
    assert.ok(calls.some((c) => c.queueStatus === 'followup'), 'missed calls with open follow-ups');
    assert.ok(calls.some((c) => c.tags.includes('water-heater')), 'tags from the trade');
  });

  test('calls land on the workspace tracking numbers', () => {
    const calls = runs[0].calls;
    const lines = new Set(calls.map((c) => (c.direction === 'in' ? c.toE164 : c.fromE164)));
    assert.equal(lines.size, 3);
    for (const n of lines) assert.match(n, /^\+1\d{3}55501\d\d$/);
    assert.equal(new Set(calls.map((c) => c.numberId)).size, 3);
  });

  test('transcripts are short multi-turn JSON with plain text', async () => {
    const { srv, token, calls } = runs[0];
    const c = calls.find((x) => x.hasTranscript && x.status === 'completed');
    const r = await srv.req('GET', `/api/calls/${c.id}`, { token });
    const t = r.json.call.transcript;
    assert.ok(Array.isArray(t.segments) && t.segments.length >= 4, JSON.stringify(t));
    for (const s of t.segments) {
      assert.ok(['caller', 'agent', 'ai'].includes(s.speaker));
      assert.equal(typeof s.text, 'string');
      assert.ok(s.endSec > s.startSec);
    }
  });
});

describe('phone numbers', () => {
  test('every from/to number is a valid E.164 number (checked by libphonenumber)', async () => {
    const { srv, token, calls } = runs[0];
    const numbers = new Set();
    for (const c of calls) {
      numbers.add(c.fromE164);
      numbers.add(c.toE164);
      for (const p of c.contact?.phones ?? []) numbers.add(p);
    }
    for (const n of numbers) assert.match(n, /^\+1[2-9]\d{2}555\d{4}$/);
    // PATCH /api/me normalizes through libphonenumber and refuses invalid numbers.
    for (const n of numbers) {
      const r = await srv.req('PATCH', '/api/me', { token, body: { phone: n } });
      assert.equal(r.status, 200, `${n}: ${r.text}`);
      assert.equal(r.json.user?.phone ?? r.json.phone, n);
    }
  });
});

describe('running again', () => {
  test('a second run into the same workspace adds calls with new ids; prior calls continue', async () => {
    const dataDir = freshDataDir();
    const args = ['seed', '--calls', '300', '--seed', '7', '--now', NOW, '--workspace', 'again'];
    const one = cli(args, { dataDir });
    assert.equal(one.status, 0, one.stderr);
    const two = cli(args, { dataDir });
    assert.equal(two.status, 0, two.stderr);
    const s1 = fields(summaryOf(one.stdout)), s2 = fields(summaryOf(two.stdout));
    assert.notEqual(s1.digest, s2.digest);
    assert.equal(s2.users, '0');
    assert.equal(s2.tracking_numbers, '0', 'the workspace keeps its three numbers');
    const srv = await new Server({ dataDir }).start();
    try {
      const token = srv.token('again', 'owner', 'owner@again.test');
      const calls = await listAll(srv, token);
      assert.equal(calls.length, 600);
      assert.equal(new Set(calls.map((c) => c.id)).size, 600);
      assert.ok(Number(s2.first_time) < Number(s1.first_time), 'callers of the first run are not first-time callers again');
    } finally {
      await srv.stop();
    }
  });

  test('--demo still works, alone and before --calls', () => {
    const dataDir = freshDataDir();
    const r = cli(['seed', '--demo', '--calls', '50', '--now', NOW], { dataDir });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /demo workspace 'demo' created/);
    assert.match(r.stdout, /seeded workspace=demo .*calls=50 /);
    const again = cli(['seed', '--demo', '--if-empty'], { dataDir });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /nothing seeded/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('bad arguments', () => {
  const cases = [
    [['--calls', '0'], /--calls must be a whole number from 1 to/],
    [['--calls', '-5'], /--calls/],
    [['--calls', 'many'], /--calls must be a whole number/],
    [['--calls', '20000001'], /--calls must be a whole number from 1 to 20000000/],
    [['--calls'], /--calls needs a value/],
    [['--calls', '10', '--seed', 'abc'], /--seed must be a non-negative whole number/],
    [['--calls', '10', '--seed', '-1'], /--seed/],
    [['--calls', '10', '--now', 'yesterday'], /--now must be an RFC 3339 time/],
    [['--calls', '10', '--days', '0'], /--days must be a whole number from 1 to 3650/],
    [['--calls', '10', '--workspace', 'Not A Slug'], /--workspace 'Not A Slug' must be/],
    [['--calls', '10', '--bogus'], /unknown option '--bogus'/],
    [[], /usage: switchboard seed/],
  ];
  for (const [args, message] of cases) {
    test(`seed ${args.join(' ') || '(nothing)'} exits 2`, () => {
      const dataDir = freshDataDir();
      const r = cli(['seed', ...args], { dataDir });
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      rmSync(dataDir, { recursive: true, force: true });
    });
  }
});
