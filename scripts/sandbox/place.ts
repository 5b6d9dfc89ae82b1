// Where a sandbox runs, read from its stack file alone (so that a sandbox whose config has since
// become invalid in another way can still be destroyed): the cloud, and the region or location
// the orphan check and the credentials check need.
import { CLOUDS, type Cloud } from '../../infra/spec/types.ts';
import type { StackConfig } from '../lib/workspace.ts';

export interface StackPlace {
  cloud: Cloud;
  region: string;
  /** OpenStack: the clouds.yaml entry the stack names. */
  openstackCloud?: string;
}

/** The key that holds the place on each cloud. */
export const PLACE_KEY: Record<Cloud, string> = { aws: 'aws:region', hetzner: 'jitsi-eu:location', openstack: 'openstack:region' };

export const CLOUD_NAME: Record<Cloud, string> = { aws: 'AWS', hetzner: 'Hetzner Cloud', openstack: 'OpenStack' };

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The place, or why the stack file does not give one. */
export function stackPlace(stack: string, config: StackConfig | undefined): StackPlace | { problem: string } {
  const named = text(config?.['jitsi-eu:cloud']) ?? 'aws';
  if (!(CLOUDS as readonly string[]).includes(named)) return { problem: `Pulumi.${stack}.yaml has jitsi-eu:cloud ${JSON.stringify(named)}, which is not ${CLOUDS.join(', ')}` };
  const cloud = named as Cloud;
  const region = text(config?.[PLACE_KEY[cloud]]);
  if (!region) return { problem: `Pulumi.${stack}.yaml has no ${PLACE_KEY[cloud]}` };
  const openstackCloud = cloud === 'openstack' ? text(config?.['openstack:cloud']) : undefined;
  return { cloud, region, ...(openstackCloud ? { openstackCloud } : {}) };
}
