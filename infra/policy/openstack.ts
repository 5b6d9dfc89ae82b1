// CrossGuard policies for OpenStack resources, run with the others by the pack (policies.ts) and
// by `npm run plan` and the tests (offline.ts). What they hold a stack to: the provider names its
// region, no security group rule opens an admin port to the Internet, no SSH key reaches a
// server, only Jitsi's ports open to the Internet, no literal secret in user data or server
// metadata, and the tags teardown selects by.
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { ADMIN_PORTS, PORTS, TURN_RELAY_PORTS } from '../ports.ts';
import { PROJECT, TAG_PROJECT, TAG_STACK } from '../tags.ts';
import { decodeUserData, findLiteralSecrets } from './user-data-scan.ts';

type Props = Record<string, unknown>;

const T = {
  provider: 'pulumi:providers:openstack',
  instance: 'openstack:compute/instance:Instance',
  keypair: 'openstack:compute/keypair:Keypair',
  secGroupRule: 'openstack:networking/secGroupRule:SecGroupRule',
  /** The older Nova-side security group, with its rules inline. */
  computeSecGroup: 'openstack:compute/secGroup:SecGroup',
} as const;

/** Resource types that take string tags; teardown finds a stack's resources by them. */
export const OPENSTACK_TAGGABLE = new Set<string>([
  'openstack:networking/network:Network',
  'openstack:networking/subnet:Subnet',
  'openstack:networking/router:Router',
  'openstack:networking/secGroup:SecGroup',
  'openstack:networking/port:Port',
  'openstack:networking/floatingIp:FloatingIp',
  'openstack:compute/instance:Instance',
  'openstack:blockstorage/volume:Volume',
]);

const asRecord = (value: unknown): Props => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Props) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const present = (value: unknown): value is string | number => (typeof value === 'string' && value !== '') || typeof value === 'number';

// --- Region ------------------------------------------------------------------------------------

export const openstackRegion: ResourceValidationPolicy = {
  name: 'openstack-region',
  description: "The OpenStack provider names the stack's region (the one whose country the stack declares), never whatever OS_REGION_NAME says.",
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== T.provider) return;
    if (!present(args.props.region)) report('the OpenStack provider has no region: it would use OS_REGION_NAME or clouds.yaml; set openstack:region');
  },
};

// --- Admin ports -------------------------------------------------------------------------------

const WORLD = new Set(['0.0.0.0/0', '::/0']);

interface Opening {
  protocol: string;
  fromPort: number;
  toPort: number;
  source: string;
}

/** Ingress rules as (protocol, ports, source); Neutron reads a rule without a remote as "from anywhere". */
function openings(type: string, props: Props): Opening[] {
  if (type === T.secGroupRule) {
    if (props.direction !== 'ingress') return [];
    const remote = present(props.remoteIpPrefix) ? String(props.remoteIpPrefix) : present(props.remoteGroupId) ? `group ${String(props.remoteGroupId)}` : 'anywhere';
    const anyPort = !present(props.portRangeMin) && !present(props.portRangeMax);
    return [{
      protocol: String(props.protocol ?? 'any') || 'any',
      fromPort: anyPort ? 0 : Number(props.portRangeMin ?? props.portRangeMax),
      toPort: anyPort ? 65535 : Number(props.portRangeMax ?? props.portRangeMin),
      source: remote,
    }];
  }
  if (type === T.computeSecGroup) {
    return asArray(props.rules).map(asRecord).map((rule) => ({
      protocol: String(rule.ipProtocol ?? 'any'),
      fromPort: Number(rule.fromPort),
      toPort: Number(rule.toPort),
      source: present(rule.cidr) ? String(rule.cidr) : present(rule.fromGroupId) || rule.self === true ? 'group' : 'anywhere',
    }));
  }
  return [];
}

function exposedAdminPorts(opening: Opening): number[] {
  if (!WORLD.has(opening.source) && opening.source !== 'anywhere') return [];
  const protocol = opening.protocol.toLowerCase();
  if (['icmp', 'ipv6-icmp', 'icmpv6', '1', '58'].includes(protocol)) return [];
  if (protocol === 'any' || protocol === '') return [...ADMIN_PORTS];
  return ADMIN_PORTS.filter((port) => opening.fromPort <= port && port <= opening.toPort);
}

export const openstackNoPublicAdminPorts: ResourceValidationPolicy = {
  name: 'openstack-no-public-admin-ports',
  description: `No OpenStack security group rule opens an administration or internal port (${ADMIN_PORTS.join(', ')}) to the whole Internet.`,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    for (const opening of openings(args.type, args.props as Props)) {
      const ports = exposedAdminPorts(opening);
      if (ports.length > 0) {
        report(`${opening.protocol} ${opening.fromPort}-${opening.toPort} is open to ${opening.source} and covers port${ports.length === 1 ? '' : 's'} ${ports.join(', ')}: open it to the stack's private subnet only, or not at all`);
      }
    }
  },
};

