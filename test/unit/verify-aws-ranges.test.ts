// Where verify places a deployment's addresses: the refresh script's reduction of ip-ranges.json
// (run on a small document made here, mapping documentation prefixes to regions), AWS's EC2 reverse
// DNS names, and the region check built on both, asked through a DNS server on loopback. Nothing
// here reads a range file shipped with the project: there is none.
import { execFile } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { RANGES_STALE_AFTER_DAYS, compactRanges, loadAwsRanges, parseCreateDate, rangesFromFile, type AwsRangesFile } from '../../scripts/verify/aws-ranges.ts';
import { DNS_CHECKS } from '../../scripts/verify/checks/dns.ts';
import { VerifyContext } from '../../scripts/verify/context.ts';
import { regionFromEc2Name } from '../../scripts/verify/ec2-names.ts';
import { parseTarget } from '../../scripts/verify/target.ts';
import type { CheckOutcome } from '../../scripts/verify/types.ts';
import { startLoopbackDns, type LoopbackDns } from '../helpers/dns-server.ts';
import { makeSpec } from '../helpers/spec.ts';
import { tempDir } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);

/** An ip-ranges.json document as AWS shapes it, over the documentation prefixes. */
const PUBLISHED = {
  syncToken: '1700000000',
  createDate: '2026-01-02-03-04-05',
  prefixes: [
    { ip_prefix: '192.0.2.0/24', region: 'eu-central-1', service: 'AMAZON', network_border_group: 'eu-central-1' },
    { ip_prefix: '192.0.2.0/24', region: 'eu-central-1', service: 'EC2', network_border_group: 'eu-central-1' },
    { ip_prefix: '198.51.100.0/25', region: 'us-east-1', service: 'EC2', network_border_group: 'us-east-1' },
    { ip_prefix: '198.51.100.128/25', region: 'eu-west-2', service: 'EC2', network_border_group: 'eu-west-2' },
    { ip_prefix: '203.0.113.0/25', region: 'us-east-2', service: 'S3', network_border_group: 'us-east-2' },
    { ip_prefix: '203.0.113.128/26', region: 'GLOBAL', service: 'EC2', network_border_group: 'GLOBAL' },
  ],
  ipv6_prefixes: [{ ipv6_prefix: '2001:db8:e0::/48', region: 'eu-central-1', service: 'EC2', network_border_group: 'eu-central-1' }],
};
const PUBLISHED_AT = parseCreateDate(PUBLISHED.createDate).getTime();
const DAY_MS = 86_400_000;

// Documentation addresses, each standing for one situation.
const IN_FRANKFURT_RANGE = '192.0.2.10';
const IN_VIRGINIA_RANGE = '198.51.100.20';
const IN_LONDON_RANGE = '198.51.100.200';
const IN_S3_ONLY = '203.0.113.5';
const IN_GLOBAL_RANGE = '203.0.113.130';
const IN_NO_RANGE = '203.0.113.250';

