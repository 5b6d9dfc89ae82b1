// `npm run plan` as a user runs it: a separate process, offline. Its JSON is checked against the
// resources recorded from the program in this process for the same stack file.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR, loadStackFile } from '../../infra/spec/index.ts';
import { STAGE_MBIT_PER_S, THUMBNAIL_MBIT_PER_S } from '../../infra/cost/bandwidth.ts';
import {
  EGRESS_TIERS_USD_PER_GB,
  FAMILY_FACTORS,
  FREE_EGRESS_GB_PER_MONTH,
  HOURS_PER_MONTH,
  PUBLIC_IPV4_USD_PER_HOUR,
  REGION_PRICES,
  USD_PER_EUR,
} from '../../infra/cost/prices.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { readStackConfig } from '../../scripts/plan/config.ts';
import { recordProgram } from '../../scripts/plan/record.ts';
import { POLICIES } from '../../infra/policy/policies.ts';
import { tempDir } from '../helpers/tools.ts';

const run = promisify(execFile);

async function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(PROJECT_DIR, 'scripts/plan.ts'), ...args], {
      cwd: PROJECT_DIR,
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const scratch = tempDir('jitsi-eu-plan-');
afterAll(() => scratch.remove());

interface PlanJson {
  stack: string;
  region: string;
  summary: { place: { region: string; country: string; label: string }; firewall: string[] };
  resources: { type: string; name: string; properties: Record<string, unknown> }[];
  policy: { policy: string; status: string; violations: unknown[] }[];
  cost: {
    currency: string;
    monthlyEur: number;
    hourlyEur: number;
    fixedMonthlyEur: number;
    fixedMonthlyEurAtMaxBridges?: number;
    assumedParticipantHoursPerMonth: number;
    egress: { meetingSize: number };
    lines: { item: string; monthlyEur: number }[];
  };
}

/** The egress assumptions `plan --help` documents as defaults. */
const DOCUMENTED_PARTICIPANT_HOURS = 1000;
const DOCUMENTED_MEETING_SIZE = 10;

/** The price table is per `.large`; sizes scale linearly: xlarge 2×, Nxlarge 2N×. */
function sizeMultiple(size: string): number {
  if (size === 'large') return 1;
  if (size === 'xlarge') return 2;
  const match = /^(\d+)xlarge$/.exec(size);
  if (!match) throw new Error(`no size multiple for ${size} in this test`);
  return 2 * Number(match[1]);
}

function instanceUsdPerHour(region: string, instanceType: string): number {
  const [family = '', size = ''] = instanceType.split('.');
  const relative = FAMILY_FACTORS[family];
  if (!relative) throw new Error(`${family} is not in the price table`);
  return REGION_PRICES[region]!.largeUsdPerHour[relative.base] * relative.factor * sizeMultiple(size);
}

/**
 * Monthly EUR of a stack, worked out here from the dated price table: instances, one public IPv4
 * address per host and gp3 root volumes all month, plus egress for the documented default use.
 */
function expectedCost(spec: DeploymentSpec, volumes: { signalingGib: number; bridgeGib: number }) {
  const eur = (usd: number) => usd / USD_PER_EUR;
  const fixedFor = (bridges: number) => {
    const compute = eur(instanceUsdPerHour(spec.region, spec.instanceType) * HOURS_PER_MONTH) +
      (spec.bridges ? eur(bridges * instanceUsdPerHour(spec.region, spec.bridges.instanceType) * HOURS_PER_MONTH) : 0);
    const publicIpv4 = eur((1 + bridges) * PUBLIC_IPV4_USD_PER_HOUR * HOURS_PER_MONTH);
    const ebs = eur((volumes.signalingGib + bridges * volumes.bridgeGib) * REGION_PRICES[spec.region]!.gp3UsdPerGbMonth);
    return { compute, publicIpv4, ebs, total: compute + publicIpv4 + ebs };
  };
  const atMin = fixedFor(spec.bridges?.min ?? 0);
  // Each participant gets the speaker and a thumbnail of everyone else but themselves and the speaker.
  const mbitPerParticipant = STAGE_MBIT_PER_S + (DOCUMENTED_MEETING_SIZE - 2) * THUMBNAIL_MBIT_PER_S;
  const gb = (DOCUMENTED_PARTICIPANT_HOURS * mbitPerParticipant * 1e6 * 3600) / 8 / 1e9;
  const firstTier = EGRESS_TIERS_USD_PER_GB[0]!;
  if (gb - FREE_EGRESS_GB_PER_MONTH > firstTier.upToGb) throw new Error('this test prices the first egress tier only');
  const egress = eur(Math.max(0, gb - FREE_EGRESS_GB_PER_MONTH) * firstTier.usd);
  return {
    compute: atMin.compute,
    publicIpv4: atMin.publicIpv4,
    ebs: atMin.ebs,
    egress,
    fixed: atMin.total,
    fixedAtMaxBridges: fixedFor(spec.bridges?.max ?? 0).total,
  };
}

describe.each(['example-sandbox', 'example-production', 'example-scalable'])('plan --json for %s', (stack) => {
  it('lists exactly the recorded resources, passes every policy, and estimates the cost in EUR', async () => {
    const file = join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
    const result = await plan(['--config', file, '--json']);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as PlanJson;
    expect(Object.keys(json).sort()).toEqual(['cost', 'policy', 'region', 'resources', 'stack', 'summary']);

    const loaded = loadStackFile(file);
    if (!loaded.ok) throw new Error('example stack invalid');
    expect(json.stack).toBe(stack);
    expect(json.region).toBe(loaded.spec.region);
    expect(json.summary.place).toEqual({ region: loaded.spec.region, country: loaded.spec.country, label: loaded.spec.regionLabel });
    // The firewall lines come from the security groups the program registered: the media port is open.
    expect(json.summary.firewall.some((line) => line.startsWith('udp 10000 from 0.0.0.0/0 (conference media'))).toBe(true);

    const recording = await recordProgram({ stack, config: readStackConfig(file) });
    const key = (r: { type: string; name: string }) => `${r.type} ${r.name}`;
    expect(json.resources.map(key).sort()).toEqual(recording.resources.map(key).sort());

    const planned = (type: string, name: string) => json.resources.find((r) => r.type === type && r.name === name)!.properties;
    const recorded = (type: string, name: string) => recording.resources.find((r) => r.type === type && r.name === name)!.inputs;
    expect(planned('pulumi:providers:aws', `aws-${loaded.spec.region}`).region).toBe(loaded.spec.region);
    const instance = planned('aws:ec2/instance:Instance', 'signaling-instance');
    expect(instance.instanceType).toBe(recorded('aws:ec2/instance:Instance', 'signaling-instance').instanceType);
    expect(String(instance.metadata)).toContain('IMDSv2 required');
    expect(String(instance.rootVolume)).toContain('encrypted');
    const ingress = planned('aws:ec2/securityGroup:SecurityGroup', 'signaling-sg').ingress as string[];
    expect(ingress).toHaveLength((recorded('aws:ec2/securityGroup:SecurityGroup', 'signaling-sg').ingress as unknown[]).length);
    expect(ingress.some((line) => line.startsWith('tcp 443 from 0.0.0.0/0'))).toBe(true);

    // Secrets are masked; nothing the mocks generated shows.
    for (const resource of json.resources.filter((r) => r.type === 'aws:ssm/parameter:Parameter')) expect(resource.properties.value).toBe('[secret]');
    // (generated secrets are long runs of letters and digits)
    expect(result.stdout).not.toMatch(/: "(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{24,}"/);

    expect(json.policy).toHaveLength(POLICIES.length);
    expect(json.policy.filter((p) => p.status !== 'pass')).toEqual([]);
    expect(json.cost.currency).toBe('EUR');
    expect(json.cost.lines.map((l) => l.item)).toEqual(expect.arrayContaining(['compute', 'public-ipv4', 'ebs', 'egress']));
    // The figures, from the price table and the root volumes the program asks for.
    const signalingGib = Number((recorded('aws:ec2/instance:Instance', 'signaling-instance').rootBlockDevice as { volumeSize: unknown }).volumeSize);
    const bridgeTemplate = recording.resources.find((r) => r.type === 'aws:ec2/launchTemplate:LaunchTemplate');
    const bridgeGib = bridgeTemplate ? Number((bridgeTemplate.inputs.blockDeviceMappings as { ebs: { volumeSize: unknown } }[])[0]!.ebs.volumeSize) : 0;
    const expected = expectedCost(loaded.spec, { signalingGib, bridgeGib });
    expect(json.cost.assumedParticipantHoursPerMonth).toBe(DOCUMENTED_PARTICIPANT_HOURS);
    expect(json.cost.egress.meetingSize).toBe(DOCUMENTED_MEETING_SIZE);
    const lineTotal = (item: string) => json.cost.lines.filter((l) => l.item === item).reduce((sum, l) => sum + l.monthlyEur, 0);
    expect(json.cost.lines.filter((l) => l.item === 'compute')).toHaveLength(loaded.spec.bridges ? 2 : 1);
    expect(lineTotal('compute')).toBeCloseTo(expected.compute, 1);
    expect(lineTotal('public-ipv4')).toBeCloseTo(expected.publicIpv4, 2);
    expect(lineTotal('ebs')).toBeCloseTo(expected.ebs, 2);
    expect(lineTotal('egress')).toBeCloseTo(expected.egress, 2);
    expect(json.cost.fixedMonthlyEur).toBeCloseTo(expected.fixed, 2);
    expect(json.cost.hourlyEur).toBeCloseTo(expected.fixed / HOURS_PER_MONTH, 4);
    expect(json.cost.monthlyEur).toBeCloseTo(expected.fixed + expected.egress, 2);
    if (loaded.spec.bridges) expect(json.cost.fixedMonthlyEurAtMaxBridges).toBeCloseTo(expected.fixedAtMaxBridges, 2);
    else expect(json.cost.fixedMonthlyEurAtMaxBridges).toBeUndefined();
  });
});

describe('plan as a command', () => {
  it('exits 2 naming aws:region for a stack outside the EU, and prints nothing on stdout', async () => {
    const file = join(scratch.path, 'Pulumi.us.yaml');
    writeFileSync(file, 'config:\n  aws:region: us-east-1\n  jitsi-eu:domain: meet.example.org\n  jitsi-eu:acmeEmail: ops@example.org\n');
    const result = await plan(['--config', file, '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('aws:region');
    expect(result.stderr).toContain('us-east-1');
    expect(result.stdout).toBe('');
  });

  it('prints the resources, the verdict and the cost as text', async () => {
    const result = await plan(['--stack', 'example-production']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ec2/Instance');
    expect(result.stdout).toContain(`Policy: pass (${POLICIES.length} of ${POLICIES.length} policies pass)`);
    expect(result.stdout).toMatch(/Running cost: €\d+\.\d\d per month/);
    expect(result.stdout).toContain('per participant-hour');
  });

  it('explains its usage', async () => {
    const help = await plan(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--config PATH');
    const wrong = await plan(['--config', 'a.yaml', '--stack', 'b']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('either --config PATH or --stack NAME');
    const unknown = await plan(['--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--frobnicate');
  });
});

describe.each(['example-hetzner', 'example-openstack'])('plan --json for %s', (stack) => {
  it("passes every policy, lists the channel key, and shows no part of the key's private half", async () => {
    const result = await plan(['--config', join(PROJECT_DIR, `Pulumi.${stack}.yaml`), '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as PlanJson;
    expect(json.policy.filter((p) => p.status !== 'pass')).toEqual([]);
    const keys = json.resources.filter((r) => r.type === 'tls:index/privateKey:PrivateKey');
    expect(keys).toEqual([{
      type: 'tls:index/privateKey:PrivateKey',
      name: 'channel-key-ed25519',
      properties: { algorithm: 'ED25519', publicHalf: "in the signaling node's user data", privateHalf: 'stack output channelPrivateKey, secret (never shown)' },
    }]);
    // Every Ed25519 private key in PKCS#8 begins with these bytes (base64), whatever its value.
    for (const text of [result.stdout, result.stderr]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain('MC4CAQAwBQYDK2VwBCIE');
    }
  });
});
