// Where the deployment is: its name resolves, its addresses belong to AWS EC2 in an allowed
// region, and its CAA record names only the CA jitsi-eu uses.
import { isAllowedRegion, regionInfo } from '../../../infra/spec/index.ts';
import { AWS_RANGES_REFRESH_COMMAND, RANGES_STALE_AFTER_DAYS } from '../aws-ranges.ts';
import { resolveCaaClimbing } from '../net/dns.ts';
import { placementFor, type AddressPlacement, type Placement } from '../placement.ts';
import type { VerifyContext } from '../context.ts';
import { type CheckDefinition, fail, list, pass, reason, skip, warn } from './define.ts';

export { isNonPublicAddress } from '../placement.ts';

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

interface AddressVerdict {
  failures: string[];
  warnings: string[];
  found?: string;
}

/** What the reverse lookup showed, for an address it could not place. */
function ptrSummary(placed: AddressPlacement): string {
  if (placed.ptrError) return `reverse DNS failed (${placed.ptrError})`;
  if (placed.ptrNames.length === 0) return 'no reverse DNS name';
  return `reverse DNS ${placed.ptrNames.join(', ')} is not an EC2 name for it`;
}

function judgeAddress(placed: AddressPlacement, placement: Placement, ctx: VerifyContext): AddressVerdict {
  const { ip } = placed;
  if (placed.nonPublic) return { failures: [], warnings: [`${ip} is not a public address, so its region cannot be told from outside`] };
  const ranges = placement.rangeData;
  // Region → the sources that place the address there.
  const evidence = new Map<string, string[]>();
  if (placed.ptrRegion) evidence.set(placed.ptrRegion, ['reverse DNS']);
  if (placed.rangeRegion && ranges) evidence.set(placed.rangeRegion, [...(evidence.get(placed.rangeRegion) ?? []), `AWS ranges of ${ranges.date}`]);
  if (evidence.size === 0) {
    // Fresh ranges that do not hold the address say it is not on EC2 at all.
    if (ranges && !ranges.stale) return { failures: [`${ip} is in no AWS EC2 range (AWS ranges of ${ranges.date}) and ${ptrSummary(placed)}`], warnings: [] };
    return { failures: [], warnings: [`${ip} cannot be placed: ${ptrSummary(placed)}${ranges ? ` and it is in no EC2 range of the ${ranges.ageDays}-day-old AWS data` : ''}`] };
  }
  const failures: string[] = [];
  for (const [region, sources] of evidence) {
    const by = `by ${sources.join(' and ')}`;
    if (region === 'GLOBAL') {
      // Edge prefixes (Global Accelerator and the like) belong to no region: residency cannot be shown.
      failures.push(`${ip} is in AWS's GLOBAL edge ranges ${by}, which belong to no region`);
    } else if (!isAllowedRegion(region, ctx.spec.allowNonEuRegion)) {
      const info = regionInfo(region);
      failures.push(`${ip} is in ${region} ${by}${info ? ` (${info.location}, needs jitsi-eu:allowNonEuRegion)` : ', outside the EU'}`);
    } else if (ctx.fromStack && region !== ctx.spec.region) {
      failures.push(`${ip} is in ${region} ${by}, the stack says ${ctx.spec.region}`);
    }
  }
  if (failures.length > 0) return { failures, warnings: [] };
  if (evidence.size > 1) {
    const views = [...evidence].map(([region, sources]) => `${sources.join(' and ')}: ${region}`);
    return { failures: [], warnings: [`${ip}: the evidence disagrees (${views.join('; ')})`] };
  }
  const [[region, sources]] = [...evidence];
  return { failures: [], warnings: [], found: `${ip} in ${region} (${sources.join(', ')})` };
}

/** How to get usable range data, when the range data is missing or old. */
function rangeHint(placement: Placement): string | undefined {
  const ranges = placement.rangeData;
  if (ranges?.stale) return `the AWS ranges of ${ranges.date} are ${ranges.ageDays} days old (over ${RANGES_STALE_AFTER_DAYS}): refresh them with ${AWS_RANGES_REFRESH_COMMAND}`;
  if (!ranges) return `${placement.rangeProblem ?? 'no AWS range data'}: download it with ${AWS_RANGES_REFRESH_COMMAND}`;
  return undefined;
}

const dnsRegion: CheckDefinition = {
  id: 'dns-aws-eu-region',
  title: 'Addresses are AWS EC2 in an allowed EU region',
  area: 'dns',
  mode: 'external',
  description:
    "Every public address is placed in an AWS region by its reverse DNS name (AWS's EC2 names, ec2-a-b-c-d.REGION.compute.amazonaws.com) " +
    `and by AWS's published EC2 ranges when downloaded (${AWS_RANGES_REFRESH_COMMAND}); the region must be allowed (the stack's region with --stack). ` +
    `FAIL when either places it elsewhere, or fresh ranges put it outside EC2; WARN when neither can place it or the range data is older than ${RANGES_STALE_AFTER_DAYS} days.`,
  async run(ctx) {
    const placement = await placementFor(ctx);
    const failures: string[] = [];
    const warnings: string[] = [];
    const found: string[] = [];
    for (const placed of placement.addresses) {
      const verdict = judgeAddress(placed, placement, ctx);
      failures.push(...verdict.failures);
      warnings.push(...verdict.warnings);
      if (verdict.found) found.push(verdict.found);
    }
    const unplaced = placement.addresses.some((p) => !p.nonPublic && !p.ptrRegion && !p.rangeRegion);
    const stale = placement.rangeData?.stale ?? false;
    const hint = stale || unplaced ? rangeHint(placement) : undefined;
    const withHint = (text: string) => (hint ? `${text}; ${hint}` : text);
    if (failures.length > 0) return fail(withHint(list([...failures, ...warnings])));
    if (warnings.length > 0) return warn(withHint(list([...warnings, ...found])));
    if (stale) return warn(withHint(list(found)));
    return pass(list(found));
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
