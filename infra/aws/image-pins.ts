// Which Debian image each host boots: Debian 12 (bookworm) as published by Debian's cloud team.
// Each stack records its image (jitsi-eu:amiId, and jitsi-eu:bridgeAmiId for bridges of another
// architecture), so a new upstream image never replaces hosts by itself: the first deploy records
// the newest image, `npm run upgrade -- --image` moves it. Free of Pulumi, so the commands can
// use it without loading the SDK.
import type { DeploymentSpec, Partition } from '../spec/types.ts';

/** Debian's own AWS account per partition (wiki.debian.org/Cloud/AmazonEC2Image). */
export const DEBIAN_AMI_OWNERS: Partial<Record<Partition, string>> = { aws: '136693071363' };

export type Architecture = 'x86_64' | 'arm64';
export type ImageRole = 'signaling' | 'bridge';
export type ImageKey = 'jitsi-eu:amiId' | 'jitsi-eu:bridgeAmiId';

/** Graviton families carry a `g` after the generation digit: c7g, m6gd, t4g, c7gn. */
export function architectureOf(instanceType: string): Architecture {
  const family = instanceType.split('.')[0] ?? '';
  return /^[a-z]+\d+[a-z]*g/.test(family) ? 'arm64' : 'x86_64';
}

export type ImageSpec = Pick<DeploymentSpec, 'partition' | 'amiId' | 'amiOwner' | 'bridgeAmiId' | 'instanceType' | 'bridges'>;

/** Why the image cannot be found for this spec, or undefined when it can. */
export function amiProblem(spec: Pick<DeploymentSpec, 'partition' | 'amiId' | 'amiOwner'>): string | undefined {
  if (spec.amiId || spec.amiOwner || DEBIAN_AMI_OWNERS[spec.partition]) return undefined;
  return (
    `Debian's AMI owner account in the ${spec.partition} partition is not known to jitsi-eu: ` +
    'set jitsi-eu:amiOwner to the account that publishes Debian 12 images there, or jitsi-eu:amiId to a Debian 12 image'
  );
}

/** One recorded image of a stack: the key that holds it, the hosts that boot it, their architecture. */
export interface ImagePin {
  key: ImageKey;
  architecture: Architecture;
  roles: ImageRole[];
  /** The recorded image; undefined when the stack has none yet. */
  id?: string;
}

/**
 * The images a stack records: one (amiId) when every host shares an architecture, a second
 * (bridgeAmiId) for bridges of the other architecture, or when the stack names one for them.
 */
export function imagePins(spec: ImageSpec): ImagePin[] {
  const signalingArch = architectureOf(spec.instanceType);
  const main: ImagePin = { key: 'jitsi-eu:amiId', architecture: signalingArch, roles: ['signaling'], ...(spec.amiId ? { id: spec.amiId } : {}) };
  if (!spec.bridges) return [main];
  const bridgeArch = architectureOf(spec.bridges.instanceType);
  if (bridgeArch === signalingArch && !spec.bridgeAmiId) return [{ ...main, roles: ['signaling', 'bridge'] }];
  return [main, { key: 'jitsi-eu:bridgeAmiId', architecture: bridgeArch, roles: ['bridge'], ...(spec.bridgeAmiId ? { id: spec.bridgeAmiId } : {}) }];
}

/** The recorded image of the hosts of a role (the signaling node's for a stack without bridges). */
export function imagePinFor(spec: ImageSpec, role: ImageRole): ImagePin {
  const pins = imagePins(spec);
  return pins.find((pin) => pin.roles.includes(role)) ?? pins[0]!;
}

/** How Debian's published Debian 12 images of one architecture are found (EC2 DescribeImages filters). */
export function debianImageQuery(spec: Pick<DeploymentSpec, 'partition' | 'amiOwner'>, architecture: Architecture): { owner: string; filters: { name: string; values: string[] }[] } {
  const owner = spec.amiOwner ?? DEBIAN_AMI_OWNERS[spec.partition];
  if (!owner) throw new Error(amiProblem({ partition: spec.partition }));
  const debianArch = architecture === 'arm64' ? 'arm64' : 'amd64';
  return {
    owner,
    filters: [
      { name: 'name', values: [`debian-12-${debianArch}-*`] },
      { name: 'architecture', values: [architecture] },
      { name: 'root-device-type', values: ['ebs'] },
      { name: 'virtualization-type', values: ['hvm'] },
    ],
  };
}

