// Which AWS region each of the deployment's addresses is announced from, with the evidence for it:
// the address's reverse DNS name (AWS names EC2 addresses, Elastic IPs included, after their region
// unless the owner set a custom PTR) and, when the user has downloaded it, AWS's published EC2
// ranges. Shared by the region check and by --aws, which needs a region to ask.
import { isIP } from 'node:net';
import { AWS_RANGES_FILE, RANGES_STALE_AFTER_DAYS, loadAwsRangesIfPresent, type AwsRanges } from './aws-ranges.ts';
import type { VerifyContext } from './context.ts';
import { regionFromEc2Name } from './ec2-names.ts';
import { reverseLookup } from './net/dns.ts';

const DAY_MS = 86_400_000;

/** Loopback, private, link-local, CGNAT and unique-local addresses: not reachable from the Internet. */
export function isNonPublicAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  const lower = ip.toLowerCase();
  return lower === '::1' || lower.startsWith('fe80:') || lower.startsWith('fc') || lower.startsWith('fd');
}

export interface AddressPlacement {
  ip: string;
  /** Not reachable from the Internet: nothing was looked up. */
  nonPublic: boolean;
  /** PTR names found for the address. */
  ptrNames: string[];
  /** Why the reverse lookup failed (timeout, server failure), when it did. */
  ptrError?: string;
  /** The region the address's EC2 reverse DNS name gives. */
  ptrRegion?: string;
  /** The region whose published EC2 ranges hold the address (GLOBAL for edge prefixes). */
  rangeRegion?: string;
}

export interface RangeData {
  file: string;
  ranges: AwsRanges;
  /** AWS's publication date, `YYYY-MM-DD`. */
  date: string;
  ageDays: number;
  stale: boolean;
}

export interface Placement {
  addresses: AddressPlacement[];
  /** The range file, when there is one. */
  rangeData?: RangeData;
  /** Why there is no range data: not downloaded yet, or unreadable. */
  rangeProblem?: string;
}

export interface PlacementInput {
  addresses: readonly string[];
  dnsServers?: readonly string[];
  timeoutMs: number;
  rangesFile?: string;
  now: Date;
}

function readRangeData(file: string, now: Date): Pick<Placement, 'rangeData' | 'rangeProblem'> {
  let ranges: AwsRanges | undefined;
  try {
    ranges = loadAwsRangesIfPresent(file);
  } catch (error) {
    return { rangeProblem: `the AWS range file ${file} cannot be read (${(error as Error).message.split('\n')[0]})` };
  }
  if (!ranges) return { rangeProblem: `no AWS range data (${file})` };
  const ageDays = Math.floor((now.getTime() - ranges.createdAt.getTime()) / DAY_MS);
  return { rangeData: { file, ranges, date: ranges.createdAt.toISOString().slice(0, 10), ageDays, stale: ageDays > RANGES_STALE_AFTER_DAYS } };
}

async function placeOne(ip: string, input: PlacementInput, ranges: AwsRanges | undefined): Promise<AddressPlacement> {
  if (isNonPublicAddress(ip)) return { ip, nonPublic: true, ptrNames: [] };
  const placed: AddressPlacement = { ip, nonPublic: false, ptrNames: [] };
  const rangeRegion = ranges?.regionOf(ip);
  if (rangeRegion) placed.rangeRegion = rangeRegion;
  try {
    placed.ptrNames = await reverseLookup(ip, input.timeoutMs, input.dnsServers);
  } catch (error) {
    placed.ptrError = (error as Error).message;
  }
  const ptrRegion = placed.ptrNames.map((name) => regionFromEc2Name(name, ip)).find((region) => region !== undefined);
  if (ptrRegion) placed.ptrRegion = ptrRegion;
  return placed;
}

export async function placeAddresses(input: PlacementInput): Promise<Placement> {
  const data = readRangeData(input.rangesFile ?? AWS_RANGES_FILE, input.now);
  const addresses = await Promise.all(input.addresses.map((ip) => placeOne(ip, input, data.rangeData?.ranges)));
  return { addresses, ...data };
}

/** The placement of the run's addresses, looked up once per run. */
export function placementFor(ctx: VerifyContext): Promise<Placement> {
  return ctx.once('aws placement', () =>
    placeAddresses({
      addresses: ctx.resolved.addresses,
      timeoutMs: ctx.probeTimeoutMs,
      now: ctx.now,
      ...(ctx.options.dnsServers?.length ? { dnsServers: ctx.options.dnsServers } : {}),
      ...(ctx.options.awsRangesFile ? { rangesFile: ctx.options.awsRangesFile } : {}),
    }),
  );
}

/** The region an address is placed in: its reverse DNS name first, then the ranges (not GLOBAL). */
export function regionOfPlacement(placed: AddressPlacement): string | undefined {
  if (placed.ptrRegion) return placed.ptrRegion;
  return placed.rangeRegion && placed.rangeRegion !== 'GLOBAL' ? placed.rangeRegion : undefined;
}
