// Stack files of Hetzner Cloud and OpenStack deployments with names of the operator's own (past
// deploy's refusal of example names), written next to Pulumi.yaml where the commands read them.
import { rmSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { stackFileFor } from '../../infra/spec/load.ts';
import { OWN_DOMAIN } from './own-names-stack.ts';

export type OtherCloud = 'hetzner' | 'openstack';

/** The config of a small deployment on `cloud`; `extra` adds or overrides keys. */
export function cloudStackConfig(cloud: OtherCloud, stack: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const place =
    cloud === 'hetzner'
      ? { 'jitsi-eu:location': 'fsn1' }
      : { 'openstack:region': 'GRA11', 'openstack:cloud': 'ovh-test', 'jitsi-eu:country': 'FR', 'jitsi-eu:externalNetwork': 'Ext-Net', 'jitsi-eu:provider': 'OVH SAS (Roubaix, France)', 'jitsi-eu:instanceType': 'c3-8' };
  return {
    'jitsi-eu:cloud': cloud,
    ...place,
    'jitsi-eu:domain': `${stack}.${OWN_DOMAIN}`,
    'jitsi-eu:acmeEmail': `ops@${OWN_DOMAIN}`,
    'jitsi-eu:auth': 'secure',
    'jitsi-eu:organization': 'Selftest University',
    'jitsi-eu:privacyContact': `dpo@${OWN_DOMAIN}`,
    ...extra,
  };
}

/** Writes Pulumi.<stack>.yaml; returns a function that removes it. */
export function writeCloudStack(cloud: OtherCloud, stack: string, extra: Record<string, unknown> = {}): () => void {
  const path = stackFileFor(stack);
  writeFileSync(path, stringify({ config: cloudStackConfig(cloud, stack, extra) }));
  return () => rmSync(path, { force: true });
}
