// CrossGuard policies for Hetzner Cloud resources: where servers run, no SSH key, firewalls that
// open only Jitsi's ports and no admin port to the Internet, literal secrets kept out of user data,
// and the labels teardown selects by. Resources of other clouds are left to their own policies.
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { ADMIN_PORTS, PORTS, TURN_RELAY_PORTS } from '../ports.ts';
import { HETZNER_EU_LOCATIONS, HETZNER_NETWORK_ZONE, HETZNER_REFUSED_LOCATIONS } from '../spec/places.ts';
import { LABEL_PROJECT, LABEL_STACK } from '../hetzner/labels.ts';
import { PROJECT } from '../tags.ts';
import { decodeUserData, findLiteralSecrets } from './user-data-scan.ts';

const H = {
  server: 'hcloud:index/server:Server',
  primaryIp: 'hcloud:index/primaryIp:PrimaryIp',
  floatingIp: 'hcloud:index/floatingIp:FloatingIp',
  volume: 'hcloud:index/volume:Volume',
  loadBalancer: 'hcloud:index/loadBalancer:LoadBalancer',
  firewall: 'hcloud:index/firewall:Firewall',
  subnet: 'hcloud:index/networkSubnet:NetworkSubnet',
  sshKey: 'hcloud:index/sshKey:SshKey',
} as const;

/** Resource types that take labels; teardown finds a stack's resources by them. */
const LABELLED = new Set<string>([
  H.server,
  'hcloud:index/network:Network',
  H.firewall,
  H.primaryIp,
  H.floatingIp,
  H.volume,
  H.loadBalancer,
  'hcloud:index/placementGroup:PlacementGroup',
  'hcloud:index/zone:Zone',
  'hcloud:index/zoneRrset:ZoneRrset',
]);

/** Resource types placed in a location (or, the deprecated way, a datacenter named after one). */
const LOCATED = new Set<string>([H.server, H.primaryIp, H.floatingIp, H.volume, H.loadBalancer]);

type Props = Record<string, unknown>;
const asRecord = (value: unknown): Props => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Props) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const EU_LOCATIONS = HETZNER_EU_LOCATIONS.map((l) => l.location);

// --- Location ----------------------------------------------------------------------------------

const listed = EU_LOCATIONS.join(', ');

/** Where a resource says it is: its location (a floating IP's home location), or the location a deprecated datacenter name starts with (fsn1-dc14). */
function placeOf(props: Props): string | undefined {
  for (const key of ['location', 'homeLocation']) {
    if (typeof props[key] === 'string' && props[key] !== '') return props[key];
  }
  return typeof props.datacenter === 'string' && props.datacenter !== '' ? props.datacenter.split('-')[0] : undefined;
}

export const hetznerEuLocation: ResourceValidationPolicy = {
  name: 'hetzner-eu-location',
  description: `Hetzner servers, addresses, volumes and load balancers are placed only in EU locations (${listed}); private subnets and load balancers only in the ${HETZNER_NETWORK_ZONE} network zone.`,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    const props = args.props as Props;
    if (args.type === H.subnet || (args.type === H.loadBalancer && props.networkZone !== undefined)) {
      if (props.networkZone !== HETZNER_NETWORK_ZONE) report(`network zone ${String(props.networkZone)} is outside the EU: use ${HETZNER_NETWORK_ZONE}`);
      if (args.type === H.subnet) return;
    }
    if (!LOCATED.has(args.type)) return;
    const location = placeOf(props);
    if (location === undefined) {
      // A volume or floating IP created for a server is placed where the server is.
      if (props.serverId !== undefined && args.type !== H.server) return;
      if (args.type === H.loadBalancer && props.networkZone !== undefined) return;
      report(`no location is set, so Hetzner would choose one: set location to one of ${listed}`);
      return;
    }
    if (EU_LOCATIONS.includes(location)) return;
    const outside = HETZNER_REFUSED_LOCATIONS[location];
    report(`location ${location} is ${outside ? `in ${outside}, outside the EU` : 'not a Hetzner EU location'}: use one of ${listed}`);
  },
};

// --- SSH keys ----------------------------------------------------------------------------------

export const hetznerNoSshKeys: ResourceValidationPolicy = {
  name: 'hetzner-no-ssh-keys',
  description: 'No SSH key is created on Hetzner or given to a server: no one logs in to the hosts by default.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type === H.sshKey) report('an SSH key is created: jitsi-eu hosts take no SSH login');
    if (args.type !== H.server) return;
    const keys = asArray((args.props as Props).sshKeys);
    if (keys.length > 0) report(`sshKeys gives the server ${keys.length} SSH key${keys.length === 1 ? '' : 's'} (${keys.map(String).join(', ')}): remove them`);
  },
};

// --- Firewall rules ----------------------------------------------------------------------------

const WORLD = new Set(['0.0.0.0/0', '::/0']);

interface InboundRule {
  protocol: string;
  from: number;
  to: number;
  /** As written: `443`, `49152-49407`, `any`. */
  port: string;
  sources: string[];
}

