// `npm run status` as a user runs it: --help without the AWS SDK, usage errors, missing
// credentials, and a run against moto_server (where SSM runs nothing, so the host's answers are
// empty and say so per host).
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../scripts/status/types.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { runNpmScript } from '../helpers/npm-run.ts';
import { tempDir } from '../helpers/tools.ts';

// Pulumi.example-scalable.yaml: eu-north-1, video.example.org, a bridge pool of 2 to 8.
const STACK = 'example-scalable';
const REGION = 'eu-north-1';
const dir = tempDir();
let moto: Moto;
let signalingId: string;

/** A module hook that logs every @aws-sdk module a process loads, to tell what --help loads. */
function sdkLoadLog(): { env: Record<string, string>; loaded: () => string[] } {
  const log = join(dir.path, `loads-${Math.random().toString(36).slice(2)}.txt`);
  const hooks = join(dir.path, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  if (result.url.includes('/@aws-sdk/')) appendFileSync(${JSON.stringify(log)}, result.url + '\\n');\n  return result;\n}\n`,
  );
  const register = join(dir.path, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return { env: { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` }, loaded: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}

beforeAll(async () => {
  moto = await startMoto();
  const ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.40.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: 'ami-12c6146b', InstanceType: 'c6i.xlarge', MinCount: 1, MaxCount: 1, SubnetId: subnet, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'jitsi-eu:stack', Value: STACK }] }] }),
  );
  signalingId = run.Instances![0]!.InstanceId!;
  ec2.destroy();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  dir.remove();
});

describe('npm run status', () => {
  it('--help prints the usage and exits 0 without loading the AWS SDK', () => {
    const probe = sdkLoadLog();
    const result = runNpmScript('status', ['--help'], probe.env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: npm run status -- --stack NAME');
    expect(result.stdout).toContain('Exit codes: 0');
    // Hetzner and OpenStack: the signaling node is read through the channel, the bridges are not.
    expect(result.stdout).toMatch(/reads the signaling node\s+through the stack's operator channel/);
    expect(result.stdout).toMatch(/The bridges have no channel/);
    expect(result.stdout).not.toMatch(/these clouds have no channel/);
    expect(probe.loaded()).toEqual([]);
  }, 60_000);

  it('exits 2 naming the missing --stack, and a bad --timeout', () => {
    const missing = runNpmScript('status', []);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --stack NAME');
    const timeout = runNpmScript('status', ['--stack', STACK, '--timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain('--timeout soon: give a positive number of seconds');
  }, 60_000);

  it('exits 2 with one line saying what is missing when there are no AWS credentials', () => {
    const probe = sdkLoadLog();
    const result = runNpmScript('status', ['--stack', STACK], { AWS_EC2_METADATA_DISABLED: 'true', ...probe.env });
    expect(result.code).toBe(2);
    // (On Node 20 the SDK adds its own warning about Node versions; the command's own error is one line.)
    expect(result.stderr.split('\n').filter((line) => line.startsWith('error:'))).toEqual(['error: no AWS credentials were found.']);
    expect(result.stdout).toBe('');
    // The control for the --help test: the same hook sees the SDK when it loads.
    expect(probe.loaded().length).toBeGreaterThan(0);
  }, 60_000);

  it('--json against moto: one JSON object, the silent host named, exit 1', () => {
    const result = runNpmScript('status', ['--stack', STACK, '--json', '--timeout', '5', '--resolve', 'video.example.org:127.0.0.1'], { ...moto.env, AWS_REGION: REGION });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as StatusReport;
    expect(report.stack).toBe(STACK);
    expect(report.region).toBe(REGION);
    expect(report.hosts.map((h) => [h.instanceId, h.role, h.instanceType])).toEqual([[signalingId, 'signaling', 'c6i.xlarge']]);
    const messages = report.problems.map((p) => p.message);
    // moto's SSM reports success but runs nothing: every part of the probe is missing.
    expect(messages).toContain(`signaling ${signalingId} runs jitsi-meet (not installed); the stack pins release ${report.versions.release} (2.0.${report.versions.release}-1)`);
    expect(messages).toContain(`no bridge Auto Scaling group is tagged jitsi-eu:stack=${STACK}`);
    expect(messages.some((m) => m.startsWith('TLS handshake with video.example.org (127.0.0.1:443) failed'))).toBe(true);
    expect(report.cost.totalEur).toBeGreaterThanOrEqual(0);
    expect(result.stderr).toContain('through SSM Run Command');
  }, 90_000);
});
