// What a preview means for people in meetings, in words: derived from which resources change and
// which of their properties, per kind of change (the signaling host, the bridges, DNS, the
// firewall, secrets, permissions...). Most disruptive first.
import { BRIDGE_WARMUP_SECONDS, DNS_TTL_SECONDS } from '../../infra/aws/layout.ts';
import { DRAIN_MAX_SECONDS } from '../../infra/lifecycle.ts';
import type { HostRole } from '../../infra/render/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { DeployPreview, ResourceChange } from './preview.ts';
import { serverCloudImpacts } from './impact-servers.ts';

/**
 * Minutes from a new signaling host's launch to a working site: Debian boots, cloud-init installs
 * Jitsi's packages and restores or requests the certificate. An estimate from those steps (package
 * installation dominates), not a measurement; deploy's ready wait allows up to 30 minutes.
 */
export const SIGNALING_BOOT_MINUTES = 10;
/** Minutes a stop and start of the signaling host takes: no reinstall, the services start at boot. */
export const SIGNALING_RESTART_MINUTES = 3;

/** interrupts: meetings in progress end; notice: something people or operators may notice; none: nobody notices. */
export type Severity = 'interrupts' | 'notice' | 'none';

export interface Impact {
  kind: string;
  severity: Severity;
  text: string;
  /** Names of the resources it is about. */
  resources: string[];
  /** A configuration applied in place: the host role it is applied on. */
  role?: HostRole;
}

export type ImpactContext = Pick<DeploymentSpec, 'domain' | 'topology'> & {
  /** Absent: AWS. */
  cloud?: DeploymentSpec['cloud'];
  /** What an upgrade changes, to name it in the words (without it, they say the kind of change only). */
  upgrade?: UpgradeFacts;
  /** Hetzner Cloud, OpenStack: how long deploy waits for removed bridges to drain first (0: it does not). */
  drainWaitMs?: number;
  /** Hetzner Cloud, OpenStack: deploy carries the accounts of a replaced signaling node to the new one. */
  carriesAccounts?: boolean;
};

export interface VersionChange {
  from?: string;
  to: string;
}

/** The new host software an upgrade brings, per role (images by id, the Jitsi release, instance types). */
export interface UpgradeFacts {
  image?: Partial<Record<'signaling' | 'bridge', VersionChange>>;
  jitsi?: VersionChange;
  instanceType?: VersionChange;
  bridgeInstanceType?: VersionChange;
}

const TYPE = {
  instance: 'aws:ec2/instance:Instance',
  eip: 'aws:ec2/eip:Eip',
  eni: 'aws:ec2/networkInterface:NetworkInterface',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  group: 'aws:autoscaling/group:Group',
  record: 'aws:route53/record:Record',
  securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
} as const;

const NETWORK_TYPES = new Set(['aws:ec2/vpc:Vpc', 'aws:ec2/subnet:Subnet', 'aws:ec2/internetGateway:InternetGateway', 'aws:ec2/routeTable:RouteTable', 'aws:ec2/routeTableAssociation:RouteTableAssociation']);
const SECRET_TYPES = new Set(['aws:ssm/parameter:Parameter', 'random:index/randomPassword:RandomPassword']);
const BRIDGE_RULE_TYPES = new Set(['aws:autoscaling/lifecycleHook:LifecycleHook', 'aws:autoscaling/policy:Policy']);

/**
 * Instance properties AWS changes on a running instance. Anything else on the list below stops
 * and starts it; any property on neither list is reported as a possible restart.
 */
const LIVE_INSTANCE_PROPERTIES = new Set([
  'tags', 'tagsAll', 'metadataOptions', 'iamInstanceProfile', 'rootBlockDevice', 'ebsBlockDevices', 'creditSpecification',
  'monitoring', 'disableApiTermination', 'disableApiStop', 'sourceDestCheck', 'vpcSecurityGroupIds', 'securityGroups', 'volumeTags',
]);
const RESTART_INSTANCE_PROPERTIES = new Set(['instanceType', 'userData', 'userDataBase64', 'ebsOptimized', 'enclaveOptions', 'cpuOptions']);
const TAG_PROPERTIES = new Set(['tags', 'tagsAll']);
const GROUP_SIZE_PROPERTIES = new Set(['minSize', 'maxSize', 'desiredCapacity']);

