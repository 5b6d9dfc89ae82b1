// A OpenStack server's user data (cloud-config as the server receives it).
import type { DeploymentSpec } from '../spec/types.ts';
import type { Bundle, HostRole } from '../render/types.ts';
import type { DeployValueName } from '../placeholders.ts';

export function openstackUserData(spec: DeploymentSpec, bundle: Bundle, role: HostRole, values: Record<DeployValueName, string>): string {
  void bundle;
  void values;
  return `#cloud-config\n# jitsi-eu ${spec.stack} ${role}\n`;
}
