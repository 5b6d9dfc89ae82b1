// The per-cloud mechanism layer of a host: one shell file, cloud.sh, that the neutral lib.sh
// sources (instance metadata, where secrets, the certificate and host accounts are kept, a
// bridge's drain signal), rendered from templates/cloud/<cloud>/cloud.sh.hbs; and, on clouds with
// no parameter store (Hetzner Cloud, OpenStack), the signaling node's share on the private network
// of the bridges' XMPP password and of deploy's drain requests. Everything else in the bundle is
// the same on every cloud.
import {
  CHANNEL_APPLY_PATH, CHANNEL_CLOCK_SKEW_SECONDS, CHANNEL_HEADERS, CHANNEL_MAX_BODY_BYTES, CHANNEL_MAX_SCRIPT_SECONDS, CHANNEL_PATH,
  CHANNEL_PROTOCOL, CHANNEL_PUBLIC_KEY_PATH, CHANNEL_SERVICE_PORT, CHANNEL_UNIT,
} from '../channel.ts';
import { DRAIN_REQUESTS_FOLDER } from '../lifecycle.ts';
import { PORTS } from '../ports.ts';
import { PRIVATE_SUBNET_CIDR, SIGNALING_PRIVATE_IP } from '../private-network.ts';
import type { Cloud } from '../spec/types.ts';
import type { RenderInput } from './input.ts';
import { AGENT_CONFIG_PATH, AGENT_PATH } from './delivery.ts';
import { NGINX_SITE_SNIPPETS_DIR } from './nginx.ts';
import { BOOT_DIR } from './paths.ts';
import { hostRoles } from './roles.ts';
import type { BundleFile } from './types.ts';

export const CLOUD_SCRIPT_PATH = `${BOOT_DIR}/cloud.sh`;

/** Where the signaling node keeps the secrets it generates (Hetzner Cloud, OpenStack). */
export const HOST_SECRETS_DIR = '/var/lib/jitsi-eu/secrets';
/** The copy of jvb-password and the drain requests nginx serves to the bridges, and the nginx file that serves them. */
export const BRIDGE_SHARE_DIR = '/var/lib/jitsi-eu/bridge-share';
export const BRIDGE_SHARE_CONF = '/etc/nginx/conf.d/jitsi-eu-bridge-share.conf';
export const BRIDGE_SHARE_SYSCTL = '/etc/sysctl.d/60-jitsi-eu-bridge-share.conf';
/** A bridge asks the signaling node this many times, 5 s apart (it may still be booting). */
export const BRIDGE_SHARE_TRIES = 120;

/** The operator channel on the signaling node (Hetzner Cloud, OpenStack): service, unit, apply helper, nginx. */
export const CHANNEL_FILES = {
  service: `${BOOT_DIR}/channel.py`,
  unit: `/etc/systemd/system/${CHANNEL_UNIT}`,
  apply: CHANNEL_APPLY_PATH,
  site: `${NGINX_SITE_SNIPPETS_DIR}/channel.conf`,
  http: '/etc/nginx/conf.d/jitsi-eu-channel.conf',
} as const;
/** nginx waits this much longer than the longest script before it gives up on the service. */
const CHANNEL_PROXY_MARGIN_SECONDS = 60;
/** The host agent's lock (templates/os/apply.sh.hbs): the apply helper swaps the pointer under it. */
const AGENT_LOCK_FILE = '/run/lock/jitsi-eu-apply.lock';