const inComponent = (c: ResourceChange, component: string) => c.parents.includes(`jitsi-eu:aws:${component}`);
export const names = (changes: readonly ResourceChange[]) => changes.map((c) => c.name);
export const list = (values: readonly string[]) => values.join(', ');
const minutes = (seconds: number) => Math.round(seconds / 60);
const onlyTags = (c: ResourceChange) => c.changed.length > 0 && c.changed.every((p) => TAG_PROPERTIES.has(p));
const fromTo = (change: VersionChange | undefined) => (change ? ` ${change.to}${change.from ? ` (from ${change.from})` : ''}` : '');

/**
 * What new hosts of a role move to, from the properties that change: a Debian image, a Jitsi
 * release (new user data during an upgrade of the release), an instance type.
 */
function movesTo(c: ResourceChange, role: 'signaling' | 'bridge', ctx: ImpactContext): string[] {
  const props = new Set([...c.changed, ...c.replacedBy]);
  const up = ctx.upgrade;
  const moves: string[] = [];
  if (props.has(role === 'signaling' ? 'ami' : 'imageId')) moves.push(`the Debian image${fromTo(up?.image?.[role])}`);
  if (up?.jitsi && [...props].some((p) => p.startsWith('userData'))) moves.push(`Jitsi release${fromTo(up.jitsi)}`);
  if (props.has('instanceType')) moves.push(`instance type${fromTo(role === 'signaling' ? up?.instanceType : up?.bridgeInstanceType)}`);
  return moves;
}
const movesSentence = (moves: readonly string[], subject: string) => (moves.length ? ` ${subject} ${list(moves).replace(/, ([^,]*)$/, ' and $1')}.` : '');

function signalingImpacts(changes: readonly ResourceChange[], ctx: ImpactContext): Impact[] {
  const host = ctx.topology === 'single' ? 'the host (it runs the whole deployment, videobridge included)' : 'the signaling host';
  const Host = host.charAt(0).toUpperCase() + host.slice(1);
  const instances = changes.filter((c) => c.type === TYPE.instance);
  const address = changes.filter((c) => c.type === TYPE.eip && (c.kind === 'replace' || c.kind === 'delete'));
  const impacts: Impact[] = [];
  for (const c of instances) {
    const resources = [c.name];
    if (c.kind === 'replace') {
      const why = c.replacedBy.length ? ` (${list(c.replacedBy)} forces it)` : '';
      impacts.push({
        kind: 'signaling-replaced',
        severity: 'interrupts',
        text: `${Host} is replaced${why}: meetings in progress end; about ${SIGNALING_BOOT_MINUTES} minutes without service while the new host installs Jitsi.${movesSentence(movesTo(c, 'signaling', ctx), 'The new host gets')}${address.length ? '' : ' The public address stays.'} Anything kept only on the old host (Prosody's data, accounts added there) is gone.`,
        resources,
      });
    } else if (c.kind === 'delete') {
      impacts.push({ kind: 'signaling-removed', severity: 'interrupts', text: `${Host} is removed: meetings in progress end and the site stops answering.`, resources });
    } else if (c.kind === 'create') {
      impacts.push({ kind: 'signaling-created', severity: 'notice', text: `${Host} is created: the site answers about ${SIGNALING_BOOT_MINUTES} minutes after the update.`, resources });
    } else {
      const restart = c.changed.filter((p) => RESTART_INSTANCE_PROPERTIES.has(p));
      const unknown = c.changed.filter((p) => !RESTART_INSTANCE_PROPERTIES.has(p) && !LIVE_INSTANCE_PROPERTIES.has(p));
      if (restart.length) {
        impacts.push({
          kind: 'signaling-restarted',
          severity: 'interrupts',
          text: `${Host} is stopped and started to change ${list(restart)}: meetings in progress end; about ${SIGNALING_RESTART_MINUTES} minutes without service.${ctx.upgrade ? movesSentence(movesTo(c, 'signaling', ctx), 'It comes back with') : ''}`,
          resources,
        });
      } else if (unknown.length) {
        impacts.push({
          kind: 'signaling-may-restart',
          severity: 'notice',
          text: `${Host} is updated in place (${list(c.changed)}); AWS may have to restart it for ${list(unknown)}, which would end meetings in progress.`,
          resources,
        });
      } else {
        impacts.push({ kind: 'signaling-updated', severity: 'none', text: `${Host} is updated in place (${list(c.changed)}): it keeps running; meetings are not affected.`, resources });
      }
    }
  }
  if (address.length) {
    impacts.push({
      kind: 'address-changes',
      severity: 'interrupts',
      text: `The public address of ${ctx.domain} changes: connected clients lose the site until DNS points at the new address.`,
      resources: names(address),
    });
  }
  return impacts;
}

