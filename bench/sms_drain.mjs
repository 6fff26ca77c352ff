// SMS drain benchmark driver (see sms_drain.sh): N messages queued through
// POST /api/calls/:id/send-sms (scheduled to become due together), drained by
// the sms job at the campaign rate to the local Twilio stand-in, with the
// server killed (SIGKILL) half-way and restarted on the same data. Counts at
// the stand-in: every message exactly once, the rate of each half, the most
// messages in any 1-second window.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TwilioStandin } from '../tests/api/twilio_standin.mjs';
import { postSigned } from '../tests/api/twilio_sign.mjs';

const BIN = process.env.SWITCHBOARD_BIN;
const N = Number(process.env.SMS_N ?? 10000);
const RATE = Number(process.env.SMS_RATE ?? 50);
const PORT = Number(process.env.SMS_PORT ?? 18520);
const KILL_AT = Number(process.env.SMS_KILL_AT ?? Math.floor(N / 2));
const CONC = 16;
const TRACKING = '+14155550123', CUSTOMER = '+12125550142';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log('[sms_drain]', ...a);

const authToken = randomBytes(16).toString('hex');
const accountSid = 'AC' + randomBytes(16).toString('hex');
const standin = await new TwilioStandin({ accountSid, authToken, firstEventMs: 200, stepMs: 150 }).start();
const dataDir = mkdtempSync(path.join(tmpdir(), 'sms-drain-'));
const env = { ...process.env, SWITCHBOARD_DATA: dataDir, SWITCHBOARD_SMS: 'twilio', SWITCHBOARD_TWILIO_AUTH_TOKEN: authToken,
  SWITCHBOARD_TWILIO_ACCOUNT_SID: accountSid, SWITCHBOARD_TWILIO_BASE_URL: standin.base, SWITCHBOARD_ACCESS_LOG: 'false',
  SWITCHBOARD_LOG_LEVEL: 'warn' };