/** Clouds whose hosts keep their secrets themselves and receive their configuration in the user data. */
export function keepsSecretsOnHost(cloud: Cloud): boolean {
  return cloud !== 'aws';
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function renderCloudLayer(input: RenderInput, base: { sh: Record<string, string>; num: Record<string, number> }): BundleFile[] {
  const { spec, engine } = input;
  const context = {
    ...base,
    signalingPrivateIp: SIGNALING_PRIVATE_IP,
    privateSubnet: PRIVATE_SUBNET_CIDR,
    bridgeShareDir: BRIDGE_SHARE_DIR,
    drainRequests: DRAIN_REQUESTS_FOLDER,
    sh: {
      ...base.sh,
      secretsDir: quote(HOST_SECRETS_DIR),
      bridgeShareDir: quote(BRIDGE_SHARE_DIR),
      bridgeShareConf: quote(BRIDGE_SHARE_CONF),
      agentConfig: quote(AGENT_CONFIG_PATH),
    },
    num: { ...base.num, bridgeSharePort: PORTS.bridgeShare, bridgeShareTries: BRIDGE_SHARE_TRIES },
    channel: { unit: CHANNEL_UNIT, keyPath: CHANNEL_PUBLIC_KEY_PATH },
  };
  const hostKept = keepsSecretsOnHost(spec.cloud) ? engine.render('cloud/shared/host-kept.sh.hbs', context) : '';
  const files: BundleFile[] = [{
    path: CLOUD_SCRIPT_PATH.slice(1),
    component: 'os',
    roles: hostRoles(spec),
    mode: '0644',
    content: engine.render(`cloud/${spec.cloud}/cloud.sh.hbs`, { ...context, hostKept }),
  }];
  if (keepsSecretsOnHost(spec.cloud) && hostRoles(spec).includes('bridge')) {
    files.push(
      { path: BRIDGE_SHARE_CONF.slice(1), component: 'nginx', roles: ['signaling'], mode: '0644', content: engine.render('cloud/shared/bridge-share.conf.hbs', context) },
      { path: BRIDGE_SHARE_SYSCTL.slice(1), component: 'os', roles: ['signaling'], mode: '0644', content: engine.render('cloud/shared/bridge-share-sysctl.conf.hbs', context) },
    );
  }
  if (keepsSecretsOnHost(spec.cloud)) files.push(...renderChannel(input));
  return files;
}

function renderChannel({ spec, engine }: RenderInput): BundleFile[] {
  const context = {
    domain: spec.domain,
    path: CHANNEL_PATH,
    protocol: CHANNEL_PROTOCOL,
    headers: CHANNEL_HEADERS,
    keyPath: CHANNEL_PUBLIC_KEY_PATH,
    unitPath: CHANNEL_FILES.unit,
    servicePath: CHANNEL_FILES.service,
    siteDir: NGINX_SITE_SNIPPETS_DIR,
    sh: { agentConfig: quote(AGENT_CONFIG_PATH), agent: quote(AGENT_PATH), lockFile: quote(AGENT_LOCK_FILE) },
    num: {
      port: CHANNEL_SERVICE_PORT,
      skew: CHANNEL_CLOCK_SKEW_SECONDS,
      maxBody: CHANNEL_MAX_BODY_BYTES,
      maxSeconds: CHANNEL_MAX_SCRIPT_SECONDS,
      proxySeconds: CHANNEL_MAX_SCRIPT_SECONDS + CHANNEL_PROXY_MARGIN_SECONDS,
    },
  };
  const file = (path: string, template: string, component: BundleFile['component'], mode: string): BundleFile =>
    ({ path: path.slice(1), component, roles: ['signaling'], mode, content: engine.render(`cloud/shared/${template}`, context) });
  return [
    file(CHANNEL_FILES.service, 'channel.py.hbs', 'os', '0644'),
    file(CHANNEL_FILES.unit, 'jitsi-eu-channel.service.hbs', 'os', '0644'),
    file(CHANNEL_FILES.apply, 'channel-apply.sh.hbs', 'os', '0755'),
    file(CHANNEL_FILES.site, 'channel-site.conf.hbs', 'nginx', '0644'),
    file(CHANNEL_FILES.http, 'channel-http.conf.hbs', 'nginx', '0644'),
  ];
}

/** The host agent's way to its role's archive on this cloud (inserted into jitsi-eu-apply). */
export function renderAgentFetch(engine: RenderInput['engine'], cloud: Cloud): string {
  return engine.render(keepsSecretsOnHost(cloud) ? 'cloud/shared/fetch-bundle-local.sh.hbs' : 'cloud/aws/fetch-bundle.sh.hbs', {}).trimEnd();
}
