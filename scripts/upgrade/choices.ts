// What an upgrade changes in the stack file, from the operator's options: the Debian image(s),
// the Jitsi release, the instance types. Every refusal is a UsageError (exit 2) that lists what is
// allowed; nothing is written here.
import { type ImagePin, type ImageRole, imagePins } from '../../infra/aws/image-pins.ts';
import { PINNED_JITSI_RELEASE, jitsiMetapackageVersion } from '../../infra/privacy/upstream.ts';
import { unknownInstanceTypeReason } from '../../infra/spec/instance-types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { UpgradeFacts, VersionChange } from '../deploy/impact.ts';
import { UsageError } from '../lib/cli.ts';
import { type ImageChoice, type ImageFacts, type ImageSource, describeImage, imagesToRecord, newestFor } from '../lib/stack-images.ts';
import type { StackOutputs } from '../lib/workspace.ts';

/**
 * Jitsi releases whose option names jitsi-eu has checked its templates against
 * (infra/privacy/upstream.ts): the only ones an upgrade installs.
 */
export const CHECKED_JITSI_RELEASES: readonly string[] = [PINNED_JITSI_RELEASE];

export interface UpgradeRequest {
  /** `latest`, or an AMI id. */
  image?: string;
  jitsi?: string;
  instanceType?: string;
  bridgeInstanceType?: string;
}

/** Stack file keys → new values; a dotted key names a field of a mapping (jitsi-eu:bridges.instanceType). */
export type StackValues = Record<string, string>;

export interface UpgradePlan {
  values: StackValues;
  images: ImageChoice[];
  /** For the preview's words. */
  facts: UpgradeFacts;
  /** One line per change, for people. */
  lines: string[];
}

const AMI_ID = /^ami-[0-9a-f]{8,17}$/;

/** Refuses what no stack could take, before anything is asked of AWS. */
export function checkRequest(request: UpgradeRequest, spec: DeploymentSpec): void {
  if (!request.image && !request.jitsi && !request.instanceType && !request.bridgeInstanceType) {
    throw new UsageError(['nothing to upgrade: give --image, --jitsi, --instance-type or --bridge-instance-type', 'run with --help for usage']);
  }
  if (request.image !== undefined && request.image !== 'latest' && !AMI_ID.test(request.image)) {
    throw new UsageError(`--image ${JSON.stringify(request.image)} is neither latest nor an AMI id: use --image latest (the newest Debian 12 image) or --image ami-0123456789abcdef0`);
  }
  if (request.jitsi !== undefined && !CHECKED_JITSI_RELEASES.includes(request.jitsi)) {
    throw new UsageError([
      `--jitsi ${request.jitsi} is not a release jitsi-eu has checked its configuration against: nothing was changed.`,
      `Allowed: ${CHECKED_JITSI_RELEASES.join(', ')} (infra/privacy/upstream.ts)`,
    ]);
  }
  for (const [option, value] of [['--instance-type', request.instanceType], ['--bridge-instance-type', request.bridgeInstanceType]] as const) {
    const reason = value === undefined ? undefined : unknownInstanceTypeReason(value);
    if (reason) throw new UsageError(`${option} ${JSON.stringify(value)} is not an instance type jitsi-eu knows: ${reason}`);
  }
  if (request.bridgeInstanceType && !spec.bridges) {
    throw new UsageError(`--bridge-instance-type: ${spec.stack} has no bridge pool (jitsi-eu:topology is single); use --instance-type for its one host`);
  }
}

const change = (from: string | undefined, to: string): VersionChange => (from ? { from, to } : { to });

