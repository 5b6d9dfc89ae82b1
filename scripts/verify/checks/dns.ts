// Where the deployment is: its name resolves, its addresses belong to AWS EC2 in an allowed
// region, and its CAA record names only the CA jitsi-eu uses.
import { isIP } from 'node:net';
import { isAllowedRegion, regionInfo } from '../../../infra/spec/index.ts';
import { RANGES_STALE_AFTER_DAYS, loadAwsRanges } from '../aws-ranges.ts';
import { resolveCaaClimbing } from '../net/dns.ts';
import { type CheckDefinition, fail, list, pass, reason, skip, warn } from './define.ts';

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

const dnsResolves: CheckDefinition = {
  id: 'dns-resolves',
  title: 'Domain resolves',
  area: 'dns',
  mode: 'external',
  description: 'The domain has A/AAAA records (or --resolve names the address to use).',
  async run(ctx) {
    const { addresses, via } = ctx.resolved;
    if (ctx.target.resolvedBy) return pass(`${addresses.join(', ')} from --resolve (DNS not consulted)`);
    return pass(`${addresses.join(', ')} (${via})`);
  },
};

const dnsRegion: CheckDefinition = {
  id: 'dns-aws-eu-region',
  title: 'Addresses are AWS EC2 in an allowed EU region',
  area: 'dns',
  mode: 'external',
  description:
    "Every address lies in AWS's published EC2 ranges for an allowed region (the stack's region with --stack). " +
    'FAIL outside AWS or in another region; WARN when the range data is older than 90 days.',
  async run(ctx) {
    const ranges = loadAwsRanges();
    const ageDays = Math.floor((ctx.now.getTime() - ranges.createdAt.getTime()) / DAY_MS);
    const dated = `AWS ranges of ${ranges.createdAt.toISOString().slice(0, 10)}`;
    const stale = ageDays > RANGES_STALE_AFTER_DAYS;
    const refresh = `${dated} are ${ageDays} days old: refresh with npx tsx scripts/refresh-aws-ip-ranges.ts`;
    const failures: string[] = [];
    const warnings: string[] = [];
    const found: string[] = [];
    for (const ip of ctx.resolved.addresses) {
      if (isNonPublicAddress(ip)) {
        warnings.push(`${ip} is not a public address, so its region cannot be told from outside`);
        continue;
      }
      const region = ranges.regionOf(ip);
      if (!region) {
        (stale ? warnings : failures).push(`${ip} is in no AWS EC2 range`);
        continue;
      }
      const allowed = isAllowedRegion(region, ctx.spec.allowNonEuRegion);
      if (!allowed) {
        const info = regionInfo(region);
        failures.push(`${ip} is in ${region}${info ? ` (${info.location}, needs jitsi-eu:allowNonEuRegion)` : ', outside the EU'}`);
      } else if (ctx.fromStack && region !== ctx.spec.region) {
        failures.push(`${ip} is in ${region}, the stack says ${ctx.spec.region}`);
      } else {
        found.push(`${ip} in ${region}`);
      }
    }
    if (failures.length > 0) return fail(`${list([...failures, ...warnings])}${stale ? `; ${refresh}` : ''}`);
    if (warnings.length > 0) return warn(`${list([...warnings, ...found])}${stale ? `; ${refresh}` : ''}`);
    if (stale) return warn(`${list(found)}; ${refresh} (over ${RANGES_STALE_AFTER_DAYS})`);
    return pass(`${list(found)} (${dated})`);
  },
};

const dnsCaa: CheckDefinition = {
  id: 'dns-caa',
  title: "CAA record limits issuance to Let's Encrypt",
  area: 'dns',
  mode: 'external',
  description: "The domain's CAA records (or its parent's) allow only letsencrypt.org to issue. WARN when there is none.",
  async run(ctx) {
    if (ctx.target.resolvedBy) return skip('--resolve given: DNS records are not consulted');
    let found;
    try {
      found = await resolveCaaClimbing(ctx.host, ctx.probeTimeoutMs, ctx.options.dnsServers);
    } catch (error) {
      return warn(`CAA lookup failed: ${reason(error)}`);
    }
    if (!found) return warn(`no CAA record for ${ctx.host} or its parents: any CA may issue for it; add 0 issue "letsencrypt.org"`);
    const issuers = found.records
      .filter((r) => r.issue !== undefined || r.issuewild !== undefined)
      .map((r) => (r.issue ?? r.issuewild ?? '').split(';')[0]!.trim().toLowerCase());
    const others = issuers.filter((i) => i !== 'letsencrypt.org' && i !== '');
    if (!issuers.includes('letsencrypt.org')) return fail(`CAA at ${found.name} does not allow letsencrypt.org (allows: ${issuers.join(', ') || 'nobody'}): certificate renewal will fail`);
    if (others.length > 0) return warn(`CAA at ${found.name} also allows ${others.join(', ')}`);
    return pass(`CAA at ${found.name}: only letsencrypt.org`);
  },
};

export const DNS_CHECKS: CheckDefinition[] = [dnsResolves, dnsRegion, dnsCaa];
