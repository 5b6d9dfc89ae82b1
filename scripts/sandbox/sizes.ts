// Sandbox sizes → EC2 instance type of the single node. A rough guide, from the Jitsi handbook's
// sizing advice (4 GB of memory for a small server; 4 dedicated cores and 8 GB for a basic one;
// bridges with 4 to 8 cores) and field reports of a class of about 35 keeping an 8-core host at
// roughly 40 % CPU. Bandwidth rather than CPU usually limits a meeting; all three types have
// up to 12.5 Gbit/s.
export type SandboxSize = 'small' | 'medium' | 'large';

export const SANDBOX_SIZES: Record<SandboxSize, { instanceType: string; fits: string }> = {
  small: { instanceType: 'c6i.large', fits: '2 vCPU, 4 GiB: trying it out, a seminar of about 10' },
  medium: { instanceType: 'c6i.xlarge', fits: '4 vCPU, 8 GiB: a class of about 30 with video' },
  large: { instanceType: 'c6i.2xlarge', fits: '8 vCPU, 16 GiB: a lecture of about 60 with video' },
};

export function isSandboxSize(value: string): value is SandboxSize {
  return Object.hasOwn(SANDBOX_SIZES, value);
}