/** The images the upgraded stack records: asked for (--image), needed by a new architecture, or kept. */
async function chooseImages(spec: DeploymentSpec, upgraded: DeploymentSpec, request: UpgradeRequest, source: ImageSource, outputs: StackOutputs): Promise<ImageChoice[]> {
  const before = new Map(imagePins(spec).map((pin) => [pin.key, pin]));
  const pins = imagePins(upgraded);
  const given = request.image && request.image !== 'latest' ? request.image : undefined;
  const givenFacts = given ? (await source.facts([given])).get(given) : undefined;
  if (given && !givenFacts) throw new UsageError(`--image ${given} is not an image EC2 knows in ${spec.region}: nothing was changed. Use --image latest, or an AMI id from that region`);
  if (givenFacts && !pins.some((pin) => pin.architecture === givenFacts.architecture)) {
    throw new UsageError(`--image ${given} is for ${givenFacts.architecture ?? 'an unknown architecture'}; ${spec.stack} needs ${[...new Set(pins.map((p) => p.architecture))].join(' and ')}: use --image latest or an image of that architecture`);
  }
  const previous = await source.facts(pins.flatMap((pin) => (pin.id ? [pin.id] : [])));
  const choices: ImageChoice[] = [];
  for (const pin of pins) {
    const old: ImagePin | undefined = before.get(pin.key);
    const prior = pin.id ? (previous.get(pin.id) ?? { id: pin.id }) : undefined;
    // A key new to the stack, or hosts of another architecture: the running image cannot serve.
    const archChanged = old === undefined || old.architecture !== pin.architecture;
    let image: ImageFacts | undefined;
    let reason: ImageChoice['reason'] = 'newest';
    if (givenFacts && givenFacts.architecture === pin.architecture) {
      image = givenFacts;
      reason = 'given';
    } else if (request.image === 'latest' || archChanged) {
      image = await newestFor(pin, spec, source);
    } else if (pin.id === undefined) {
      // Never recorded: record what the hosts run now, as deploy does, so nothing else moves.
      const recorded = (await imagesToRecord(upgraded, source, outputs)).find((c) => c.key === pin.key);
      if (recorded) ({ image, reason } = recorded);
    }
    if (image && image.id !== pin.id) choices.push({ key: pin.key, roles: pin.roles, image, reason, ...(prior ? { previous: prior } : {}) });
  }
  return choices;
}

/** What the stack file gets, and how to say it. `outputs` are the deployed stack's (to find its hosts' images). */
export async function planUpgrade(spec: DeploymentSpec, request: UpgradeRequest, source: ImageSource, outputs: StackOutputs): Promise<UpgradePlan> {
  const values: StackValues = {};
  const facts: UpgradeFacts = {};
  const lines: string[] = [];
  if (request.jitsi && request.jitsi !== spec.jitsiVersion) {
    values['jitsi-eu:jitsiVersion'] = request.jitsi;
    facts.jitsi = change(spec.jitsiVersion, request.jitsi);
    lines.push(`Jitsi release ${spec.jitsiVersion} → ${request.jitsi} (package jitsi-meet ${jitsiMetapackageVersion(request.jitsi)}) on every host`);
  }
  let upgraded = spec;
  if (request.instanceType && request.instanceType !== spec.instanceType) {
    values['jitsi-eu:instanceType'] = request.instanceType;
    facts.instanceType = change(spec.instanceType, request.instanceType);
    lines.push(`${spec.bridges ? 'signaling node' : 'host'} instance type ${spec.instanceType} → ${request.instanceType}`);
    upgraded = { ...upgraded, instanceType: request.instanceType };
  }
  if (request.bridgeInstanceType && spec.bridges && request.bridgeInstanceType !== spec.bridges.instanceType) {
    values['jitsi-eu:bridges.instanceType'] = request.bridgeInstanceType;
    facts.bridgeInstanceType = change(spec.bridges.instanceType, request.bridgeInstanceType);
    lines.push(`bridge instance type ${spec.bridges.instanceType} → ${request.bridgeInstanceType}`);
    upgraded = { ...upgraded, bridges: { ...spec.bridges, instanceType: request.bridgeInstanceType } };
  }
  const images = await chooseImages(spec, upgraded, request, source, outputs);
  for (const choice of images) {
    values[choice.key] = choice.image.id;
    for (const role of choice.roles) (facts.image ??= {})[role as ImageRole] = change(choice.previous?.id, choice.image.id);
    lines.push(`${choice.key}: ${choice.previous ? `${describeImage(choice.previous)} → ` : ''}${describeImage(choice.image)}${choice.reason === 'running' ? ' (recorded as the image the hosts run now)' : ''}`);
  }
  return { values, images, facts, lines };
}
