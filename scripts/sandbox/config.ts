// The stack config of a new sandbox: the base stack's config with the sandbox's own name, domain,
// certificate source, expiry, owner, size and auth mode, validated by the same spec code as
// every other command before anything touches Pulumi.
import { formatProblems, specFromConfig } from '../../infra/spec/index.ts';
import type { AuthMode, Cloud, DeploymentSpec, TlsMode } from '../../infra/spec/types.ts';
import { UsageError } from '../lib/cli.ts';
import type { StackConfig } from '../lib/workspace.ts';
import { CLOUD_NAME, PLACE_KEY } from './place.ts';
import { sizeType, type SandboxSize } from './sizes.ts';
import { expiryAfter } from './ttl.ts';

export interface SandboxRequest {
  name: string;
  ttlMs: number;
  owner?: string;
  size?: SandboxSize;
  auth?: AuthMode;
  tls?: TlsMode;
  /** Full host name, for a base stack without a Route53 zone. */
  domain?: string;
  /** The cloud it runs on, when not the base's. */
  cloud?: Cloud;
  /** Hetzner: the location (fsn1, nbg1, hel1). */
  location?: string;
}

/** Where each cloud keeps its place, image and sizes: none of it carries over to another cloud. */
const CLOUD_OWN_KEYS = [
  'aws:region', 'jitsi-eu:amiId', 'jitsi-eu:amiOwner', 'jitsi-eu:bridgeAmiId',
  'jitsi-eu:location', 'openstack:region', 'openstack:cloud', 'jitsi-eu:country', 'jitsi-eu:externalNetwork', 'jitsi-eu:image',
  'jitsi-eu:instanceType',
];
export const DEFAULT_HETZNER_LOCATION = 'fsn1';

/**
 * The base's config moved to `cloud`. Only Hetzner Cloud needs nothing but a location; an AWS
 * or OpenStack sandbox starts from a base stack file of that cloud (its region, network, flavors).
 */
function moveToCloud(config: StackConfig, from: Cloud, request: SandboxRequest, baseSource: string, notes: string[]): void {
  const cloud = request.cloud!;
  if (cloud !== 'hetzner') {
    throw new UsageError([
      `--cloud ${cloud}: ${baseSource} is a stack file for ${CLOUD_NAME[from]}, and a sandbox on ${CLOUD_NAME[cloud]} needs that cloud's own ${cloud === 'aws' ? 'aws:region' : 'openstack:region, jitsi-eu:country, jitsi-eu:externalNetwork and flavor (jitsi-eu:instanceType)'}.`,
      `Give a base stack file of ${CLOUD_NAME[cloud]} with --from (its sandbox keys are then taken from there), or leave --cloud out.`,
    ]);
  }
  for (const key of CLOUD_OWN_KEYS) delete config[key];
  config['jitsi-eu:cloud'] = cloud;
  const bridges = config['jitsi-eu:bridges'];
  if (bridges && typeof bridges === 'object' && !Array.isArray(bridges)) {
    // A fixed pool on Hetzner: as many bridges as the base's minimum, of Hetzner's default type.
    const min = (bridges as Record<string, unknown>).min ?? 1;
    config['jitsi-eu:bridges'] = { min, max: min };
    notes.push(`bridges: a fixed pool of ${String(min)} on Hetzner Cloud (no autoscaler there)`);
  }
  notes.push(`on Hetzner Cloud instead of ${CLOUD_NAME[from]} (${baseSource}): its ${CLOUD_NAME[from]} place, image and sizes are left out`);
}

