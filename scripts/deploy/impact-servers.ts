// What a preview means for people in meetings on Hetzner Cloud and OpenStack. Those stacks are
// plain servers whose configuration travels in their user data. The signaling node keeps running
// through a configuration-only change: the program leaves its user data as deployed, and deploy
// sends the new configuration through the stack's channel after the update (services reload as
// the manifest says). New user data still reaches it, replacing it, when what defines the node
// changes (Jitsi release, image, server type). Bridges take no commands: a new bridge configuration
// means new bridges. The words say which, and what replacing a server costs.
import { DNS_TTL_SECONDS } from '../../infra/aws/layout.ts';
import type { Cloud } from '../../infra/spec/types.ts';
import { SIGNALING_BOOT_MINUTES, list, names, type Impact, type ImpactContext } from './impact.ts';
import { DEFAULT_DRAIN_WAIT_MS } from './bridge-drain.ts';
import { formatDuration } from './duration.ts';
import type { ResourceChange } from './preview.ts';
import { CONFIGURATION_PROPERTIES, isServer, makesNewServer, roleOf, signalingLeaves } from './servers.ts';

type ServerCloud = Exclude<Cloud, 'aws'>;
export type ServerCloudContext = ImpactContext & { cloud: ServerCloud };

const CLOUD_NAME: Record<ServerCloud, string> = { hetzner: 'Hetzner Cloud', openstack: 'OpenStack' };

/** Resource types, by what they are to the deployment. */
const ADDRESS = new Set(['hcloud:index/primaryIp:PrimaryIp', 'hcloud:index/floatingIp:FloatingIp', 'openstack:networking/floatingIp:FloatingIp']);
const DNS = new Set(['hcloud:index/zoneRrset:ZoneRrset', 'hcloud:index/zoneRecord:ZoneRecord', 'openstack:dns/recordSet:RecordSet']);
const FIREWALL = new Set([
  'hcloud:index/firewall:Firewall',
  'hcloud:index/firewallAttachment:FirewallAttachment',
  'openstack:networking/secGroup:SecGroup',
  'openstack:networking/secGroupRule:SecGroupRule',
]);
const NETWORK = new Set([
  'hcloud:index/network:Network',
  'hcloud:index/networkSubnet:NetworkSubnet',
  'hcloud:index/serverNetwork:ServerNetwork',
  'openstack:networking/network:Network',
  'openstack:networking/subnet:Subnet',
  'openstack:networking/router:Router',
  'openstack:networking/routerInterface:RouterInterface',
  'openstack:networking/port:Port',
]);

/** A new server type or flavor: the provider stops the server to resize it. */
const RESIZE_PROPERTIES = new Set(['serverType', 'flavorName', 'flavorId']);
/** Changed on a running server without touching it. */
const LIVE_PROPERTIES = new Set(['labels', 'tags', 'allTags', 'metadata', 'name', 'firewallIds', 'securityGroups', 'deleteProtection', 'rebuildProtection', 'shutdownBeforeDeletion', 'stopBeforeDestroy']);

function why(c: ResourceChange, role: 'signaling' | 'bridge', cloud: string): string {
  const forcing = c.replacedBy.length ? c.replacedBy : c.changed;
  if (forcing.some((p) => CONFIGURATION_PROPERTIES.has(p))) {
    return role === 'signaling'
      ? ' (new user data: the Jitsi release, the image or the server type changed, or the stack has no record of the node it runs; a change of configuration alone is applied in place)'
      : ` (their configuration changed: on ${cloud} a bridge's configuration travels in its user data and bridges take no commands, so a new configuration means new bridges)`;
  }
  return forcing.length ? ` (${list(forcing)} forces it)` : '';
}

/** In what order a cloud swaps a bridge for its replacement (infra/<cloud>/bridge-pool.ts). */
// How long a leaving bridge's drain may run before the server is gone: the Hetzner provider asks for
// an ACPI shutdown, then checks five times, 1 + 2 + 4 + 8 + 16 s apart, and deletes the server
// either way (terraform-provider-hcloud, internal/server/resource.go, resourceServerDelete); Nova
// gives a clean stop its shutdown_timeout (60 s unless the cloud or the image's os_shutdown_timeout
// says otherwise) before it powers the server off.
const DRAIN_BOUND: Record<ServerCloud, string> = {
  hetzner: 'Hetzner Cloud deletes it once it has powered off, or after about 30 seconds either way',
  openstack: 'OpenStack powers it off once it has stopped, or after its clean-shutdown wait (60 seconds unless your cloud sets another)',
};

const BRIDGE_SWAP: Record<ServerCloud, string> = {
  hetzner: 'The new bridges are created first, under new names, and the old ones leave once the new ones exist.',
  openstack: 'Each old bridge goes before its replacement is created (the replacement takes over its port and address), so until the new bridges have booted there are fewer of them.',
};

