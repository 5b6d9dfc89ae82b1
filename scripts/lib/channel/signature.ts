// Signing a channel request with the stack's private channel key (infra/channel.ts says what is
// signed and why). Node's own crypto: Ed25519 needs no library.
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { CHANNEL_HEADERS, CHANNEL_PATH, channelMessage } from '../../../infra/channel.ts';

export interface SignedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/** Headers for one POST of `body` to the channel of `domain`, signed with a PKCS#8 PEM Ed25519 key. */
export function signChannelRequest(privateKeyPem: string, domain: string, body: Buffer, now: () => number = Date.now): SignedRequest {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the channel key is ${key.asymmetricKeyType ?? 'not an asymmetric key'}, not Ed25519`);
  const time = Math.floor(now() / 1000);
  const nonce = randomBytes(16).toString('hex');
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  const message = channelMessage({ domain, method: 'POST', path: CHANNEL_PATH, time, nonce, bodySha256 });
  const signature = sign(null, Buffer.from(message, 'utf8'), key).toString('base64');
  return {
    headers: {
      'content-type': 'application/json',
      [CHANNEL_HEADERS.time]: String(time),
      [CHANNEL_HEADERS.nonce]: nonce,
      [CHANNEL_HEADERS.signature]: signature,
    },
    body,
  };
}