describe('compactRanges', () => {
  it('keeps only EC2 prefixes, per region, with AWS publication date', () => {
    const compact = compactRanges(PUBLISHED, 'test', new Date('2026-01-03T00:00:00Z'));
    expect(compact.regions).toEqual({
      GLOBAL: ['203.0.113.128/26'],
      'eu-central-1': ['192.0.2.0/24', '2001:db8:e0::/48'],
      'eu-west-2': ['198.51.100.128/25'],
      'us-east-1': ['198.51.100.0/25'],
    });
    expect(compact.createDate).toBe('2026-01-02-03-04-05');
    const ranges = rangesFromFile(compact);
    expect(ranges.regionOf(IN_FRANKFURT_RANGE)).toBe('eu-central-1');
    expect(ranges.regionOf('2001:db8:e0:1::5')).toBe('eu-central-1');
    expect(ranges.regionOf(IN_VIRGINIA_RANGE)).toBe('us-east-1');
    expect(ranges.regionOf(IN_LONDON_RANGE)).toBe('eu-west-2');
    expect(ranges.regionOf(IN_S3_ONLY)).toBeUndefined(); // S3, not EC2
    expect(ranges.regionOf(IN_GLOBAL_RANGE)).toBe('GLOBAL');
    expect(ranges.createdAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('refuses documents that are not ip-ranges.json', () => {
    expect(() => compactRanges({} as never, 't', new Date())).toThrow(/not an AWS ip-ranges.json/);
    expect(() => compactRanges({ ...PUBLISHED, createDate: 'yesterday' }, 't', new Date())).toThrow(/createDate/);
    expect(() => parseCreateDate('2026-01-02')).toThrow();
  });
});

describe('regionFromEc2Name', () => {
  it('reads the region from AWS public DNS names, us-east-1 included', () => {
    expect(regionFromEc2Name('ec2-192-0-2-10.eu-central-1.compute.amazonaws.com', '192.0.2.10')).toBe('eu-central-1');
    expect(regionFromEc2Name('EC2-192-0-2-10.EU-WEST-3.compute.amazonaws.com.', '192.0.2.10')).toBe('eu-west-3');
    expect(regionFromEc2Name('ec2-192-0-2-10.compute-1.amazonaws.com', '192.0.2.10')).toBe('us-east-1');
  });

  it('ignores a name for another address, a custom name and look-alikes', () => {
    expect(regionFromEc2Name('ec2-192-0-2-11.eu-central-1.compute.amazonaws.com', '192.0.2.10')).toBeUndefined();
    expect(regionFromEc2Name('meet.example.org', '192.0.2.10')).toBeUndefined();
    expect(regionFromEc2Name('ec2-192-0-2-10.eu-central-1.compute.amazonaws.com.example.net', '192.0.2.10')).toBeUndefined();
    expect(regionFromEc2Name('ec2-192-0-2-10.eu-central-1.compute.internal', '192.0.2.10')).toBeUndefined();
    expect(regionFromEc2Name('ec2-192-0-2-10.eu-central-1.compute.amazonaws.com', '2001:db8::1')).toBeUndefined();
  });
});

const dir = tempDir('jitsi-eu-ranges-');
let rangesFile: string;

function refresh(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return execFileAsync('npx', ['tsx', 'scripts/refresh-aws-ip-ranges.ts', ...args], { encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

beforeAll(async () => {
  const input = join(dir.path, 'ip-ranges.json');
  writeFileSync(input, JSON.stringify(PUBLISHED));
  rangesFile = join(dir.path, 'fresh', 'ranges.json');
  const written = await refresh(['--from', input, '--out', rangesFile, '--json']);
  if (written.code !== 0) throw new Error(`refresh failed: ${written.stderr}`);
}, 60_000);

afterAll(() => dir.remove());

describe('the refresh script', () => {
  it('writes the dated compact file from a copy of ip-ranges.json (--from), creating its folder', () => {
    const written = JSON.parse(readFileSync(rangesFile, 'utf8')) as AwsRangesFile;
    expect(written.service).toBe('EC2');
    expect(written.createDate).toBe(PUBLISHED.createDate);
    expect(written.source).toContain('ip-ranges.amazonaws.com');
    expect(written.regions['us-east-1']).toEqual(['198.51.100.0/25']);
    expect(loadAwsRanges(rangesFile).regionOf(IN_FRANKFURT_RANGE)).toBe('eu-central-1');
  });

  it('summarises what it wrote with --json', async () => {
    const output = join(dir.path, 'again.json');
    const { code, stdout } = await refresh(['--from', join(dir.path, 'ip-ranges.json'), '--out', output, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ file: output, createDate: '2026-01-02-03-04-05', regions: 4, prefixes: 5 });
  });

  it('exits 2 with the file named when the input is not ip-ranges.json', async () => {
    const input = join(dir.path, 'bad.json');
    writeFileSync(input, '{"hello": 1}');
    const { code, stderr } = await refresh(['--from', input, '--out', join(dir.path, 'x.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain('bad.json');
    expect(stderr).toContain('not an AWS ip-ranges.json');
  });

  it('--help names the git-ignored default file and the --from route', async () => {
    const { code, stdout } = await refresh(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('.jitsi-eu/aws-ec2-ip-ranges.json');
    expect(stdout).toContain('--from FILE');
    const ignored = readFileSync(join(process.cwd(), '.gitignore'), 'utf8');
    expect(ignored).toMatch(/^\/\.jitsi-eu\/aws-ec2-ip-ranges\.json$/m);
  });

  it('a changed file is read again in the same process', () => {
    const changed = join(dir.path, 'changed.json');
    writeFileSync(changed, readFileSync(rangesFile));
    expect(loadAwsRanges(changed).regionOf(IN_VIRGINIA_RANGE)).toBe('us-east-1');
    const data = JSON.parse(readFileSync(changed, 'utf8')) as AwsRangesFile;
    data.regions = { 'eu-west-1': ['198.51.100.0/25'] };
    writeFileSync(changed, JSON.stringify(data));
    utimesSync(changed, new Date(), new Date(Date.now() + 5000));
    expect(loadAwsRanges(changed).regionOf(IN_VIRGINIA_RANGE)).toBe('eu-west-1');
  });
});

describe('dns-aws-eu-region', () => {
  const check = DNS_CHECKS.find((c) => c.id === 'dns-aws-eu-region')!;
  let dns: LoopbackDns;
  let silentDns: LoopbackDns;

  beforeAll(async () => {
    dns = await startLoopbackDns({
      ptr: {
        // AWS's default names: Frankfurt, North Virginia (compute-1) and London.
        '192.0.2.10': ['ec2-192-0-2-10.eu-central-1.compute.amazonaws.com'],
        '192.0.2.20': ['ec2-192-0-2-20.compute-1.amazonaws.com'],
        '192.0.2.30': ['ec2-192-0-2-30.eu-west-2.compute.amazonaws.com'],
        // The range file says us-east-1, the name says Frankfurt.
        [IN_VIRGINIA_RANGE]: [`ec2-${IN_VIRGINIA_RANGE.replaceAll('.', '-')}.eu-central-1.compute.amazonaws.com`],
        // The range file says London, the name says Frankfurt: two allowed regions with the opt-in.
        [IN_LONDON_RANGE]: [`ec2-${IN_LONDON_RANGE.replaceAll('.', '-')}.eu-central-1.compute.amazonaws.com`],
        // A custom PTR, and an EC2 name that belongs to another address.
        '192.0.2.40': ['meet.example.org'],
        '192.0.2.50': ['ec2-192-0-2-51.eu-central-1.compute.amazonaws.com'],
      },
    });
    silentDns = await startLoopbackDns({ silent: true });
  });

  afterAll(async () => {
    await dns?.stop();
    await silentDns?.stop();
  });

  interface Judge {
    spec?: DeploymentSpec;
    fromStack?: boolean;
    /** The range file: none (a fresh clone), or the one written above, read soon after AWS published it or long after. */
    ranges?: 'none' | 'fresh' | 'stale';
    ageDays?: number;
    silent?: boolean;
  }

  async function judge(ips: string[], how: Judge = {}): Promise<CheckOutcome> {
    const spec = how.spec ?? makeSpec({ region: 'eu-central-1' });
    const ranges = how.ranges ?? 'none';
    const file = ranges === 'none' ? join(dir.path, 'not-downloaded.json') : rangesFile;
    const ageDays = how.ageDays ?? (ranges === 'stale' ? RANGES_STALE_AFTER_DAYS + 5 : 10);
    const ctx = new VerifyContext({
      target: parseTarget(`https://${spec.domain}`, [`${spec.domain}:${ips[0]}`]),
      spec,
      profile: privacyProfile(spec),
      fromStack: how.fromStack ?? true,
      expectationSource: 'test',
      extraCa: [],
      resolved: { addresses: ips, via: '--resolve' },
      signal: new AbortController().signal,
      probeTimeoutMs: 1000,
      deadline: Date.now() + 5000,
      now: new Date(PUBLISHED_AT + ageDays * DAY_MS),
      options: { dnsServers: [(how.silent ? silentDns : dns).server], awsRangesFile: file },
    });
    return check.run(ctx);
  }

  describe('on a fresh clone (no range file): reverse DNS alone', () => {
    it('passes an Elastic IP whose AWS name is in the stack region', async () => {
      const outcome = await judge(['192.0.2.10']);
      expect(outcome).toEqual({ status: 'PASS', detail: '192.0.2.10 in eu-central-1 (reverse DNS)' });
      expect(dns.queries).toContain('PTR 10.2.0.192.in-addr.arpa');
    });

    it('fails us-east-1 (compute-1.amazonaws.com) and London without the opt-in', async () => {
      const virginia = await judge(['192.0.2.20'], { fromStack: false });
      expect(virginia.status).toBe('FAIL');
      expect(virginia.detail).toContain('192.0.2.20 is in us-east-1 by reverse DNS, outside the EU');
      const london = await judge(['192.0.2.30'], { fromStack: false });
      expect(london.status).toBe('FAIL');
      expect(london.detail).toContain('needs jitsi-eu:allowNonEuRegion');
    });

    it('accepts London with the opt-in when the stack is there', async () => {
      const spec = makeSpec({ region: 'eu-west-2', residency: 'adequacy', allowNonEuRegion: true });
      expect(await judge(['192.0.2.30'], { spec })).toMatchObject({ status: 'PASS' });
    });

    it('fails an allowed region that is not the stack region', async () => {
      const outcome = await judge(['192.0.2.10'], { spec: makeSpec({ region: 'eu-west-1' }) });
      expect(outcome.status).toBe('FAIL');
      expect(outcome.detail).toContain('the stack says eu-west-1');
    });

    it.each([
      ['a custom reverse DNS name', '192.0.2.40', 'reverse DNS meet.example.org is not an EC2 name for it'],
      ["another address's EC2 name", '192.0.2.50', 'reverse DNS ec2-192-0-2-51.eu-central-1.compute.amazonaws.com is not an EC2 name for it'],
      ['no reverse DNS name', '192.0.2.60', 'no reverse DNS name'],
    ])('warns with the refresh command for %s', async (_what, ip, reason) => {
      const outcome = await judge([ip]);
      expect(outcome.status).toBe('WARN');
      expect(outcome.detail).toContain(`${ip} cannot be placed: ${reason}`);
      expect(outcome.detail).toContain('no AWS range data');
      expect(outcome.detail).toContain('npx tsx scripts/refresh-aws-ip-ranges.ts');
    });

    it('warns, within its deadline, when the DNS server does not answer', async () => {
      const started = Date.now();
      const outcome = await judge(['192.0.2.10'], { silent: true });
      expect(Date.now() - started).toBeLessThan(2500);
      expect(outcome.status).toBe('WARN');
      expect(outcome.detail).toContain('reverse DNS failed');
      expect(outcome.detail).toContain('refresh-aws-ip-ranges');
    });
  });

  describe('with the range file the refresh script wrote', () => {
    it('passes an address without an EC2 name that the ranges place in the stack region', async () => {
      expect(await judge(['192.0.2.99'], { ranges: 'fresh' })).toEqual({
        status: 'PASS',
        detail: '192.0.2.99 in eu-central-1 (AWS ranges of 2026-01-02)',
      });
    });

    it('names both sources when they agree', async () => {
      expect((await judge(['192.0.2.10'], { ranges: 'fresh' })).detail).toBe('192.0.2.10 in eu-central-1 (reverse DNS, AWS ranges of 2026-01-02)');
    });

    it('fails when either source places the address outside the allowed regions', async () => {
      const outcome = await judge([IN_VIRGINIA_RANGE], { ranges: 'fresh' });
      expect(outcome.status).toBe('FAIL');
      expect(outcome.detail).toContain(`${IN_VIRGINIA_RANGE} is in us-east-1 by AWS ranges of 2026-01-02, outside the EU`);
      expect(outcome.detail).not.toContain('eu-central-1 by');
    });

    it('fails an address in no EC2 range (S3 only, or nowhere) and one in the GLOBAL edge ranges', async () => {
      for (const ip of [IN_S3_ONLY, IN_NO_RANGE]) {
        const outcome = await judge([ip], { ranges: 'fresh' });
        expect(outcome.status).toBe('FAIL');
        expect(outcome.detail).toContain(`${ip} is in no AWS EC2 range (AWS ranges of 2026-01-02) and no reverse DNS name`);
        expect(outcome.detail).not.toContain('refresh-aws-ip-ranges');
      }
      expect((await judge([IN_GLOBAL_RANGE], { ranges: 'fresh' })).detail).toContain("in AWS's GLOBAL edge ranges");
    });

    it('warns when the two sources name different allowed regions', async () => {
      const spec = makeSpec({ region: 'eu-central-1', allowNonEuRegion: true });
      const outcome = await judge([IN_LONDON_RANGE], { ranges: 'fresh', fromStack: false, spec });
      expect(outcome.status).toBe('WARN');
      expect(outcome.detail).toBe(`${IN_LONDON_RANGE}: the evidence disagrees (reverse DNS: eu-central-1; AWS ranges of 2026-01-02: eu-west-2)`);
    });

    it('judges every address: one bad address fails the check', async () => {
      const outcome = await judge(['192.0.2.10', IN_LONDON_RANGE], { ranges: 'fresh', fromStack: false });
      expect(outcome.status).toBe('FAIL');
      expect(outcome.detail).toContain(`${IN_LONDON_RANGE} is in eu-west-2`);
    });

    it(`warns instead of passing once the data is older than ${RANGES_STALE_AFTER_DAYS} days`, async () => {
      const outcome = await judge(['192.0.2.10'], { ranges: 'stale' });
      expect(outcome.status).toBe('WARN');
      expect(outcome.detail).toContain('192.0.2.10 in eu-central-1');
      expect(outcome.detail).toContain(`are ${RANGES_STALE_AFTER_DAYS + 5} days old`);
      expect(outcome.detail).toContain('refresh them with npx tsx scripts/refresh-aws-ip-ranges.ts');
    });

    it('does not fail an address outside stale ranges: it may be in a newer prefix', async () => {
      const outcome = await judge([IN_NO_RANGE], { ranges: 'stale' });
      expect(outcome.status).toBe('WARN');
      expect(outcome.detail).toContain('cannot be placed');
    });
  });

  it('warns for a loopback or private address, whose region cannot be told, without asking DNS', async () => {
    const asked = dns.queries.length;
    const outcome = await judge(['127.0.0.1'], { ranges: 'fresh' });
    expect(outcome).toEqual({ status: 'WARN', detail: '127.0.0.1 is not a public address, so its region cannot be told from outside' });
    expect(dns.queries.length).toBe(asked);
  });
});
