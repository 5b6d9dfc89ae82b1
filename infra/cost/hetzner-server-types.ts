// The Hetzner Cloud server types jitsi-eu knows, with their vCPUs and memory; anything else is
// refused by the spec. The price table (hetzner-prices.ts) has a dated price for most of them;
// for the others the plan says the compute cost is unknown rather than guess it.

export interface HetznerServerType {
  vcpus: number;
  memoryGib: number;
  /** Dedicated vCPUs (CCX); the others share their cores with other customers' servers. */
  dedicated: boolean;
  arch: 'x86' | 'arm';
}

export const HETZNER_SERVER_TYPES: Readonly<Record<string, HetznerServerType>> = {
  cx23: { vcpus: 2, memoryGib: 4, dedicated: false, arch: 'x86' },
  cx33: { vcpus: 4, memoryGib: 8, dedicated: false, arch: 'x86' },
  cx43: { vcpus: 8, memoryGib: 16, dedicated: false, arch: 'x86' },
  cx53: { vcpus: 16, memoryGib: 32, dedicated: false, arch: 'x86' },
  cpx22: { vcpus: 2, memoryGib: 4, dedicated: false, arch: 'x86' },
  cpx32: { vcpus: 4, memoryGib: 8, dedicated: false, arch: 'x86' },
  cpx42: { vcpus: 8, memoryGib: 16, dedicated: false, arch: 'x86' },
  cpx52: { vcpus: 12, memoryGib: 24, dedicated: false, arch: 'x86' },
  cpx62: { vcpus: 16, memoryGib: 32, dedicated: false, arch: 'x86' },
  cax11: { vcpus: 2, memoryGib: 4, dedicated: false, arch: 'arm' },
  cax21: { vcpus: 4, memoryGib: 8, dedicated: false, arch: 'arm' },
  cax31: { vcpus: 8, memoryGib: 16, dedicated: false, arch: 'arm' },
  cax41: { vcpus: 16, memoryGib: 32, dedicated: false, arch: 'arm' },
  ccx13: { vcpus: 2, memoryGib: 8, dedicated: true, arch: 'x86' },
  ccx23: { vcpus: 4, memoryGib: 16, dedicated: true, arch: 'x86' },
  ccx33: { vcpus: 8, memoryGib: 32, dedicated: true, arch: 'x86' },
  ccx43: { vcpus: 16, memoryGib: 64, dedicated: true, arch: 'x86' },
  ccx53: { vcpus: 32, memoryGib: 128, dedicated: true, arch: 'x86' },
  ccx63: { vcpus: 48, memoryGib: 192, dedicated: true, arch: 'x86' },
};
