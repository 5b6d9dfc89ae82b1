// Which Debian image each of a stack's recorded image keys should hold, and the words for it.
// Deploy records the images of a stack that has none (the newest, or for a stack deployed before
// images were recorded, the ones its hosts run now, so that recording replaces nothing); upgrade
// moves them on request. EC2 is reached through ImageSource, which tests replace.
import { type ImageKey, type ImagePin, type ImageRole, imagePins } from '../../infra/aws/image-pins.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { UsageError } from './cli.ts';
import type { ImageFacts } from './debian-images.ts';
import type { StackOutputs } from './workspace.ts';

export type { ImageFacts };

/** `ami-… (debian-12-amd64-20261201-1234, published 2026-12-01)`. */
export function describeImage(image: ImageFacts): string {
  const details = [image.name, image.created ? `published ${image.created.slice(0, 10)}` : undefined].filter(Boolean);
  return details.length ? `${image.id} (${details.join(', ')})` : image.id;
}

export interface ImageSource {
  newest(pin: ImagePin): Promise<ImageFacts | undefined>;
  facts(ids: readonly string[]): Promise<Map<string, ImageFacts>>;
  /** The image the deployed hosts of this role run now, when the outputs say where they are. */
  running(role: ImageRole, outputs: StackOutputs): Promise<string | undefined>;
  close(): void;
}

export type ImageReason = 'newest' | 'running' | 'given';

export interface ImageChoice {
  key: ImageKey;
  roles: ImageRole[];
  image: ImageFacts;
  /** What the key held before, when it held something. */
  previous?: ImageFacts;
  reason: ImageReason;
}

const outputText = (outputs: StackOutputs, key: string): string | undefined => {
  const value = outputs[key]?.value;
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** EC2 in the stack's region (AWS_ENDPOINT_URL and the usual credential chain apply). */
export async function awsImageSource(spec: Pick<DeploymentSpec, 'region' | 'partition' | 'amiOwner'>): Promise<ImageSource> {
  // Loaded only here: the AWS SDK takes a moment to import, and --help should not wait for it.
  const [{ EC2Client }, { AutoScalingClient }, { groupImage, imageFacts, instanceImage, newestDebianImage }] = await Promise.all([
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-auto-scaling'),
    import('./debian-images.ts'),
  ]);
  const ec2 = new EC2Client({ region: spec.region, maxAttempts: 3 });
  const autoscaling = new AutoScalingClient({ region: spec.region, maxAttempts: 3 });
  return {
    newest: (pin) => newestDebianImage(ec2, spec, pin.architecture),
    facts: (ids) => imageFacts(ec2, ids),
    running: async (role, outputs) => {
      const instanceId = outputText(outputs, 'signalingInstanceId');
      const groupName = outputText(outputs, 'bridgeAsgName');
      if (role === 'signaling') return instanceId ? instanceImage(ec2, instanceId) : undefined;
      return groupName ? groupImage(ec2, autoscaling, groupName) : undefined;
    },
    close: () => {
      ec2.destroy();
      autoscaling.destroy();
    },
  };
}

export function noImageFound(pin: ImagePin, spec: Pick<DeploymentSpec, 'region'>): UsageError {
  return new UsageError([
    `no Debian 12 image for ${pin.architecture} was found in ${spec.region}: nothing was changed.`,
    'If Debian publishes under another account there, set jitsi-eu:amiOwner to it; or set jitsi-eu:amiId to a Debian 12 image you trust.',
  ]);
}

/** The newest image for a pin, or a UsageError saying where none was found. */
export async function newestFor(pin: ImagePin, spec: Pick<DeploymentSpec, 'region'>, source: ImageSource): Promise<ImageFacts> {
  const newest = await source.newest(pin);
  if (!newest) throw noImageFound(pin, spec);
  return newest;
}

/**
 * For deploy: the images to record for the keys a stack does not set yet. A deployed stack keeps
 * what its hosts run (`outputs` from its last update); a new one gets the newest image.
 */
export async function imagesToRecord(spec: DeploymentSpec, source: ImageSource, outputs: StackOutputs): Promise<ImageChoice[]> {
  const choices: ImageChoice[] = [];
  for (const pin of imagePins(spec).filter((p) => !p.id)) {
    const runningIds = await Promise.all(pin.roles.map((role) => source.running(role, outputs).catch(() => undefined)));
    const running = runningIds.find(Boolean);
    const known = running ? (await source.facts([running])).get(running) : undefined;
    // Only an image of the hosts' architecture (the stack file may name new instance types already).
    if (known && known.architecture === pin.architecture) {
      choices.push({ key: pin.key, roles: pin.roles, image: known, reason: 'running' });
    } else {
      choices.push({ key: pin.key, roles: pin.roles, image: await newestFor(pin, spec, source), reason: 'newest' });
    }
  }
  return choices;
}

const ROLE_WORDS: Record<ImageRole, string> = { signaling: 'the signaling node', bridge: 'the bridges' };
export const rolesText = (roles: readonly ImageRole[]) => roles.map((r) => ROLE_WORDS[r]).join(' and ');

/** One line per choice, for the preview. */
export function imageChoiceLines(choices: readonly ImageChoice[], stackFile: string): string[] {
  return choices.map((c) => {
    const image = describeImage(c.image);
    switch (c.reason) {
      case 'running':
        return `${c.key} is recorded in ${stackFile} as ${image}: the image ${rolesText(c.roles)} run now, so recording it replaces nothing.`;
      case 'newest':
        return c.previous
          ? `${c.key}: ${describeImage(c.previous)} is replaced by ${image}, the newest Debian 12 image, for ${rolesText(c.roles)}.`
          : `${c.key} is recorded in ${stackFile} as ${image}, the newest Debian 12 image, for ${rolesText(c.roles)}. Later deploys keep it; npm run upgrade -- --image latest moves it.`;
      default:
        return `${c.key}: ${c.previous ? `${describeImage(c.previous)} is replaced by ` : ''}${image} for ${rolesText(c.roles)}.`;
    }
  });
}