function bridgeImpacts(changes: readonly ResourceChange[], ctx: ImpactContext): Impact[] {
  const pool = changes.filter((c) => inComponent(c, 'BridgePool'));
  if (!pool.length) return [];
  const group = pool.find((c) => c.type === TYPE.group);
  const template = pool.find((c) => c.type === TYPE.launchTemplate);
  const impacts: Impact[] = [];
  const drainHours = DRAIN_MAX_SECONDS / 3600;
  if (group?.kind === 'replace' || group?.kind === 'delete') {
    impacts.push({
      kind: group.kind === 'delete' ? 'bridges-removed' : 'bridges-replaced',
      severity: 'interrupts',
      text: `The bridge group is ${group.kind === 'delete' ? 'removed' : 'replaced'}: its drain hook goes first, so its bridges end without draining and meetings on them end${group.kind === 'replace' ? '; new bridges start in the new group' : ''}.`,
      resources: names([group, ...(template ? [template] : [])]),
    });
  } else if (group?.kind === 'create') {
    impacts.push({ kind: 'bridges-created', severity: 'none', text: 'A bridge pool is created: new meetings can use its bridges once they have booted.', resources: names(pool.filter((c) => c.kind === 'create')) });
  } else {
    const rolled = (template && template.kind !== 'delete' && !onlyTags(template)) || group?.changed.includes('launchTemplate');
    if (rolled) {
      const moves = template ? movesTo(template, 'bridge', ctx) : [];
      impacts.push({
        kind: 'bridges-rolled',
        severity: 'notice',
        text:
          (moves.length ? `Bridges move to ${list(moves).replace(/, ([^,]*)$/, ' and $1')}: meetings move to new bridges only when they end, so nobody is dropped unless a meeting outlasts the drain. ` : '') +
          'Bridges are replaced through the Auto Scaling group\'s instance refresh and the graceful drain: new bridges start before old ones leave (capacity never drops below 100 %); ' +
          `a leaving bridge takes no new meetings, and meetings on it continue until they end — after ${drainHours} hours Jicofo moves whoever is left to another bridge (a short reconnect). ` +
          `AWS counts a new bridge as warm after ${minutes(BRIDGE_WARMUP_SECONDS)} minutes, whether or not its installation has finished.`,
        resources: names([...(template ? [template] : []), ...(group ? [group] : [])]),
      });
    }
    const size = group?.changed.filter((p) => GROUP_SIZE_PROPERTIES.has(p)) ?? [];
    if (group && size.length) {
      impacts.push({
        kind: 'bridge-pool-size',
        severity: 'none',
        text: `The bridge pool's limits change (${list(size)}): bridges that leave drain first (meetings on them continue); new ones take meetings once booted.`,
        resources: [group.name],
      });
    }
  }
  const rules = pool.filter((c) => BRIDGE_RULE_TYPES.has(c.type));
  if (rules.length) impacts.push({ kind: 'bridge-rules', severity: 'none', text: 'The bridge pool\'s scaling or drain rules change: meetings in progress are not affected.', resources: names(rules) });
  return impacts;
}

function dnsImpacts(changes: readonly ResourceChange[], ctx: ImpactContext): Impact[] {
  return changes
    .filter((c) => c.type === TYPE.record)
    .map((c): Impact => {
      const ttl = c.previousTtl ?? DNS_TTL_SECONDS;
      if (c.kind === 'create') {
        return { kind: 'dns-created', severity: 'none', text: `The DNS record of ${ctx.domain} is created: the name resolves to the site once resolvers ask again.`, resources: [c.name] };
      }
      if (c.kind === 'delete') {
        return { kind: 'dns-removed', severity: 'interrupts', text: `The DNS record of ${ctx.domain} is removed: the name stops resolving once cached answers (up to ${ttl} seconds) expire.`, resources: [c.name] };
      }
      if (onlyTags(c)) return { kind: 'dns-updated', severity: 'none', text: `The DNS record of ${ctx.domain} changes only in ${list(c.changed)}: nobody notices.`, resources: [c.name] };
      return {
        kind: 'dns-changes',
        severity: 'notice',
        text: `The DNS record of ${ctx.domain} changes (${list(c.changed)}): new visitors may reach the old address for up to ${ttl} seconds.`,
        resources: [c.name],
      };
    });
}