function start() {
  const proc = spawn(BIN, ['serve', '--port', String(PORT)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr.on('data', (d) => { if (process.env.SMS_VERBOSE) process.stderr.write(d); });
  return proc;
}
async function ready() {
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(`http://127.0.0.1:${PORT}/healthz`)).ok) return; } catch { /* not yet */ }
    await sleep(20);
  }
  throw new Error('server did not start');
}
const base = `http://127.0.0.1:${PORT}`;
async function req(method, p, token, body) {
  const r = await fetch(base + p, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

execFileSync(BIN, ['migrate'], { env, stdio: 'ignore' });
const token = execFileSync(BIN, ['token', 'create', '--workspace', 'bench', '--role', 'owner'], { env, encoding: 'utf8' }).trim();
let proc = start();
await ready();
await req('POST', '/api/numbers', token, { e164: TRACKING });
const callSid = 'CA' + randomBytes(16).toString('hex');
await postSigned(`${base}/api/webhooks/telephony`, authToken, { CallSid: callSid, AccountSid: accountSid, From: CUSTOMER,
  To: TRACKING, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });
const callId = (await req('GET', '/api/calls?limit=5', token)).data.find((c) => c.callSid === callSid).id;
await req('POST', '/api/settings/messaging', token, { messagesPerSecond: RATE, dailyCapSegments: 100000000 });

// Queue N messages, all due at T0 (after the queueing is done).
const lead = 15000 + N * 3;
const t0 = Date.now() + lead;
const q0 = Date.now();
let next = 0;
await Promise.all(Array.from({ length: CONC }, async () => {
  while (next < N) {
    const i = next++;
    await req('POST', `/api/calls/${callId}/send-sms`, token,
      { template: 'general', message: `bench message #${i}`, scheduledFor: new Date(t0).toISOString() });
  }
}));
const queued = Date.now();
log(`queued ${N} messages in ${((queued - q0) / 1000).toFixed(1)} s (${Math.round(N / ((queued - q0) / 1000))}/s); due in ${((t0 - queued) / 1000).toFixed(1)} s`);
if (queued > t0) log('WARNING: queueing took longer than the lead; the drain started during it');

const posts = () => standin.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
while (posts().length < KILL_AT) await sleep(5);
proc.kill('SIGKILL');
const killedAt = Date.now();
await new Promise((r) => proc.on('exit', r));
const atKill = posts().length;
proc = start();
await ready();
const restartedAt = Date.now();
log(`killed -9 after ${atKill} sends; restarted in ${restartedAt - killedAt} ms`);

const deadline = Date.now() + (N / RATE) * 1500 + 180000;
const bodies = () => new Set(standin.messages.map((m) => m.body));
while (bodies().size < N && Date.now() < deadline) await sleep(200);
await sleep(2000); // anything late would show up as a duplicate
const done = Date.now();

const all = posts();
const accepted = all.filter((r) => r.outcome === 201 || r.outcome === 'dropped');
const count = new Map();
for (const m of standin.messages) count.set(m.body, (count.get(m.body) ?? 0) + 1);
const dup = [...count.values()].filter((c) => c > 1).length;
const missing = N - [...count.keys()].filter((b) => b.startsWith('bench message #')).length;
const times = all.map((r) => r.at);
const before = times.filter((t) => t <= killedAt), after = times.filter((t) => t >= restartedAt);
const rate = (ts) => (ts.length > 1 ? (ts.length - 1) / ((ts.at(-1) - ts[0]) / 1000) : 0);
// The steady part after the restart: until the queue ran dry (the one in-flight job retried after its lease is a lone tail).
const gaps = after.slice(1).map((t, i) => t - after[i]);
const tailIdx = gaps.findIndex((g) => g > 5000);
const steadyAfter = tailIdx >= 0 ? after.slice(0, tailIdx + 1) : after;
let maxWin = 0, maxAt = 0;
for (let i = 0, j = 0; i < times.length; i++) {
  while (times[i] - times[j] >= 1000) j++;
  if (i - j + 1 > maxWin) { maxWin = i - j + 1; maxAt = times[j]; }
}
const minGap = Math.min(...times.slice(1).map((t, i) => t - times[i]));
// The same window at our side: when each vendor request really started (request_at_us, after the A2P
// window admitted it): the sender's own record, free of the stand-in's event-loop jitter.
let maxServer = null, serverPauses = null;
try {
  const at = execFileSync('sqlite3', [`${dataDir}/switchboard.db`, "SELECT request_at_us FROM sms_messages WHERE request_at_us IS NOT NULL ORDER BY request_at_us"],
    { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n').map(Number);
  maxServer = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[i] - at[j] >= 1000000) j++;
    maxServer = Math.max(maxServer, i - j + 1);
  }
  // Where the sender fell behind: the longest pauses between consecutive request starts.
  const pauses = at.slice(1).map((t, i) => [t - at[i], at[i]]).sort((x, y) => y[0] - x[0]).slice(0, 5);
  serverPauses = pauses.map(([g, t]) => `${(g / 1000).toFixed(0)} ms at ${((t / 1000 - killedAt) / 1000).toFixed(1)} s from the kill`);
} catch { /* sqlite3 not installed */ }
let db = '';
try {
  db = execFileSync('sqlite3', [`${dataDir}/switchboard.db`, "SELECT status || '=' || COUNT(*) FROM sms_messages GROUP BY status"], { encoding: 'utf8' }).trim().split('\n').join(' ');
} catch { db = '(sqlite3 not installed)'; }
const result = {
  messages: N, rate: RATE, posts: all.length, accepted: accepted.length, atVendor: standin.messages.length,
  distinct: count.size, duplicates: dup, missing,
  rateBeforeKill: +rate(before).toFixed(3), rateAfterRestart: +rate(steadyAfter).toFixed(3),
  maxIn1sAtVendor: maxWin, maxWindowFromKillMs: maxAt - killedAt, longestPausesAtServer: serverPauses, maxIn1sAtServer: maxServer, minGapMs: minGap, restartMs: restartedAt - killedAt,
  tail: tailIdx >= 0 ? `${after.length - tailIdx - 1} message(s) retried after the lease, ${(gaps[tailIdx] / 1000).toFixed(1)} s later` : 'none',
  drainSeconds: +((times.at(-1) - times[0]) / 1000).toFixed(1), dbStatuses: db,
};
console.log(JSON.stringify(result, null, 2));
proc.kill('SIGTERM');
await new Promise((r) => proc.on('exit', r));
await standin.stop();
rmSync(dataDir, { recursive: true, force: true });
const ok = dup === 0 && missing === 0 && Math.abs(result.rateBeforeKill - RATE) <= RATE * 0.02 &&
  Math.abs(result.rateAfterRestart - RATE) <= RATE * 0.02;
log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
