// Where the rehearsals put a stack on Hetzner Cloud and on OpenStack: the keys that move an
// example stack file (an AWS one) to that cloud.
import type { Cloud, DeploymentSpec } from '../../../infra/spec/types.ts';

export const PLACES: Record<Exclude<Cloud, 'aws'>, Partial<DeploymentSpec>> = {
  hetzner: { cloud: 'hetzner', region: 'fsn1', country: 'DE', regionLabel: 'Falkenstein, Germany', image: 'debian-12', instanceType: 'ccx23' },
  openstack: { cloud: 'openstack', region: 'de1', country: 'DE', regionLabel: 'Frankfurt, Germany', image: 'Debian 12', instanceType: 'b2-15', externalNetwork: 'Ext-Net' },
};
