// The Debian images EC2 knows: the newest Debian 12 image of an architecture as Debian publishes
// it (the same query the Pulumi program makes), the facts of given images (name, date), and the
// images a deployed stack's hosts run now.
import { DescribeAutoScalingGroupsCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, paginateDescribeImages, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { type Architecture, debianImageQuery } from '../../infra/aws/image-pins.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

export interface ImageFacts {
  id: string;
  name?: string;
  /** ISO date the image was published. */
  created?: string;
  architecture?: string;
}

const facts = (image: Image): ImageFacts => ({
  id: image.ImageId ?? 'unknown',
  ...(image.Name ? { name: image.Name } : {}),
  ...(image.CreationDate ? { created: image.CreationDate } : {}),
  ...(image.Architecture ? { architecture: image.Architecture } : {}),
});

/** Newest first: by publication date, then by name (Debian's names carry the build date). */
const newestFirst = (a: Image, b: Image) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '') || (b.Name ?? '').localeCompare(a.Name ?? '');

/** The newest Debian 12 image of the architecture in the client's region; undefined when there is none. */
export async function newestDebianImage(ec2: EC2Client, spec: Pick<DeploymentSpec, 'partition' | 'amiOwner'>, architecture: Architecture): Promise<ImageFacts | undefined> {
  const query = debianImageQuery(spec, architecture);
  // The name and architecture filters go to EC2; the device and virtualization ones are checked
  // on the answer (the same test, and AWS emulators do not all implement those filters).
  const local = new Map<string, (image: Image) => string | undefined>([
    ['root-device-type', (image) => image.RootDeviceType],
    ['virtualization-type', (image) => image.VirtualizationType],
  ]);
  const remote = query.filters.filter((f) => !local.has(f.name));
  const found: Image[] = [];
  const pages = paginateDescribeImages({ client: ec2 }, { Owners: [query.owner], Filters: remote.map((f) => ({ Name: f.name, Values: f.values })) });
  for await (const page of pages) found.push(...(page.Images ?? []));
  const matching = found.filter((image) => query.filters.every((f) => !local.has(f.name) || f.values.includes(local.get(f.name)!(image) ?? '')));
  const [newest] = matching.sort(newestFirst);
  return newest ? facts(newest) : undefined;
}

/** The facts of the given images; an id EC2 does not know is missing from the map. */
export async function imageFacts(ec2: EC2Client, ids: readonly string[]): Promise<Map<string, ImageFacts>> {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return new Map();
  // Filtering by id, unlike ImageIds, answers an empty list rather than an error for an unknown id.
  const answer = await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: wanted }], IncludeDeprecated: true }));
  return new Map((answer.Images ?? []).map((image) => [image.ImageId ?? '', facts(image)]));
}

/** The image the signaling instance was launched from. */
export async function instanceImage(ec2: EC2Client, instanceId: string): Promise<string | undefined> {
  const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return answer.Reservations?.[0]?.Instances?.[0]?.ImageId;
}

/** The image of the launch template version the bridge group launches now. */
export async function groupImage(ec2: EC2Client, autoscaling: AutoScalingClient, groupName: string): Promise<string | undefined> {
  const groups = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }));
  const template = groups.AutoScalingGroups?.[0]?.LaunchTemplate;
  if (!template?.LaunchTemplateId) return undefined;
  const versions = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: template.LaunchTemplateId, Versions: [template.Version ?? '$Default'] }),
  );
  return versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId;
}