function signalingImpacts(servers: readonly ResourceChange[], addressChanges: boolean, ctx: ServerCloudContext): Impact[] {
  const cloud = CLOUD_NAME[ctx.cloud];
  const host = ctx.topology === 'single' ? 'the server (it runs the whole deployment, videobridge included)' : 'the signaling server';
  const Host = host.charAt(0).toUpperCase() + host.slice(1);
  return servers.map((c): Impact => {
    const resources = [c.name];
    // Some providers' previews show new user data as an update; the server is replaced all the same.
    const replaced = makesNewServer(c);
    if (replaced) {
      return {
        kind: 'signaling-replaced',
        severity: 'interrupts',
        text:
          `${Host} is replaced${why(c, 'signaling', cloud)}: meetings in progress end; about ${SIGNALING_BOOT_MINUTES} minutes without service while the new server installs Jitsi.` +
          `${addressChanges ? '' : ' The public address stays.'} ` +
          (ctx.carriesAccounts
            ? "Anything else kept only on the old server (Prosody's data, the service secrets it made at its first boot) is gone; the new server makes new ones. Deploy reads the accounts added with npm run accounts first and writes them on the new server once it is ready."
            : "Anything kept only on the old server (Prosody's data, accounts added there, the service secrets it made at its first boot) is gone; the new server makes new ones."),
        resources,
      };
    }
    if (c.kind === 'delete') return { kind: 'signaling-removed', severity: 'interrupts', text: `${Host} is removed: meetings in progress end and the site stops answering.`, resources };
    if (c.kind === 'create') return { kind: 'signaling-created', severity: 'notice', text: `${Host} is created: the site answers about ${SIGNALING_BOOT_MINUTES} minutes after the update.`, resources };
    const resize = c.changed.filter((p) => RESIZE_PROPERTIES.has(p));
    if (resize.length) {
      return { kind: 'signaling-restarted', severity: 'interrupts', text: `${Host} is stopped, resized and started again (${list(resize)}): meetings in progress end; a few minutes without service.`, resources };
    }
    const unknown = c.changed.filter((p) => !LIVE_PROPERTIES.has(p));
    if (unknown.length) {
      return { kind: 'signaling-may-restart', severity: 'notice', text: `${Host} is updated in place (${list(c.changed)}); ${cloud} may have to restart it for ${list(unknown)}, which would end meetings in progress.`, resources };
    }
    return { kind: 'signaling-updated', severity: 'none', text: `${Host} is updated in place (${list(c.changed)}): it keeps running; meetings are not affected.`, resources };
  });
}

const count = (n: number) => `${n} bridge server${n === 1 ? ' is' : 's are'}`;

/** `signalingGoes`: the update replaces or removes the signaling node, ending every meeting. */
function bridgeImpacts(servers: readonly ResourceChange[], ctx: ServerCloudContext, signalingGoes: boolean): Impact[] {
  if (!servers.length) return [];
  const cloud = CLOUD_NAME[ctx.cloud];
  const leaving = servers.filter((c) => c.kind === 'delete' || makesNewServer(c));
  const created = servers.filter((c) => c.kind === 'create');
  const impacts: Impact[] = [];
  const replaced = leaving.filter((c) => c.kind !== 'delete');
  const removed = leaving.filter((c) => c.kind === 'delete');
  const cut = `${DRAIN_BOUND[ctx.cloud]}, without waiting for its meetings to end, so people still on it are moved to another bridge by Jicofo (a short reconnect).`;
  if (replaced.length) {
    impacts.push({
      kind: 'bridges-replaced',
      severity: 'notice',
      text:
        `${count(replaced.length)} replaced${why(replaced[0]!, 'bridge', cloud)}. ${BRIDGE_SWAP[ctx.cloud]} ` +
        `Each old bridge is shut down before it is deleted, which starts the same graceful drain as on AWS: it takes no new meetings. ${cut}`,
      resources: names(replaced),
    });
  }
  if (removed.length) {
    const wait = ctx.drainWaitMs ?? DEFAULT_DRAIN_WAIT_MS;
    impacts.push({
      kind: 'bridges-removed',
      severity: 'notice',
      text: signalingGoes
        ? `${count(removed.length)} removed with no drain first: the meetings on ${removed.length === 1 ? 'it' : 'them'} end with the signaling node this update replaces.`
        : wait > 0
        ? `${count(removed.length)} removed. Before the update deploy asks ${removed.length === 1 ? 'it' : 'them'}, through the signaling node, to take no new meetings, and waits up to ${formatDuration(wait)} (--drain-wait) for the meetings on ${removed.length === 1 ? 'it' : 'them'} to end; then each is shut down and deleted. Anyone still on one when the wait ends is moved to another bridge by Jicofo (a short reconnect).`
        : `${count(removed.length)} removed without a drain first (--drain-wait 0, or the stack has no channel yet). Each is shut down before it is deleted, which starts the same graceful drain as on AWS: it takes no new meetings. ${cut}`,
      resources: names(removed),
    });
  }
  if (created.length) {
    impacts.push({
      kind: 'bridges-created',
      severity: 'none',
      text: `${created.length} bridge server${created.length === 1 ? ' is' : 's are'} created: new meetings can use ${created.length === 1 ? 'it' : 'them'} once booted. ${cloud} has no pool manager: jitsi-eu keeps exactly jitsi-eu:bridges.min bridges, and nothing replaces a bridge that fails by itself.`,
      resources: names(created),
    });
  }
  const updated = servers.filter((c) => c.kind === 'update' && !leaving.includes(c));
  if (updated.length) {
    const resize = updated.filter((c) => c.changed.some((p) => RESIZE_PROPERTIES.has(p)));
    impacts.push(
      resize.length
        ? { kind: 'bridges-restarted', severity: 'interrupts', text: `Bridge servers are stopped and resized (${list(names(resize))}): meetings on them end.`, resources: names(resize) }
        : { kind: 'bridges-updated', severity: 'none', text: `Bridge servers are updated in place (${list([...new Set(updated.flatMap((c) => c.changed))])}): meetings are not affected.`, resources: names(updated) },
    );
  }
  return impacts;
}

