// What a rehearsal host receives: the user data the Pulumi program gives EC2 for the role (the
// same function, the same deploy values), the role's bundle archive and pointer as the program
// stores them, and SSM parameters like the ones the stack stores.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { publicKeyLine } from '../../infra/channel.ts';
import { SIGNALING_PRIVATE_IP } from '../../infra/aws/layout.ts';
import { userDataFor } from '../../infra/aws/user-data.ts';
import { hetznerUserData } from '../../infra/hetzner/user-data.ts';
import { openstackUserData } from '../../infra/openstack/user-data.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { type RoleArchive, bundlePointerName, pointerValue, roleArchive } from '../../infra/render/delivery.ts';
import type { Delivery } from './standins/server.ts';
import { secretsForRole } from '../../infra/render/os.ts';
import type { HostRole } from '../../infra/render/types.ts';
import { type SecretName, ssmPrefix } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

/**
 * What the provider receives for this role, byte for byte what deploy sends: the gzip for EC2,
 * the cloud-config text (with the role's configuration archive) for Hetzner and OpenStack.
 */
export function rehearsalUserData(spec: DeploymentSpec, role: HostRole, channelKey?: string): Buffer {
  const values = { signalingPrivateIp: SIGNALING_PRIVATE_IP, ...(channelKey ? { channelKey } : {}) };
  switch (spec.cloud) {
    case 'hetzner':
      return Buffer.from(hetznerUserData(spec, renderBundle(spec), role, values), 'utf8');
    case 'openstack':
      return Buffer.from(openstackUserData(spec, renderBundle(spec), role, values), 'utf8');
    default:
      return Buffer.from(userDataFor(renderBundle(spec), role, values).base64, 'base64');
  }
}

/** The rehearsal's stand-in for the stack's bundle bucket (the program names it with a random suffix). */
export const REHEARSAL_BUNDLE_BUCKET = 'jitsi-eu-rehearsal-bundles';

/** The role's archive as the program builds it, with the same deploy values. */
export function rehearsalArchive(spec: DeploymentSpec, role: HostRole): RoleArchive {
  return roleArchive(spec, renderBundle(spec), role, { signalingPrivateIp: SIGNALING_PRIVATE_IP });
}

/** What deploy stores for the role's bundle: the archive object and the pointer naming it. */
export function rehearsalDelivery(spec: DeploymentSpec, archive: RoleArchive): Delivery {
  // Hetzner and OpenStack: the archive is in the user data, nothing is stored elsewhere.
  if (spec.cloud !== 'aws') return { objects: [], pointers: {} };
  const bucket = REHEARSAL_BUNDLE_BUCKET;
  return {
    objects: [{ bucket, key: archive.key, base64: archive.archive.toString('base64') }],
    pointers: { [bundlePointerName(spec.stack, archive.role)]: pointerValue({ revision: archive.revision, bucket, key: archive.key, sha256: archive.sha256 }) },
  };
}

/**
 * Fresh random values for the secrets the role reads, under the stack's SSM names, as the
 * program stores them (the values themselves differ: generated per run); `omit` leaves one out.
 */
export function rehearsalParameters(spec: DeploymentSpec, role: HostRole, omit?: SecretName): Record<string, string> {
  // Hetzner and OpenStack have no parameter store: the signaling node makes its own secrets.
  if (spec.cloud !== 'aws') return {};
  return Object.fromEntries(
    secretsForRole(spec, role)
      .filter((name) => name !== omit)
      .map((name) => [`${ssmPrefix(spec.stack)}${name}`, `rehearsal-${name}-${randomBytes(12).toString('hex')}`]),
  );
}

/**
 * A channel key pair for the rehearsal host, as the program makes one per stack (Hetzner Cloud
 * and OpenStack, signaling node only): the public half for the user data, the private half for
 * whoever talks to the host's channel.
 */
export function rehearsalChannelKey(spec: DeploymentSpec, role: HostRole): { line: string; privateKeyPem: string } | undefined {
  if (spec.cloud === 'aws' || role !== 'signaling') return undefined;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    line: publicKeyLine(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
