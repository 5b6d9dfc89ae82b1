// The channel key the mocks made for a recorded run (scripts/plan/mocks-tls.ts): its private half
// as the run recorded it, and the public key line the signaling node's user data carries.
import { createPublicKey } from 'node:crypto';
import { publicKeyLine } from '../../infra/channel.ts';
import type { Recording } from '../../scripts/plan/record.ts';

export function channelPrivateKeyOf(recording: Recording): string {
  const keys = recording.generatedSecrets.filter((s) => s.includes('PRIVATE KEY'));
  if (keys.length !== 1) throw new Error(`expected one channel key in the run, found ${keys.length}`);
  return keys[0]!;
}

export function channelKeyLineOf(recording: Recording): string {
  return publicKeyLine(createPublicKey(channelPrivateKeyOf(recording)).export({ type: 'spki', format: 'pem' }).toString());
}
