// Values the offline plan's mocks give for what a provider assigns at deploy time (ids,
// addresses): deterministic, and from the ranges reserved for documentation, so nobody mistakes
// them for real ones.
import { createHash } from 'node:crypto';

export const hex = (seed: string, length: number) => createHash('sha256').update(seed).digest('hex').slice(0, length);

/** Stand-in for the signaling node's public address: TEST-NET-3, reserved for documentation. */
export const MOCK_PUBLIC_IP = '203.0.113.10';
/** The VPC's IPv6 block and the signaling node's IPv6 address under the mocks (documentation range). */
export const MOCK_IPV6_BLOCK = '2001:db8:1234:5600::/56';
export const MOCK_IPV6_ADDRESS = '2001:db8:1234:5600::10';
export const MOCK_AMI_ID = 'ami-0123456789abcdef0';
export const MOCK_ZONE_ID = 'Z0PLANNEDZONE0';
/** Image id the Hetzner and OpenStack image lookups answer with: the newest Debian 12 at deploy time. */
export const MOCK_IMAGE_ID = 'planned-debian-12-image';

/** A public IPv4 stand-in: the signaling node's for anything not named as a bridge, else one per name. */
export function mockIpv4(name: string): string {
  if (!/bridge/i.test(name)) return MOCK_PUBLIC_IP;
  return `203.0.113.${100 + (parseInt(hex(name, 4), 16) % 100)}`;
}

/** Hetzner ids are integers. */
export const mockNumericId = (name: string): string => String(10_000_000 + (parseInt(hex(name, 6), 16) % 89_999_999));

/** OpenStack ids are UUIDs. */
export function mockUuid(name: string): string {
  const h = hex(name, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
