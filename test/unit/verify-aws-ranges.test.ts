// The AWS range data: the refresh script's reduction of ip-ranges.json, the shipped dated file, and
// the region check built on it (EU region, opt-in region, outside AWS, stale data).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { AWS_RANGES_FILE, RANGES_STALE_AFTER_DAYS, compactRanges, loadAwsRanges, parseCreateDate, rangesFromFile, type AwsRangesFile } from '../../scripts/verify/aws-ranges.ts';
import { DNS_CHECKS } from '../../scripts/verify/checks/dns.ts';
import { VerifyContext } from '../../scripts/verify/context.ts';
import { parseTarget } from '../../scripts/verify/target.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec } from '../helpers/spec.ts';
import { tempDir } from '../helpers/tools.ts';

const PUBLISHED = {
  syncToken: '1700000000',
  createDate: '2026-01-02-03-04-05',
  prefixes: [
    { ip_prefix: '3.120.0.0/14', region: 'eu-central-1', service: 'AMAZON', network_border_group: 'eu-central-1' },
    { ip_prefix: '3.120.0.0/14', region: 'eu-central-1', service: 'EC2', network_border_group: 'eu-central-1' },
    { ip_prefix: '54.80.0.0/13', region: 'us-east-1', service: 'EC2', network_border_group: 'us-east-1' },
    { ip_prefix: '52.95.0.0/20', region: 'us-east-2', service: 'S3', network_border_group: 'us-east-2' },
  ],
  ipv6_prefixes: [{ ipv6_prefix: '2a05:d014::/35', region: 'eu-central-1', service: 'EC2', network_border_group: 'eu-central-1' }],
};