export interface SandboxPlan {
  stack: string;
  config: StackConfig;
  spec: DeploymentSpec;
  /** Decisions the user should know about (printed, and part of --json). */
  notes: string[];
  warnings: string[];
  /** The stack file's leading comment. */
  comment: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function planSandbox(base: StackConfig, baseSource: string, request: SandboxRequest, now: Date): SandboxPlan {
  const { name } = request;
  const config: StackConfig = { ...base };
  const notes: string[] = [];

  // Domain: NAME.<zone> when the base has a Route53 zone (jitsi-eu then creates the record).
  const zone = typeof base['jitsi-eu:dnsZone'] === 'string' ? base['jitsi-eu:dnsZone'].replace(/\.$/, '') : undefined;
  if (request.domain) {
    config['jitsi-eu:domain'] = request.domain;
  } else if (zone) {
    config['jitsi-eu:domain'] = `${name}.${zone}`;
  } else {
    throw new UsageError([
      `${baseSource} has no jitsi-eu:dnsZone, so the sandbox's host name cannot be derived from a Route53 zone.`,
      `Give one with --domain ${name}.<your domain> (you then create its DNS A record when the deploy prints the address),`,
      'or use a base stack file with jitsi-eu:dnsZone set (--from).',
    ]);
  }

  config['jitsi-eu:tls'] = request.tls ?? 'letsencrypt-staging';
  if (config['jitsi-eu:tls'] === 'letsencrypt-staging') {
    notes.push("certificate from Let's Encrypt staging (no rate limits; browsers will warn): pass --tls letsencrypt for a trusted one");
  }

  const baseCloud = (typeof base['jitsi-eu:cloud'] === 'string' ? base['jitsi-eu:cloud'] : 'aws') as Cloud;
  const cloud = request.cloud ?? baseCloud;
  if (cloud !== baseCloud) moveToCloud(config, baseCloud, request, baseSource, notes);
  if (request.location !== undefined && cloud !== 'hetzner') {
    throw new UsageError(`--location names a Hetzner Cloud location; this sandbox runs on ${CLOUD_NAME[cloud]}, where ${PLACE_KEY[cloud]} in the base stack file says where`);
  }
  if (cloud === 'hetzner' && (request.location !== undefined || config['jitsi-eu:location'] === undefined)) {
    config['jitsi-eu:location'] = request.location ?? DEFAULT_HETZNER_LOCATION;
    if (request.location === undefined) notes.push(`location ${DEFAULT_HETZNER_LOCATION} (Falkenstein, Germany): pass --location nbg1 or hel1 for another`);
  }

  if (request.size) {
    const type = sizeType(request.size, cloud);
    if (!type) throw new UsageError(`--size does not apply on OpenStack: flavors are each cloud's own; set jitsi-eu:instanceType in the base stack file (--from)`);
    config['jitsi-eu:instanceType'] = type;
  }

  if (request.auth) {
    config['jitsi-eu:auth'] = request.auth;
    if (request.auth === 'anonymous') {
      const lobbyWasOn = config['jitsi-eu:lobby'] === undefined || config['jitsi-eu:lobby'] === true || config['jitsi-eu:lobby'] === 'true';
      config['jitsi-eu:lobby'] = false;
      if (lobbyWasOn) notes.push('lobby turned off: with --auth anonymous nobody can log in as a host to admit guests from it');
    }
  }

  if (request.owner !== undefined) {
    if (!EMAIL.test(request.owner)) throw new UsageError(`--owner ${JSON.stringify(request.owner)} is not an e-mail address: who answers for this sandbox?`);
    config['jitsi-eu:owner'] = request.owner;
  } else if (config['jitsi-eu:owner'] === undefined) {
    notes.push(`no owner: ${baseSource} names none and --owner was not given`);
  }

  config['jitsi-eu:sandbox'] = true;
  config['jitsi-eu:expiresAt'] = expiryAfter(now, request.ttlMs);

  const result = specFromConfig(config, { stack: name, now });
  if (!result.ok) {
    throw new UsageError([
      `the config for sandbox ${name} (from ${baseSource}) is not valid:`,
      ...formatProblems(result.problems).map((line) => `  ${line}`),
    ]);
  }
  const comment = [
    `Sandbox ${name}: created ${now.toISOString()} by \`npm run sandbox -- create\` from ${baseSource}.`,
    'It is destroyed by `npm run sandbox -- reap` once jitsi-eu:expiresAt has passed;',
    `\`npm run sandbox -- extend ${name} --ttl 3d\` keeps it longer.`,
  ].join('\n');
  return { stack: name, config, spec: result.spec, notes, warnings: result.warnings, comment };
}