/** Everything else, by family; these leave running hosts and meetings alone (or say so when not). */
function otherImpacts(changes: readonly ResourceChange[]): Impact[] {
  const impacts: Impact[] = [];
  const network = changes.filter((c) => NETWORK_TYPES.has(c.type) && (c.kind === 'replace' || c.kind === 'delete'));
  if (network.length) {
    impacts.push({ kind: 'network-rebuilt', severity: 'interrupts', text: `Network resources are ${network.every((c) => c.kind === 'delete') ? 'removed' : 'rebuilt'} (${list(names(network))}): the hosts in them go too; meetings in progress end.`, resources: names(network) });
  }
  const firewall = changes.filter((c) => c.type === TYPE.securityGroup && c.kind !== 'create' && !onlyTags(c));
  if (firewall.length) {
    const replaced = firewall.some((c) => c.kind === 'replace');
    impacts.push({
      kind: 'firewall-changes',
      severity: 'none',
      text: replaced
        ? 'A security group is replaced: the hosts move to the new group and keep running.'
        : `Firewall rules change in place (${list([...new Set(firewall.flatMap((c) => c.changed))])}): the hosts keep running; connections on ports that stay open are not affected.`,
      resources: names(firewall),
    });
  }
  // The bundle pointers are plain parameters, not secrets.
  const secrets = changes.filter((c) => SECRET_TYPES.has(c.type) && c.kind !== 'create' && !onlyTags(c) && !inComponent(c, 'BundleDelivery'));
  if (secrets.length) {
    impacts.push({
      kind: 'secrets-change',
      severity: 'notice',
      text: 'Stored secrets change: hosts read their secrets when they boot, so running hosts keep the old values until they are replaced.',
      resources: names(secrets),
    });
  }
  // Described by the signaling, bridge and DNS rules (a replaced network interface replaces the host).
  const described = new Set<string>([TYPE.instance, TYPE.eip, TYPE.eni, TYPE.record]);
  const known = (c: ResourceChange) =>
    described.has(c.type) || inComponent(c, 'BridgePool') || NETWORK_TYPES.has(c.type) || firewall.includes(c) || secrets.includes(c);
  const rest = changes.filter((c) => !known(c));
  if (rest.length) {
    const types = [...new Set(rest.map((c) => (c.type.startsWith('pulumi:providers:') ? `${c.type.slice('pulumi:providers:'.length)} provider` : c.type.split(':').pop()!)))];
    impacts.push({ kind: 'other-changes', severity: 'none', text: `Other resources change (${list(types)}): meetings are not affected.`, resources: names(rest) });
  }
  return impacts;
}

const SEVERITY_ORDER: Severity[] = ['interrupts', 'notice', 'none'];

/**
 * `configuration`: what applying the new bundles in place means (scripts/deploy/configuration.ts);
 * the bundle objects, pointers and associations that carry it are then described by it.
 */
export function meetingImpact(preview: DeployPreview, ctx: ImpactContext, configuration: readonly Impact[] = []): Impact[] {
  const changes = configuration.length ? preview.changes.filter((c) => !inComponent(c, 'BundleDelivery')) : preview.changes;
  const serverCloud = ctx.cloud && ctx.cloud !== 'aws' ? ctx.cloud : undefined;
  if (!changes.length && configuration.length) return serverCloud ? serverCloudImpacts([], { ...ctx, cloud: serverCloud }, configuration) : [...configuration];
  if (!changes.length) return [{ kind: 'nothing', severity: 'none', text: 'Nothing changes: meetings are not affected.', resources: [] }];
  if (preview.unchanged === 0 && changes.every((c) => c.kind === 'create')) {
    return [{
      kind: 'new-deployment',
      severity: 'none',
      text: `A new deployment is created: nobody is in a meeting on it yet; ${ctx.domain} answers about ${SIGNALING_BOOT_MINUTES} minutes after the update.`,
      resources: [],
    }];
  }
  const impacts =
    serverCloud
      ? serverCloudImpacts(changes, { ...ctx, cloud: serverCloud }, configuration)
      : [...signalingImpacts(changes, ctx), ...bridgeImpacts(changes, ctx), ...dnsImpacts(changes, ctx), ...configuration, ...otherImpacts(changes)];
  return impacts.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}