function inboundRules(props: Props): InboundRule[] {
  return asArray(props.rules)
    .map(asRecord)
    .filter((rule) => rule.direction === 'in')
    .map((rule) => {
      const port = String(rule.port ?? 'any');
      const [from, to] = port === 'any' || port === '' ? [1, 65535] : port.split('-').map(Number);
      return { protocol: String(rule.protocol ?? '').toLowerCase(), from: from!, to: to ?? from!, port, sources: asArray(rule.sourceIps).map(String) };
    });
}

/** What Jitsi serves to the Internet: the only inbound traffic a jitsi-eu firewall lets in. */
const single = (port: number) => ({ from: port, to: port });
const JITSI_PORTS: Record<string, { from: number; to: number }[]> = {
  tcp: [single(PORTS.http), single(PORTS.https), single(PORTS.turn), single(PORTS.turns)],
  udp: [single(PORTS.jvbMedia), single(PORTS.turn), { from: TURN_RELAY_PORTS.min, to: TURN_RELAY_PORTS.max }],
};

function isJitsiTraffic(rule: InboundRule): boolean {
  if (Number.isNaN(rule.from) || Number.isNaN(rule.to)) return false;
  return (JITSI_PORTS[rule.protocol] ?? []).some((allowed) => allowed.from <= rule.from && rule.to <= allowed.to);
}

/** Admin ports a world-open rule covers; protocols without ports (icmp, gre, esp) reach them all. */
function exposedAdminPorts(rule: InboundRule): number[] {
  if (!rule.sources.some((source) => WORLD.has(source))) return [];
  if (rule.protocol === 'icmp') return [];
  if (rule.protocol !== 'tcp' && rule.protocol !== 'udp') return [...ADMIN_PORTS];
  return ADMIN_PORTS.filter((port) => rule.from <= port && port <= rule.to);
}

export const hetznerNoPublicAdminPorts: ResourceValidationPolicy = {
  name: 'hetzner-no-public-admin-ports',
  description: `No Hetzner firewall opens an administration or internal port (${ADMIN_PORTS.join(', ')}) to 0.0.0.0/0 or ::/0.`,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== H.firewall) return;
    for (const rule of inboundRules(args.props as Props)) {
      const ports = exposedAdminPorts(rule);
      if (ports.length > 0) report(`${rule.protocol} ${rule.port} is open to the Internet and covers port${ports.length === 1 ? '' : 's'} ${ports.join(', ')}`);
    }
  },
};

export const hetznerJitsiPortsOnly: ResourceValidationPolicy = {
  name: 'hetzner-jitsi-ports-only',
  description:
    `Hetzner firewalls let in only Jitsi's traffic: tcp ${JITSI_PORTS.tcp!.map((p) => p.from).join(', ')}; ` +
    `udp ${PORTS.jvbMedia}, ${PORTS.turn} and ${TURN_RELAY_PORTS.min}-${TURN_RELAY_PORTS.max}. The private network is not filtered by them and needs no rule.`,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== H.firewall) return;
    for (const rule of inboundRules(args.props as Props)) {
      if (!isJitsiTraffic(rule)) report(`the inbound rule ${rule.protocol} ${rule.port} from ${rule.sources.join(', ') || 'nowhere'} is not traffic Jitsi serves: remove it`);
    }
  },
};

// --- Labels ------------------------------------------------------------------------------------

export const hetznerRequiredLabels: ResourceValidationPolicy = {
  name: 'hetzner-required-labels',
  description: `Every Hetzner resource that takes labels carries ${LABEL_PROJECT}=${PROJECT} and ${LABEL_STACK}, so teardown can find it.`,
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (!LABELLED.has(args.type)) return;
    const labels = asRecord((args.props as Props).labels);
    const missing: string[] = [];
    if (labels[LABEL_PROJECT] !== PROJECT) missing.push(`${LABEL_PROJECT}=${PROJECT}`);
    if (typeof labels[LABEL_STACK] !== 'string' || labels[LABEL_STACK] === '') missing.push(LABEL_STACK);
    if (missing.length > 0) report(`the resource lacks the label${missing.length === 1 ? '' : 's'} ${missing.join(' and ')}: teardown could not find it`);
  },
};

// --- Literal secrets in user data --------------------------------------------------------------

export const hetznerNoSecretsInUserData: ResourceValidationPolicy = {
  name: 'hetzner-no-secrets-in-user-data',
  description: "A Hetzner server's user data holds no literal secret (the API and every process on the host can read it); hosts generate their secrets.",
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== H.server) return;
    const userData = (args.props as Props).userData;
    if (typeof userData !== 'string' || userData === '') return;
    for (const finding of findLiteralSecrets(decodeUserData(userData, false))) report(finding);
  },
};

export const HETZNER_POLICIES: readonly ResourceValidationPolicy[] = [
  hetznerEuLocation,
  hetznerNoSshKeys,
  hetznerNoPublicAdminPorts,
  hetznerJitsiPortsOnly,
  hetznerRequiredLabels,
  hetznerNoSecretsInUserData,
];
