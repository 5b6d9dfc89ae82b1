// Which secrets a rotation may renew, which it renews unless told otherwise, and the checks on
// `--only`: a name jitsi-eu does not know, a host account's password, a secret the stack does
// not have — each an exit 2 that names it and what to do instead.
import { secretsFor, type SecretName } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { UsageError } from '../lib/cli.ts';

export const ROTATABLE_SECRETS = ['focus-password', 'jvb-password', 'turn-secret', 'jwt-app-secret'] as const satisfies readonly SecretName[];
export type RotatableSecret = (typeof ROTATABLE_SECRETS)[number];

/**
 * Without --only: the internal component secrets and the TURN secret. The token secret is shared
 * with the organisation's token issuer, so it is rotated only when named.
 */
export const DEFAULT_ROTATION: readonly RotatableSecret[] = ['focus-password', 'jvb-password', 'turn-secret'];

const isRotatable = (name: string): name is RotatableSecret => (ROTATABLE_SECRETS as readonly string[]).includes(name);

/** `--only a,b` → the names, checked against what jitsi-eu can rotate; undefined → the default set. */
export function parseSecretList(only: string | undefined, stack: string): RotatableSecret[] | undefined {
  if (only === undefined) return undefined;
  const names = [...new Set(only.split(',').map((n) => n.trim()).filter(Boolean))];
  if (names.length === 0) throw new UsageError([`--only ${JSON.stringify(only)} names no secret`, `give one or more of: ${ROTATABLE_SECRETS.join(', ')}`]);
  if (names.includes('host-password')) {
    throw new UsageError([
      '--only host-password: host accounts are not rotated here.',
      `a host account gets a new password with: npm run accounts -- reset-password --stack ${stack} (see npm run accounts -- --help)`,
    ]);
  }
  const unknown = names.filter((n) => !isRotatable(n));
  if (unknown.length) {
    throw new UsageError([`--only: no secret named ${unknown.join(', ')}`, `the secrets rotate can renew: ${ROTATABLE_SECRETS.join(', ')}`]);
  }
  return names as RotatableSecret[];
}

const ABSENT_BECAUSE: Partial<Record<RotatableSecret, (spec: DeploymentSpec) => string>> = {
  'turn-secret': () => 'it runs no TURN server (jitsi-eu:turn is false)',
  'jwt-app-secret': (spec) => `its hosts do not sign in with tokens (jitsi-eu:auth is ${spec.auth}, not jwt)`,
};

/**
 * Hetzner Cloud and OpenStack: a pool's bridges fetched the videobridge password from the
 * signaling node once, at boot, and take no commands; a new password there would lock them out
 * at their next sign-in. It changes with a new signaling node, which brings new bridges.
 */
const kept = (spec: DeploymentSpec) => spec.cloud !== 'aws' && spec.topology === 'scalable';

/** The secrets to rotate for this stack: those named (each must exist) or the default set it has. */
export function secretsToRotate(named: RotatableSecret[] | undefined, spec: DeploymentSpec): RotatableSecret[] {
  const present = new Set<SecretName>(secretsFor(spec));
  if (kept(spec)) present.delete('jvb-password');
  if (named?.includes('jvb-password') && kept(spec)) {
    throw new UsageError([
      `--only jvb-password: the bridges of ${spec.stack} fetched the videobridge password from the signaling node once, at boot, and take no commands, so it cannot change under them: nothing was changed.`,
      `It changes with a new signaling node, which brings new bridges (meetings end): pulumi up --stack ${spec.stack} --replace <URN of the signaling server>.`,
    ]);
  }
  if (named === undefined) return DEFAULT_ROTATION.filter((s) => present.has(s));
  const absent = named.filter((s) => !present.has(s));
  if (absent.length) {
    throw new UsageError([
      ...absent.map((s) => `--only ${s}: stack ${spec.stack} has no such secret: ${ABSENT_BECAUSE[s]?.(spec) ?? 'the stack does not use it'}`),
      `the secrets of ${spec.stack} that rotate can renew: ${ROTATABLE_SECRETS.filter((s) => present.has(s)).join(', ')}`,
    ]);
  }
  // The order of the list above, whatever order --only gave.
  return ROTATABLE_SECRETS.filter((s) => named.includes(s));
}