/** What Jitsi serves to the Internet: the only openings a world-open rule may make. */
const JITSI_PUBLIC: readonly { protocol: 'tcp' | 'udp'; from: number; to: number }[] = [
  { protocol: 'tcp', from: PORTS.http, to: PORTS.http },
  { protocol: 'tcp', from: PORTS.https, to: PORTS.https },
  { protocol: 'udp', from: PORTS.jvbMedia, to: PORTS.jvbMedia },
  { protocol: 'udp', from: PORTS.turn, to: PORTS.turn },
  { protocol: 'tcp', from: PORTS.turn, to: PORTS.turn },
  { protocol: 'tcp', from: PORTS.turns, to: PORTS.turns },
  { protocol: 'udp', from: TURN_RELAY_PORTS.min, to: TURN_RELAY_PORTS.max },
];

export const openstackOnlyJitsiPorts: ResourceValidationPolicy = {
  name: 'openstack-only-jitsi-ports',
  description: "OpenStack security group rules open to the whole Internet only Jitsi's own ports (web, media, STUN/TURN).",
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    for (const opening of openings(args.type, args.props as Props)) {
      if (!WORLD.has(opening.source) && opening.source !== 'anywhere') continue;
      const protocol = opening.protocol.toLowerCase();
      const known = JITSI_PUBLIC.some((p) => p.protocol === protocol && p.from <= opening.fromPort && opening.toPort <= p.to);
      if (!known) report(`${opening.protocol} ${opening.fromPort}-${opening.toPort} is open to ${opening.source} but is not a port Jitsi serves to the Internet`);
    }
  },
};

// --- SSH keys ----------------------------------------------------------------------------------

export const openstackNoSshKeys: ResourceValidationPolicy = {
  name: 'openstack-no-ssh-keys',
  description: 'No SSH key pair is created or given to an OpenStack server: jitsi-eu opens no SSH.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type === T.keypair) report('an SSH key pair is created: jitsi-eu servers take no SSH key; use the cloud\'s console when a host needs a person');
    if (args.type === T.instance && present((args.props as Props).keyPair)) {
      report(`keyPair is set to ${String((args.props as Props).keyPair)}: remove it (jitsi-eu opens no SSH)`);
    }
  },
};

// --- Tags --------------------------------------------------------------------------------------

/** Which of project and stack a tag list lacks (`jitsi-eu:project=jitsi-eu`, `jitsi-eu:stack=<non-empty>`). */
function missingTags(tags: unknown[]): string[] {
  const strings = tags.filter((t): t is string => typeof t === 'string');
  const missing: string[] = [];
  if (!strings.includes(`${TAG_PROJECT}=${PROJECT}`)) missing.push(`${TAG_PROJECT}=${PROJECT}`);
  if (!strings.some((t) => t.startsWith(`${TAG_STACK}=`) && t.length > TAG_STACK.length + 1)) missing.push(`${TAG_STACK}=<stack>`);
  return missing;
}

export const openstackRequiredTags: ResourceValidationPolicy = {
  name: 'openstack-required-tags',
  description: `Every taggable OpenStack resource carries the tags ${TAG_PROJECT} and ${TAG_STACK}, so teardown can find it; servers carry them as metadata too.`,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (!OPENSTACK_TAGGABLE.has(args.type)) return;
    const props = args.props as Props;
    const missing = missingTags(asArray(props.tags));
    if (missing.length > 0) report(`the resource lacks the tags ${missing.join(', ')}`);
    if (args.type === T.instance) {
      const metadata = asRecord(props.metadata);
      const lacking = [TAG_PROJECT, TAG_STACK].filter((key) => !present(metadata[key]));
      if (metadata[TAG_PROJECT] !== undefined && metadata[TAG_PROJECT] !== PROJECT) lacking.push(`${TAG_PROJECT} (is ${String(metadata[TAG_PROJECT])})`);
      if (lacking.length > 0) report(`the server's metadata lacks ${lacking.join(', ')}`);
    }
  },
};

// --- Secrets in user data and metadata ---------------------------------------------------------

export const openstackNoSecretsInUserData: ResourceValidationPolicy = {
  name: 'openstack-no-secrets-in-user-data',
  description: 'OpenStack user data and server metadata hold no literal secret (anyone who can show the server reads them); the signaling node makes its secrets itself.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== T.instance) return;
    const props = args.props as Props;
    if (typeof props.userData === 'string' && props.userData !== '') {
      for (const finding of findLiteralSecrets(decodeUserData(props.userData, false))) report(finding);
    }
    for (const [key, value] of Object.entries(asRecord(props.metadata))) {
      if (findLiteralSecrets(`${key}: "${String(value)}"`).length > 0) report(`server metadata: ${key} is set to a literal value`);
    }
  },
};

export const OPENSTACK_POLICIES: readonly ResourceValidationPolicy[] = [
  openstackRegion,
  openstackNoPublicAdminPorts,
  openstackOnlyJitsiPorts,
  openstackNoSshKeys,
  openstackRequiredTags,
  openstackNoSecretsInUserData,
];
