// A host's user data: the bundle's cloud-init document for its role, with the values only known
// at deploy time filled in, gzipped (EC2 and cloud-init both accept gzip) to stay under EC2's limit.
import type { Bundle, HostRole } from '../render/types.ts';
import { USER_DATA_MAX_BYTES, cloudInitPath, userDataGzip } from '../render/cloud-init.ts';
import { type DeployValueName, DEPLOY_VALUES, applyDeployValues } from '../placeholders.ts';

export interface UserData {
  /** The cloud-init document as the host receives it. */
  content: string;
  gzipBytes: number;
  base64: string;
}

export function userDataFor(bundle: Bundle, role: HostRole, values: Partial<Record<DeployValueName, string>>): UserData {
  const path = cloudInitPath(role);
  const file = bundle.files.find((f) => f.path === path && f.component === 'cloud-init');
  if (!file) throw new Error(`the rendered bundle has no cloud-init document for the ${role} role (${path})`);
  const content = applyDeployValues(file.content, values);
  const left = Object.values(DEPLOY_VALUES).filter((token) => content.includes(token));
  if (left.length > 0) throw new Error(`the ${role} user data still holds deploy-time placeholders: ${left.join(', ')}`);
  const gzip = userDataGzip(content);
  if (gzip.length > USER_DATA_MAX_BYTES) {
    throw new Error(`the ${role} user data is ${gzip.length} bytes gzipped; EC2 accepts at most ${USER_DATA_MAX_BYTES}`);
  }
  return { content, gzipBytes: gzip.length, base64: gzip.toString('base64') };
}
