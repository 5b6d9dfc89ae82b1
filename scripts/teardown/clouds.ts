// The orphan check and purge of the clouds other than AWS, chosen by the stack's jitsi-eu:cloud.
// Credentials are read first, so that a missing token or clouds.yaml entry stops the command
// before anything is asked or touched.
import type { Cloud } from '../../infra/spec/types.ts';
import type { OrphanScope } from './orphans.ts';
import type { OrphanCheck, Purge } from './stack.ts';

export interface CloudOrphans {
  findOrphans: OrphanCheck;
  purge: Purge;
  /** What the check looks for, for the progress line. */
  searching: string;
  /** The region searched (OpenStack: from the stack, OS_REGION_NAME, clouds.yaml, or the cloud's only one). */
  region: string;
}

export async function cloudOrphans(cloud: Exclude<Cloud, 'aws'>, scope: OrphanScope, env: NodeJS.ProcessEnv): Promise<CloudOrphans> {
  if (cloud === 'hetzner') {
    const [{ HetznerApi, hetznerCredentials }, { findHetznerOrphans, purgeHetznerOrphans }, { LABEL_STACK }] = await Promise.all([
      import('../lib/clouds/hetzner-api.ts'),
      import('./hetzner.ts'),
      import('../../infra/hetzner/labels.ts'),
    ]);
    const api = new HetznerApi(hetznerCredentials(env));
    return {
      findOrphans: (s) => findHetznerOrphans(api, s),
      purge: (_region, orphans, progress) => purgeHetznerOrphans(api, orphans, { progress }),
      searching: `Hetzner Cloud servers, firewalls, primary IPs and networks labelled ${LABEL_STACK}=${scope.stack}${scope.domain ? `, and DNS records at ${scope.domain}` : ''}`,
      region: scope.region,
    };
  }
  const [{ openstackSession }, { findOpenstackOrphans, purgeOpenstackOrphans }] = await Promise.all([import('../lib/clouds/openstack-api.ts'), import('./openstack.ts')]);
  const session = await openstackSession(env, { cloud: scope.openstackCloud, region: scope.region || undefined });
  return {
    findOrphans: (s) => findOpenstackOrphans(session, s),
    purge: (_region, orphans, progress) => purgeOpenstackOrphans(session, orphans, { progress }),
    region: session.region,
    searching: `OpenStack servers, floating IPs, routers, ports, subnets, networks and security groups tagged jitsi-eu:stack=${scope.stack} in ${session.region}${scope.domain ? `, and DNS records at ${scope.domain}` : ''}`,
  };
}

