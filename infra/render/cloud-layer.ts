// The per-cloud mechanism layer of a host: one shell file, cloud.sh, that the neutral lib.sh
// sources (instance metadata, where secrets, the certificate and host accounts are kept, a
// bridge's drain signal), rendered from templates/cloud/<cloud>/cloud.sh.hbs; and, on clouds with
// no parameter store (Hetzner Cloud, OpenStack), the signaling node's share of the bridges' XMPP
// password on the private network. Everything else in the bundle is the same on every cloud.
import { PORTS } from '../ports.ts';
import { PRIVATE_SUBNET_CIDR, SIGNALING_PRIVATE_IP } from '../private-network.ts';
import type { Cloud } from '../spec/types.ts';
import type { RenderInput } from './input.ts';
import { AGENT_CONFIG_PATH } from './delivery.ts';
import { BOOT_DIR } from './paths.ts';
import { hostRoles } from './roles.ts';
import type { BundleFile } from './types.ts';

export const CLOUD_SCRIPT_PATH = `${BOOT_DIR}/cloud.sh`;

/** Where the signaling node keeps the secrets it generates (Hetzner Cloud, OpenStack). */
export const HOST_SECRETS_DIR = '/var/lib/jitsi-eu/secrets';
/** The copy of jvb-password nginx serves to the bridges, and the nginx file that serves it. */
export const BRIDGE_SHARE_DIR = '/var/lib/jitsi-eu/bridge-share';
export const BRIDGE_SHARE_CONF = '/etc/nginx/conf.d/jitsi-eu-bridge-share.conf';
export const BRIDGE_SHARE_SYSCTL = '/etc/sysctl.d/60-jitsi-eu-bridge-share.conf';
/** A bridge asks the signaling node this many times, 5 s apart (it may still be booting). */
export const BRIDGE_SHARE_TRIES = 120;

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
    sh: {
      ...base.sh,
      secretsDir: quote(HOST_SECRETS_DIR),
      bridgeShareDir: quote(BRIDGE_SHARE_DIR),
      bridgeShareConf: quote(BRIDGE_SHARE_CONF),
      agentConfig: quote(AGENT_CONFIG_PATH),
    },
    num: { ...base.num, bridgeSharePort: PORTS.bridgeShare, bridgeShareTries: BRIDGE_SHARE_TRIES },
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
  return files;
}

/** The host agent's way to its role's archive on this cloud (inserted into jitsi-eu-apply). */
export function renderAgentFetch(engine: RenderInput['engine'], cloud: Cloud): string {
  return engine.render(keepsSecretsOnHost(cloud) ? 'cloud/shared/fetch-bundle-local.sh.hbs' : 'cloud/aws/fetch-bundle.sh.hbs', {}).trimEnd();
}
