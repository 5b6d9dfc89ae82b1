// Which host role runs which service. A single node runs everything; a scalable deployment
// moves the videobridge onto the bridge pool.
import type { DeploymentSpec } from '../spec/types.ts';
import type { HostRole } from './types.ts';

export type Service = 'web' | 'prosody' | 'jicofo' | 'jvb' | 'coturn' | 'os';

export function rolesFor(spec: Pick<DeploymentSpec, 'topology'>, service: Service): HostRole[] {
  if (service === 'os') return spec.topology === 'scalable' ? ['signaling', 'bridge'] : ['signaling'];
  if (service === 'jvb') return spec.topology === 'scalable' ? ['bridge'] : ['signaling'];
  return ['signaling'];
}

/** The roles that exist in this topology. */
export function hostRoles(spec: Pick<DeploymentSpec, 'topology'>): HostRole[] {
  return spec.topology === 'scalable' ? ['signaling', 'bridge'] : ['signaling'];
}
