// User data on clouds with no object store jitsi-eu can use (Hetzner Cloud, OpenStack): the role's
// cloud-init document from the bundle, with the deploy-time values filled in and the role's
// configuration archive (infra/render/delivery.ts roleArchive, which holds no secret) written into
// it. A configuration change therefore changes the user data, which replaces the server.
import { createHash } from 'node:crypto';
import { type DeployValueName, DEPLOY_VALUES, applyDeployValues } from '../placeholders.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import { archiveText } from './archive-text.ts';
import { ARCHIVE_TOKENS, cloudInitPath } from './cloud-init.ts';
import { roleArchive } from './delivery.ts';
import type { Bundle, HostRole } from './types.ts';
import { gunzipSync } from 'node:zlib';

export interface UserDataLimit {
  provider: string;
  /** The most the provider accepts. */
  maxBytes: number;
  /** What the provider measures: the text itself, or its base64 encoding (Nova's API). */
  measure: 'text' | 'base64';
}

/** The size the provider counts. */
export function userDataSize(content: string, limit: UserDataLimit): number {
  const bytes = Buffer.byteLength(content, 'utf8');
  return limit.measure === 'text' ? bytes : 4 * Math.ceil(bytes / 3);
}

export function archiveUserData(
  spec: DeploymentSpec,
  bundle: Bundle,
  role: HostRole,
  values: Partial<Record<DeployValueName, string>>,
  limit: UserDataLimit,
): string {
  const path = cloudInitPath(role);
  const file = bundle.files.find((f) => f.path === path && f.component === 'cloud-init');
  if (!file) throw new Error(`the rendered bundle has no cloud-init document for the ${role} role (${path})`);
  if (!file.content.includes(ARCHIVE_TOKENS.archive)) {
    throw new Error(`the ${role} cloud-init document has no place for the configuration archive: was the bundle rendered for ${spec.cloud}?`);
  }
  if (values.channelKey !== undefined && !/^MCowBQYDK2VwAyEA[A-Za-z0-9+/]{43}=$/.test(values.channelKey)) {
    throw new Error('the channel key for the user data is not an Ed25519 public key line (infra/channel.ts publicKeyLine)');
  }
  const archive = roleArchive(spec, bundle, role, values);
  // The host keeps the plain tar (infra/render/archive-text.ts): the pointer names its sha256.
  const tar = gunzipSync(archive.archive);
  const content = applyDeployValues(file.content, values)
    .replace(ARCHIVE_TOKENS.archive, () => archiveText(tar))
    .split(ARCHIVE_TOKENS.revision).join(archive.revision)
    .split(ARCHIVE_TOKENS.sha256).join(createHash('sha256').update(tar).digest('hex'));
  const left = Object.values(DEPLOY_VALUES).filter((token) => content.includes(token));
  if (left.length > 0) throw new Error(`the ${role} user data still holds deploy-time placeholders: ${left.join(', ')}`);
  const size = userDataSize(content, limit);
  if (size > limit.maxBytes) {
    throw new Error(`the ${role} user data is ${size} bytes; ${limit.provider} accepts at most ${limit.maxBytes}: the role's configuration is too large to travel in the user data`);
  }
  return content;
}

/**
 * What defines a host made from archive-carrying user data, as sha256 hex: its user data with the
 * configuration archive, its sha256 and its revision left out (what stays: the Jitsi release and
 * packages, the boot steps, the channel key's place), and the server's own properties whose change
 * makes a new server (image, place, server type). Two runs with the same digest differ in
 * configuration only, which the host can take in place instead of being replaced.
 */
export function hostDefiningDigest(
  bundle: Bundle,
  role: HostRole,
  values: Partial<Record<DeployValueName, string>>,
  server: Readonly<Record<string, string>>,
): string {
  const path = cloudInitPath(role);
  const file = bundle.files.find((f) => f.path === path && f.component === 'cloud-init');
  if (!file) throw new Error(`the rendered bundle has no cloud-init document for the ${role} role (${path})`);
  const properties = Object.keys(server).sort().map((name) => `${name}=${server[name]}\n`).join('');
  return createHash('sha256').update(applyDeployValues(file.content, values)).update('\0').update(properties).digest('hex');
}
