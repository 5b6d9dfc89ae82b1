// What a rehearsal host receives: the user data the Pulumi program gives EC2 for the role (the
// same function, the same deploy values), the role's bundle archive and pointer as the program
// stores them, and SSM parameters like the ones the stack stores.
import { randomBytes } from 'node:crypto';
import { SIGNALING_PRIVATE_IP } from '../../infra/aws/layout.ts';
import { userDataFor } from '../../infra/aws/user-data.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { type RoleArchive, bundlePointerName, pointerValue, roleArchive } from '../../infra/render/delivery.ts';
import type { Delivery } from './standins/server.ts';
import { secretsForRole } from '../../infra/render/os.ts';
import type { HostRole } from '../../infra/render/types.ts';
import { type SecretName, ssmPrefix } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

/** The gzip EC2 receives for this role: byte for byte what deploy sends. */
export function rehearsalUserData(spec: DeploymentSpec, role: HostRole): Buffer {
  return Buffer.from(userDataFor(renderBundle(spec), role, { signalingPrivateIp: SIGNALING_PRIVATE_IP }).base64, 'base64');
}

/** The rehearsal's stand-in for the stack's bundle bucket (the program names it with a random suffix). */
export const REHEARSAL_BUNDLE_BUCKET = 'jitsi-eu-rehearsal-bundles';

/** The role's archive as the program builds it, with the same deploy values. */
export function rehearsalArchive(spec: DeploymentSpec, role: HostRole): RoleArchive {
  return roleArchive(spec, renderBundle(spec), role, { signalingPrivateIp: SIGNALING_PRIVATE_IP });
}

/** What deploy stores for the role's bundle: the archive object and the pointer naming it. */
export function rehearsalDelivery(spec: DeploymentSpec, archive: RoleArchive): Delivery {
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
  return Object.fromEntries(
    secretsForRole(spec, role)
      .filter((name) => name !== omit)
      .map((name) => [`${ssmPrefix(spec.stack)}${name}`, `rehearsal-${name}-${randomBytes(12).toString('hex')}`]),
  );
}
