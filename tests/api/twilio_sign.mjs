// Signs requests exactly like Twilio does (X-Twilio-Signature): base64 of
// HMAC-SHA1(auth token, full URL + each POST parameter's name and value,
// sorted by name). Also the Stripe-style signature of the transcription webhook.
import { createHmac } from 'node:crypto';

export function twilioSignature(token, url, params = {}) {
  let data = url;
  for (const k of Object.keys(params).sort()) data += k + params[k];
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

// Body text of a form post, in the parameters' order.
export function formBody(params) {
  return new URLSearchParams(params).toString();
}

// POSTs a signed form to url (full URL, as signed); returns { status, headers, text, json }.
export async function postSigned(url, token, params, { signature, headers = {} } = {}) {
  const sig = signature ?? twilioSignature(token, url, params);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig, ...headers },
    body: formBody(params),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

// X-Switchboard-Signature for a raw body at unix time t (seconds).
export function stripeSignature(secret, t, body) {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}