describe('compactRanges', () => {
  it('keeps only EC2 prefixes, per region, with AWS publication date', () => {
    const compact = compactRanges(PUBLISHED, 'test', new Date('2026-01-03T00:00:00Z'));
    expect(compact.regions).toEqual({ 'eu-central-1': ['2a05:d014::/35', '3.120.0.0/14'], 'us-east-1': ['54.80.0.0/13'] });
    expect(compact.createDate).toBe('2026-01-02-03-04-05');
    const ranges = rangesFromFile(compact);
    expect(ranges.regionOf('3.121.1.1')).toBe('eu-central-1');
    expect(ranges.regionOf('2a05:d014:1::5')).toBe('eu-central-1');
    expect(ranges.regionOf('54.81.0.1')).toBe('us-east-1');
    expect(ranges.regionOf('52.95.0.1')).toBeUndefined(); // S3, not EC2
    expect(ranges.createdAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('refuses documents that are not ip-ranges.json', () => {
    expect(() => compactRanges({} as never, 't', new Date())).toThrow(/not an AWS ip-ranges.json/);
    expect(() => compactRanges({ ...PUBLISHED, createDate: 'yesterday' }, 't', new Date())).toThrow(/createDate/);
    expect(() => parseCreateDate('2026-01-02')).toThrow();
  });
});

describe('the shipped range file', () => {
  it('is dated and maps well-known EC2 addresses to their regions', () => {
    const data = JSON.parse(readFileSync(AWS_RANGES_FILE, 'utf8')) as AwsRangesFile;
    expect(data.service).toBe('EC2');
    expect(data.source).toContain('ip-ranges.amazonaws.com');
    const ranges = loadAwsRanges();
    expect(ranges.prefixCount).toBeGreaterThan(1000);
    expect(ranges.regionOf('52.28.0.1')).toBe('eu-central-1');
    expect(ranges.regionOf('3.8.0.1')).toBe('eu-west-2');
    expect(ranges.regionOf('54.80.0.1')).toBe('us-east-1');
    expect(ranges.regionOf('192.0.2.1')).toBeUndefined();
  });
});

describe('the refresh script', () => {
  const dir = tempDir('jitsi-eu-ranges-');
  afterAll(() => dir.remove());

  it('writes the compact file from a copy of ip-ranges.json (--from)', () => {
    const input = join(dir.path, 'ip-ranges.json');
    const output = join(dir.path, 'out.json');
    writeFileSync(input, JSON.stringify(PUBLISHED));
    const stdout = execFileSync('npx', ['tsx', 'scripts/refresh-aws-ip-ranges.ts', '--from', input, '--out', output, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(stdout)).toMatchObject({ file: output, createDate: '2026-01-02-03-04-05', regions: 2, prefixes: 3 });
    const written = JSON.parse(readFileSync(output, 'utf8')) as AwsRangesFile;
    expect(written.regions['us-east-1']).toEqual(['54.80.0.0/13']);
  });

  it('exits 2 with the file named when the input is not ip-ranges.json', () => {
    const input = join(dir.path, 'bad.json');
    writeFileSync(input, '{"hello": 1}');
    let status = 0;
    let stderr = '';
    try {
      execFileSync('npx', ['tsx', 'scripts/refresh-aws-ip-ranges.ts', '--from', input, '--out', join(dir.path, 'x.json')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = (error as { stderr: string }).stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toContain('bad.json');
    expect(stderr).toContain('not an AWS ip-ranges.json');
  });
});

describe('dns-aws-eu-region', () => {
  const check = DNS_CHECKS.find((c) => c.id === 'dns-aws-eu-region')!;
  const createdAt = loadAwsRanges().createdAt.getTime();
  const day = 86_400_000;

  async function judge(ip: string, spec: DeploymentSpec, fromStack: boolean, ageDays: number) {
    const ctx = new VerifyContext({
      target: parseTarget(`https://${spec.domain}`, [`${spec.domain}:${ip}`]),
      spec,
      profile: privacyProfile(spec),
      fromStack,
      expectationSource: 'test',
      extraCa: [],
      resolved: { addresses: [ip], via: '--resolve' },
      signal: new AbortController().signal,
      probeTimeoutMs: 1000,
      deadline: Date.now() + 5000,
      now: new Date(createdAt + ageDays * day),
      options: {},
    });
    return check.run(ctx);
  }

  it('passes an address in the stack region with fresh data', async () => {
    const outcome = await judge('52.28.0.1', makeSpec({ region: 'eu-central-1' }), true, 10);
    expect(outcome.status).toBe('PASS');
    expect(outcome.detail).toContain('eu-central-1');
  });

  it('fails another region than the stack says, a non-EU region, and an address outside AWS', async () => {
    expect((await judge('52.28.0.1', makeSpec({ region: 'eu-west-1' }), true, 10)).detail).toContain('the stack says eu-west-1');
    expect((await judge('54.80.0.1', makeSpec(), false, 10)).status).toBe('FAIL');
    const outside = await judge('8.8.8.8', makeSpec(), false, 10);
    expect(outside.status).toBe('FAIL');
    expect(outside.detail).toContain('in no AWS EC2 range');
  });

  it('fails London without the opt-in and accepts it with the opt-in', async () => {
    const refused = await judge('3.8.0.1', makeSpec({ region: 'eu-central-1' }), false, 10);
    expect(refused.status).toBe('FAIL');
    expect(refused.detail).toContain('allowNonEuRegion');
    const allowed = await judge('3.8.0.1', makeSpec({ region: 'eu-west-2', residency: 'adequacy', allowNonEuRegion: true }), true, 10);
    expect(allowed.status).toBe('PASS');
  });

  it(`warns instead of passing once the data is older than ${RANGES_STALE_AFTER_DAYS} days`, async () => {
    const outcome = await judge('52.28.0.1', makeSpec(), true, RANGES_STALE_AFTER_DAYS + 5);
    expect(outcome.status).toBe('WARN');
    expect(outcome.detail).toContain('refresh-aws-ip-ranges');
  });

  it('warns for a loopback or private address, whose region cannot be told', async () => {
    const outcome = await judge('127.0.0.1', makeSpec(), true, 10);
    expect(outcome.status).toBe('WARN');
    expect(outcome.detail).toContain('not a public address');
  });
});
