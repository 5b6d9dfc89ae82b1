// AWS's published EC2 address ranges, kept in a dated file that scripts/refresh-aws-ip-ranges.ts
// writes on the user's machine (git-ignored: the project ships no copy). verify maps a
// deployment's address to the region that announces it, from outside and without credentials.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { PROJECT_DIR } from '../../infra/spec/index.ts';

/** Where the refresh script writes the ranges and verify reads them (listed in .gitignore). */
export const AWS_RANGES_FILE = join(PROJECT_DIR, '.jitsi-eu', 'aws-ec2-ip-ranges.json');
/** The command that writes AWS_RANGES_FILE, for hints in verify's output. */
export const AWS_RANGES_REFRESH_COMMAND = 'npx tsx scripts/refresh-aws-ip-ranges.ts';
/** Where AWS publishes the ranges (the refresh script downloads it). */
export const AWS_RANGES_URL = 'https://ip-ranges.amazonaws.com/ip-ranges.json';
/**
 * Older data earns a WARN: AWS adds EC2 prefixes every few weeks, so an address in a new prefix
 * would look like "not AWS" with stale data. Refreshing quarterly keeps the answer trustworthy.
 */
export const RANGES_STALE_AFTER_DAYS = 90;

export interface AwsRangesFile {
  /** The document the prefixes were taken from. */
  source: string;
  /** AWS's own `createDate` of that document (`YYYY-MM-DD-hh-mm-ss`, UTC). */
  createDate: string;
  syncToken: string;
  /** When the refresh script wrote this file (ISO 8601). */
  writtenAt: string;
  service: 'EC2';
  /** Region → IPv4 and IPv6 prefixes announced for EC2 there. */
  regions: Record<string, string[]>;
}

export interface AwsRanges {
  createdAt: Date;
  source: string;
  /** The region whose EC2 prefixes contain the address, or undefined. */
  regionOf(ip: string): string | undefined;
  prefixCount: number;
}

/** `2026-08-22-15-17-05` → Date (UTC). */
export function parseCreateDate(value: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) throw new Error(`unexpected createDate "${value}" (expected YYYY-MM-DD-hh-mm-ss)`);
  const [, y, mo, d, h, mi, s] = match;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

export function rangesFromFile(data: AwsRangesFile): AwsRanges {
  const lists = new Map<string, BlockList>();
  let prefixCount = 0;
  for (const [region, prefixes] of Object.entries(data.regions)) {
    const list = new BlockList();
    for (const prefix of prefixes) {
      const [network, bits] = prefix.split('/');
      if (!network || bits === undefined) continue;
      list.addSubnet(network, Number(bits), isIPv6(network) ? 'ipv6' : 'ipv4');
      prefixCount += 1;
    }
    lists.set(region, list);
  }
  return {
    createdAt: parseCreateDate(data.createDate),
    source: data.source,
    prefixCount,
    regionOf(ip: string) {
      const family = isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined;
      if (!family) return undefined;
      // GLOBAL prefixes (edge services) say nothing about residency; prefer a real region.
      let global: string | undefined;
      for (const [region, list] of lists) {
        if (list.check(ip, family)) {
          if (region !== 'GLOBAL') return region;
          global = region;
        }
      }
      return global;
    },
  };
}

const cache = new Map<string, AwsRanges>();

/** Reads a range file the refresh script wrote. Throws when it is missing or not such a file. */
export function loadAwsRanges(path: string = AWS_RANGES_FILE): AwsRanges {
  // Keyed by modification time too: a refresh during a long-lived process is picked up.
  const key = `${path}@${statSync(path).mtimeMs}`;
  const known = cache.get(key);
  if (known) return known;
  const data = JSON.parse(readFileSync(path, 'utf8')) as AwsRangesFile;
  if (!data || data.service !== 'EC2' || typeof data.regions !== 'object' || typeof data.createDate !== 'string') {
    throw new Error(`${path} is not a range file written by ${AWS_RANGES_REFRESH_COMMAND}`);
  }
  const ranges = rangesFromFile(data);
  cache.set(key, ranges);
  return ranges;
}

/** The range file, or undefined when there is none yet (a fresh clone). */
export function loadAwsRangesIfPresent(path: string = AWS_RANGES_FILE): AwsRanges | undefined {
  return existsSync(path) ? loadAwsRanges(path) : undefined;
}

/** Raw ip-ranges.json (as AWS publishes it) → the compact file verify reads. */
export interface PublishedRanges {
  syncToken: string;
  createDate: string;
  prefixes: { ip_prefix: string; region: string; service: string }[];
  ipv6_prefixes: { ipv6_prefix: string; region: string; service: string }[];
}

export function compactRanges(published: PublishedRanges, source: string, writtenAt: Date): AwsRangesFile {
  if (!published || !Array.isArray(published.prefixes) || !Array.isArray(published.ipv6_prefixes) || !published.createDate) {
    throw new Error('not an AWS ip-ranges.json document (expected syncToken, createDate, prefixes, ipv6_prefixes)');
  }
  parseCreateDate(published.createDate);
  const regions: Record<string, string[]> = {};
  const add = (region: string, prefix: string) => {
    (regions[region] ??= []).push(prefix);
  };
  for (const p of published.prefixes) if (p.service === 'EC2') add(p.region, p.ip_prefix);
  for (const p of published.ipv6_prefixes) if (p.service === 'EC2') add(p.region, p.ipv6_prefix);
  const sorted: Record<string, string[]> = {};
  for (const region of Object.keys(regions).sort()) sorted[region] = [...new Set(regions[region])].sort();
  if (Object.keys(sorted).length === 0) throw new Error('the document lists no EC2 prefixes');
  return {
    source,
    createDate: published.createDate,
    syncToken: String(published.syncToken),
    writtenAt: writtenAt.toISOString(),
    service: 'EC2',
    regions: sorted,
  };
}