function dnsImpacts(records: readonly ResourceChange[], ctx: ServerCloudContext): Impact[] {
  return records.map((c): Impact => {
    const ttl = c.previousTtl ?? DNS_TTL_SECONDS;
    if (c.kind === 'create') return { kind: 'dns-created', severity: 'none', text: `The DNS record of ${ctx.domain} is created: the name resolves to the site once resolvers ask again.`, resources: [c.name] };
    if (c.kind === 'delete') return { kind: 'dns-removed', severity: 'interrupts', text: `The DNS record of ${ctx.domain} is removed: the name stops resolving once cached answers (up to ${ttl} seconds) expire.`, resources: [c.name] };
    return { kind: 'dns-changes', severity: 'notice', text: `The DNS record of ${ctx.domain} changes (${list(c.changed) || 'replaced'}): new visitors may reach the old address for up to ${ttl} seconds.`, resources: [c.name] };
  });
}

/**
 * The signaling node's new configuration, applied in place (scripts/deploy/configuration.ts), unless
 * the node itself is replaced, created or removed: a new node boots with it. A bridge's new
 * configuration replaces the bridges, which bridgeImpacts describes.
 */
function inPlaceImpacts(configuration: readonly Impact[], signaling: readonly ResourceChange[], ctx: ServerCloudContext): Impact[] {
  const newNode = signaling.some((c) => c.kind !== 'update' || makesNewServer(c));
  if (newNode) return [];
  return configuration
    .filter((i) => i.role === 'signaling')
    .map((i) => ({ ...i, text: `${i.text} On ${CLOUD_NAME[ctx.cloud]} deploy sends it to the running node through the stack's channel once the update is done.` }));
}

/** `configuration`: what applying each role's new bundle in place means, as on AWS. */
export function serverCloudImpacts(changes: readonly ResourceChange[], ctx: ServerCloudContext, configuration: readonly Impact[] = []): Impact[] {
  const servers = changes.filter(isServer);
  const addresses = changes.filter((c) => ADDRESS.has(c.type) && (c.kind === 'replace' || c.kind === 'delete'));
  const signaling = servers.filter((c) => roleOf(c) === 'signaling');
  const impacts: Impact[] = [
    ...signalingImpacts(signaling, addresses.length > 0, ctx),
    ...inPlaceImpacts(configuration, signaling, ctx),
    ...bridgeImpacts(servers.filter((c) => roleOf(c) === 'bridge'), ctx, signalingLeaves(changes)),
  ];
  if (addresses.length) {
    impacts.push({
      kind: 'address-changes',
      severity: 'interrupts',
      text: `The public address of ${ctx.domain} changes: connected clients lose the site until DNS points at the new address.`,
      resources: names(addresses),
    });
  }
  impacts.push(...dnsImpacts(changes.filter((c) => DNS.has(c.type)), ctx));
  const network = changes.filter((c) => NETWORK.has(c.type) && (c.kind === 'replace' || c.kind === 'delete'));
  if (network.length) {
    impacts.push({ kind: 'network-rebuilt', severity: 'interrupts', text: `Network resources are ${network.every((c) => c.kind === 'delete') ? 'removed' : 'rebuilt'} (${list(names(network))}): the servers in them go too; meetings in progress end.`, resources: names(network) });
  }
  const firewall = changes.filter((c) => FIREWALL.has(c.type) && c.kind !== 'create');
  if (firewall.length) {
    impacts.push({ kind: 'firewall-changes', severity: 'none', text: 'Firewall rules change: the servers keep running; connections on ports that stay open are not affected.', resources: names(firewall) });
  }
  const known = new Set([...servers, ...addresses, ...network, ...firewall]);
  const rest = changes.filter((c) => !known.has(c) && !DNS.has(c.type));
  if (rest.length) {
    const types = [...new Set(rest.map((c) => (c.type.startsWith('pulumi:providers:') ? `${c.type.slice('pulumi:providers:'.length)} provider` : c.type.split(':').pop()!)))];
    impacts.push({ kind: 'other-changes', severity: 'none', text: `Other resources change (${list(types)}): meetings are not affected.`, resources: names(rest) });
  }
  const order = ['interrupts', 'notice', 'none'];
  return impacts.sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
}
