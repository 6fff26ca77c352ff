// Twilio's request validation for JSON bodies at POST /api/webhooks/telephony:
// the URL carries bodySHA256 (hex SHA-256 of the raw body) and only the URL is
// signed (base64 HMAC-SHA1 with the auth token). A correctly signed JSON post
// gets past the signature check; changing the body, or the hash in the URL,
// is refused with 403 like any wrong signature.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Server } from './harness.mjs';
import { twilioSignature } from './twilio_sign.mjs';

const TOKEN = 'json-signature-auth-token';
let srv;

before(async () => { srv = await new Server({ env: { SWITCHBOARD_TWILIO_AUTH_TOKEN: TOKEN } }).start(); });
after(() => srv.stop());

const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
// POSTs body as application/json to the telephony webhook with ?bodySHA256=hash, signed over that URL.
async function post(body, { hash = sha256(body), signedBody } = {}) {
  const url = `${srv.base}/api/webhooks/telephony?bodySHA256=${hash}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Twilio-Signature': twilioSignature(TOKEN, url) },
    body: signedBody ?? body,
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, text, json };
}

const BODY = JSON.stringify({ CallSid: 'CAjson0000000000000000000000000001', CallStatus: 'completed', AccountSid: 'ACtest' });

test('a correctly signed JSON body passes the signature check (Twilio\'s bodySHA256 variant)', async () => {
  const r = await post(BODY);
  assert.notEqual(r.status, 403, r.text);
  assert.ok(r.status < 500, r.text);
  assert.doesNotMatch(r.json?.detail ?? '', /Signature/i, 'not refused for its signature');
  // The same request, unsigned, is refused: the check did run.
  const unsigned = await fetch(`${srv.base}/api/webhooks/telephony?bodySHA256=${sha256(BODY)}`,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: BODY });
  assert.equal(unsigned.status, 403);
});

test('an altered body is refused: 403', async () => {
  const r = await post(BODY, { signedBody: BODY.replace('completed', 'canceled') });
  assert.equal(r.status, 403, r.text);
  assert.match(r.json.detail, /X-Twilio-Signature/);
  const padded = await post(BODY, { signedBody: BODY + ' ' });
  assert.equal(padded.status, 403, padded.text);
});

test('a URL whose bodySHA256 is not the body\'s is refused even though the URL is signed: 403', async () => {
  const r = await post(BODY, { hash: sha256(BODY + 'x') });
  assert.equal(r.status, 403, r.text);
  const upper = await post(BODY, { hash: 'f'.repeat(64) });
  assert.equal(upper.status, 403, upper.text);
});
