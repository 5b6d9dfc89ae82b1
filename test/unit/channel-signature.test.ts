// A channel request signed here is one the host's own check accepts: the host verifies with
// OpenSSL's command line (pkeyutl, Ed25519) against the PEM it builds from the user data's key line,
// so the test does exactly that, and shows that a change of any signed part breaks the signature.
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_HEADERS, CHANNEL_PATH, CHANNEL_PROTOCOL, channelMessage, publicKeyLine } from '../../infra/channel.ts';
import { signChannelRequest } from '../../scripts/lib/channel/signature.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const openssl = requireTool('openssl');
const dir = tempDir('jitsi-eu-channel-sig-');
afterAll(() => dir.remove());

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const DOMAIN = 'meet.example.org';
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

/** What the host does: PEM from the key line, then `openssl pkeyutl -verify -rawin`. */
function hostAccepts(message: string, signatureBase64: string): boolean {
  const pub = join(dir.path, 'channel.pub');
  writeFileSync(pub, `-----BEGIN PUBLIC KEY-----\n${publicKeyLine(publicPem)}\n-----END PUBLIC KEY-----\n`);
  writeFileSync(join(dir.path, 'message'), message);
  writeFileSync(join(dir.path, 'signature'), Buffer.from(signatureBase64, 'base64'));
  try {
    execFileSync(openssl, ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', join(dir.path, 'message'), '-sigfile', join(dir.path, 'signature')], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('channel request signature', () => {
  const body = Buffer.from(JSON.stringify({ script: 'cat /etc/jitsi-eu/revision', timeoutSeconds: 30 }));
  const signed = signChannelRequest(privatePem, DOMAIN, body, () => NOW);
  const time = Number(signed.headers[CHANNEL_HEADERS.time]);
  const nonce = signed.headers[CHANNEL_HEADERS.nonce];
  const signature = signed.headers[CHANNEL_HEADERS.signature];
  const parts = { domain: DOMAIN, method: 'POST', path: CHANNEL_PATH, time, nonce, bodySha256: createHash('sha256').update(body).digest('hex') };

  it('carries the time in seconds and a fresh 128-bit nonce', () => {
    expect(time).toBe(NOW / 1000);
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(signChannelRequest(privatePem, DOMAIN, body, () => NOW).headers[CHANNEL_HEADERS.nonce]).not.toBe(nonce);
  });

  it('signs the six lines the host rebuilds, which OpenSSL accepts', () => {
    const message = channelMessage(parts);
    expect(message.split('\n')).toEqual([CHANNEL_PROTOCOL, DOMAIN, `POST ${CHANNEL_PATH}`, String(time), nonce, parts.bodySha256]);
    expect(hostAccepts(message, signature)).toBe(true);
  });

  it.each([
    ['another deployment', { domain: 'meet.other.example' }],
    ['another time', { time: time + 1 }],
    ['another nonce', { nonce: '0'.repeat(32) }],
    ['another body', { bodySha256: createHash('sha256').update('{"script":"id"}').digest('hex') }],
    ['another path', { path: '/_jitsi-eu/channel/other' }],
  ])('is worthless for %s', (_what, change) => {
    expect(hostAccepts(channelMessage({ ...parts, ...change }), signature)).toBe(false);
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => signChannelRequest(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), DOMAIN, body)).toThrow(/rsa, not Ed25519/);
    expect(() => publicKeyLine(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(/not an Ed25519 public key/);
  });

  it('turns the PEM public key into the 60-character line the user data carries', () => {
    const line = publicKeyLine(publicPem);
    expect(line).toHaveLength(60);
    const raw = Buffer.from(String(publicKey.export({ format: 'jwk' }).x), 'base64url');
    expect(Buffer.from(line, 'base64').subarray(12)).toEqual(raw);
  });
});
