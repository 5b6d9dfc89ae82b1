// Sandbox sizes → the single node's instance or server type, per cloud. A rough guide, from the
// Jitsi handbook's sizing advice (4 GB of memory for a small server; 4 dedicated cores and 8 GB
// for a basic one; bridges with 4 to 8 cores) and field reports of a class of about 35 keeping an
// 8-core host at roughly 40 % CPU. Bandwidth rather than CPU usually limits a meeting; the AWS
// types have up to 12.5 Gbit/s. On Hetzner Cloud the sizes are dedicated-vCPU (CCX) servers.
// OpenStack flavors differ per cloud, so sizes do not apply there: the base stack names the flavor.
import type { Cloud } from '../../infra/spec/types.ts';

export type SandboxSize = 'small' | 'medium' | 'large';

export const SANDBOX_SIZES: Record<SandboxSize, { instanceType: string; fits: string }> = {
  small: { instanceType: 'c6i.large', fits: '2 vCPU, 4 GiB: trying it out, a seminar of about 10' },
  medium: { instanceType: 'c6i.xlarge', fits: '4 vCPU, 8 GiB: a class of about 30 with video' },
  large: { instanceType: 'c6i.2xlarge', fits: '8 vCPU, 16 GiB: a lecture of about 60 with video' },
};

/** The same sizes on Hetzner Cloud: dedicated vCPUs, as media servers need. */
export const HETZNER_SANDBOX_SIZES: Record<SandboxSize, string> = { small: 'ccx13', medium: 'ccx23', large: 'ccx33' };

export function isSandboxSize(value: string): value is SandboxSize {
  return Object.hasOwn(SANDBOX_SIZES, value);
}

/** The type of a size on a cloud; undefined on OpenStack, where flavors are the cloud's own. */
export function sizeType(size: SandboxSize, cloud: Cloud): string | undefined {
  if (cloud === 'aws') return SANDBOX_SIZES[size].instanceType;
  if (cloud === 'hetzner') return HETZNER_SANDBOX_SIZES[size];
  return undefined;
}
