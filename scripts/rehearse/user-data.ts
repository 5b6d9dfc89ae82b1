// What a rehearsal host receives: the user data the Pulumi program gives EC2 for the role (the
// same function, the same deploy values), and SSM parameters like the ones the stack stores.
import { randomBytes } from 'node:crypto';
import { SIGNALING_PRIVATE_IP } from '../../infra/aws/layout.ts';
import { userDataFor } from '../../infra/aws/user-data.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { secretsForRole } from '../../infra/render/os.ts';
import type { HostRole } from '../../infra/render/types.ts';
import { type SecretName, ssmPrefix } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

/** The gzip EC2 receives for this role: byte for byte what deploy sends. */
export function rehearsalUserData(spec: DeploymentSpec, role: HostRole): Buffer {
  return Buffer.from(userDataFor(renderBundle(spec), role, { signalingPrivateIp: SIGNALING_PRIVATE_IP }).base64, 'base64');
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
