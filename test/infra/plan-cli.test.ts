// `npm run plan` as a user runs it: a separate process, offline. Its JSON is checked against the
// resources recorded from the program in this process for the same stack file.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR, loadStackFile } from '../../infra/spec/index.ts';
import { estimateCost } from '../../infra/cost/model.ts';
import { readStackConfig } from '../../scripts/plan/config.ts';
import { recordProgram } from '../../scripts/plan/record.ts';
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
  resources: { type: string; name: string; properties: Record<string, unknown> }[];
  policy: { policy: string; status: string; violations: unknown[] }[];
  cost: { currency: string; monthlyEur: number; hourlyEur: number; lines: { item: string }[] };
}

describe.each(['example-sandbox', 'example-production', 'example-scalable'])('plan --json for %s', (stack) => {
  it('lists exactly the recorded resources, passes every policy, and estimates the cost in EUR', async () => {
    const file = join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
    const result = await plan(['--config', file, '--json']);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as PlanJson;
    expect(Object.keys(json).sort()).toEqual(['cost', 'policy', 'region', 'resources', 'stack']);

    const loaded = loadStackFile(file);
    if (!loaded.ok) throw new Error('example stack invalid');
    expect(json.stack).toBe(stack);
    expect(json.region).toBe(loaded.spec.region);

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

    expect(json.policy).toHaveLength(7);
    expect(json.policy.filter((p) => p.status !== 'pass')).toEqual([]);
    expect(json.cost.currency).toBe('EUR');
    expect(json.cost.monthlyEur).toBe(estimateCost(loaded.spec).monthlyEur);
    expect(json.cost.lines.map((l) => l.item)).toEqual(expect.arrayContaining(['compute', 'public-ipv4', 'ebs', 'egress']));
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
    expect(result.stdout).toContain('Policy: pass (7 of 7 policies pass)');
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
