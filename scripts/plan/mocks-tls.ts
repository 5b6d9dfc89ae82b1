// What the offline plan's mocks answer for the stack's channel key (@pulumi/tls PrivateKey): a
// real Ed25519 key pair made on the spot, in the provider's output shapes, so the user data that
// carries the public half has its real size. The private half is a secret the plan never shows.
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { MockResourceArgs } from '@pulumi/pulumi/runtime/mocks.js';

export const TLS_PRIVATE_KEY_TYPE = 'tls:index/privateKey:PrivateKey';

/** `onPrivateKey` learns each private key made, so a caller can check it appears nowhere. */
export function tlsMockState(args: MockResourceArgs, onPrivateKey: (pem: string) => void = () => {}): { id: string; state: Record<string, unknown> } | undefined {
  if (args.type !== TLS_PRIVATE_KEY_TYPE) return undefined;
  const inputs = args.inputs as Record<string, unknown>;
  if (inputs.algorithm !== 'ED25519') throw new Error(`the offline plan makes Ed25519 keys only, not ${String(inputs.algorithm)}`);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  onPrivateKey(privateKeyPem);
  return {
    // The provider's id for a key: the SHA-1 of its public half.
    id: createHash('sha1').update(publicKeyPem).digest('hex'),
    state: { ...inputs, publicKeyPem, privateKeyPem, privateKeyPemPkcs8: privateKeyPem },
  };
}
