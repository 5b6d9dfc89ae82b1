// The operating system image the hosts boot: the stack's recorded Debian image (see image-pins.ts),
// or for a stack without one (an offline plan, a stack deployed before images were recorded) the
// newest Debian 12 image.
import type * as pulumi from '@pulumi/pulumi';
import { getAmi } from '@pulumi/aws/ec2/getAmi.js';
import { type ImageRole, type ImageSpec, debianImageQuery, imagePinFor } from './image-pins.ts';

export * from './image-pins.ts';

export interface MachineImage {
  id: string;
  rootDeviceName: string;
}

/** The image a host of this role boots: the recorded one, else the newest Debian 12 image. */
export async function findMachineImage(spec: ImageSpec, role: ImageRole, provider: pulumi.ProviderResource): Promise<MachineImage> {
  const opts = { provider };
  const pin = imagePinFor(spec, role);
  if (pin.id) {
    // Looked up only for its root device name, which the root volume settings need. AWS marks
    // public images deprecated after two years; a recorded one must still be found then.
    const image = await getAmi({ filters: [{ name: 'image-id', values: [pin.id] }], includeDeprecated: true, ...(spec.amiOwner ? { owners: [spec.amiOwner] } : {}) }, opts);
    return { id: image.id, rootDeviceName: image.rootDeviceName };
  }
  const query = debianImageQuery(spec, pin.architecture);
  const image = await getAmi({ owners: [query.owner], mostRecent: true, filters: query.filters }, opts);
  return { id: image.id, rootDeviceName: image.rootDeviceName };
}
