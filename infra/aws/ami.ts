// The operating system image: Debian 12 (bookworm) as published by Debian's cloud team, or an
// image the stack names itself (jitsi-eu:amiId / jitsi-eu:amiOwner) where Debian does not publish.
import type * as pulumi from '@pulumi/pulumi';
import { getAmi } from '@pulumi/aws/ec2/getAmi.js';
import type { DeploymentSpec, Partition } from '../spec/types.ts';

/** Debian's own AWS account per partition (wiki.debian.org/Cloud/AmazonEC2Image). */
export const DEBIAN_AMI_OWNERS: Partial<Record<Partition, string>> = { aws: '136693071363' };

export type Architecture = 'x86_64' | 'arm64';

/** Graviton families carry a `g` after the generation digit: c7g, m6gd, t4g, c7gn. */
export function architectureOf(instanceType: string): Architecture {
  const family = instanceType.split('.')[0] ?? '';
  return /^[a-z]+\d+[a-z]*g/.test(family) ? 'arm64' : 'x86_64';
}

/** Why the image cannot be found for this spec, or undefined when it can. */
export function amiProblem(spec: Pick<DeploymentSpec, 'partition' | 'amiId' | 'amiOwner'>): string | undefined {
  if (spec.amiId || spec.amiOwner || DEBIAN_AMI_OWNERS[spec.partition]) return undefined;
  return (
    `Debian's AMI owner account in the ${spec.partition} partition is not known to jitsi-eu: ` +
    'set jitsi-eu:amiOwner to the account that publishes Debian 12 images there, or jitsi-eu:amiId to a Debian 12 image'
  );
}

export interface MachineImage {
  id: string;
  rootDeviceName: string;
}

/** Looks the image up once per architecture; the root device name comes from the image itself. */
export async function findMachineImage(
  spec: DeploymentSpec,
  architecture: Architecture,
  provider: pulumi.ProviderResource,
): Promise<MachineImage> {
  const opts = { provider };
  if (spec.amiId) {
    const image = await getAmi({ filters: [{ name: 'image-id', values: [spec.amiId] }], ...(spec.amiOwner ? { owners: [spec.amiOwner] } : {}) }, opts);
    return { id: image.id, rootDeviceName: image.rootDeviceName };
  }
  const owner = spec.amiOwner ?? DEBIAN_AMI_OWNERS[spec.partition];
  if (!owner) throw new Error(amiProblem(spec));
  const debianArch = architecture === 'arm64' ? 'arm64' : 'amd64';
  const image = await getAmi(
    {
      owners: [owner],
      mostRecent: true,
      filters: [
        { name: 'name', values: [`debian-12-${debianArch}-*`] },
        { name: 'architecture', values: [architecture] },
        { name: 'root-device-type', values: ['ebs'] },
        { name: 'virtualization-type', values: ['hvm'] },
      ],
    },
    opts,
  );
  return { id: image.id, rootDeviceName: image.rootDeviceName };
}
