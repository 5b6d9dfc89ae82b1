// npm run doctor as a user runs it: every missing prerequisite listed in one run with its fix,
// against moto_server for AWS and the stand-in pulumi executable for the CLI.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/load.ts';
import { principalToSimulate } from '../../scripts/doctor/permissions.ts';
import { compareVersions } from '../../scripts/doctor/local.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { pathWithoutPulumi } from '../helpers/npm-run.ts';
import { tempDir } from '../helpers/tools.ts';

const FAKE_PULUMI_BIN = join(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');

interface Item {
  id: string;
  status: 'ok' | 'missing' | 'unknown';
  detail: string;
  fix?: string[];
}

let moto: Moto;
const scratch = tempDir('jitsi-eu-doctor-');
const home = join(scratch.path, 'home');
const tools = join(scratch.path, 'tools');

beforeAll(async () => {
  moto = await startMoto();
  mkdirSync(home);
  mkdirSync(tools);
  writeFileSync(join(tools, 'session-manager-plugin'), '#!/bin/sh\n');
  chmodSync(join(tools, 'session-manager-plugin'), 0o755);
  const route53 = new Route53Client({ region: 'eu-central-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await route53.send(new CreateHostedZoneCommand({ Name: 'uni-jitsi-selftest.eu', CallerReference: 'doctor-test' }));
  route53.destroy();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  scratch.remove();
});

/** Runs the doctor in a child process with nothing of the caller's environment but `env`. */
function doctor(args: string[], env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/doctor.ts', ...args], {
    cwd: PROJECT_DIR,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      HOME: home,
      NO_COLOR: '1',
      AWS_CONFIG_FILE: join(home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const items = (stdout: string): Record<string, Item> => Object.fromEntries((JSON.parse(stdout) as { items: Item[] }).items.map((i) => [i.id, i]));

function stackFile(name: string, lines: string[]): string {
  const path = join(scratch.path, `Pulumi.${name}.yaml`);
  writeFileSync(path, ['config:', '  aws:region: eu-central-1', ...lines, ''].join('\n'));
  return path;
}

function passphraseFile(mode: number): string {
  const path = join(scratch.path, `passphrase-${mode.toString(8)}`);
  writeFileSync(path, 'correct horse battery staple\n');
  chmodSync(path, mode);
  return path;
}

describe('npm run doctor', () => {
  it('lists everything missing in one run, each with its fix, and exits 1', () => {
    const result = doctor(['--json'], { PATH: pathWithoutPulumi(), AWS_ENDPOINT_URL: moto.endpoint });
    expect(result.code).toBe(1);
    const found = items(result.stdout);
    for (const id of ['pulumi-cli', 'passphrase', 'aws-credentials', 'session-manager-plugin']) {
      expect(found[id]?.status, id).toBe('missing');
      expect(found[id]?.fix?.length, id).toBeGreaterThan(0);
    }
    expect(found['passphrase']!.fix!.join('\n')).toContain('export PULUMI_CONFIG_PASSPHRASE_FILE=~/.config/jitsi-eu/passphrase');
    expect(found['aws-permissions']!.status).toBe('unknown');
  });

  it('passes a ready machine: CLI, private passphrase file, credentials, plugin and the stack’s zone in Route53', () => {
    const config = stackFile('ready', [
      '  jitsi-eu:domain: meet.uni-jitsi-selftest.eu',
      '  jitsi-eu:dnsZone: uni-jitsi-selftest.eu',
      '  jitsi-eu:acmeEmail: it@uni-jitsi-selftest.eu',
      '  jitsi-eu:organization: Selftest University',
      '  jitsi-eu:privacyContact: dpo@uni-jitsi-selftest.eu',
    ]);
    const result = doctor(['--config', config, '--json'], {
      ...moto.env,
      PATH: `${FAKE_PULUMI_BIN}:${tools}:${pathWithoutPulumi()}`,
      FAKE_PULUMI_VERSION: 'v3.150.0',
      PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile(0o600),
    });
    const found = items(result.stdout);
    expect(found['pulumi-cli']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/pulumi v3\.150\.0$/) });
    expect(found['passphrase']).toMatchObject({ status: 'ok' });
    expect(found['aws-credentials']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^account 123456789012/) });
    expect(found['dns-zone']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/uni-jitsi-selftest\.eu: public hosted zone/) });
    expect(found['session-manager-plugin']).toMatchObject({ status: 'ok' });
    expect(found['stack-names']).toMatchObject({ status: 'ok' });
    // moto has no IAM policy simulation: the doctor says so and lists what to allow instead of guessing.
    expect(found['aws-permissions']!.status).toBe('unknown');
    expect(found['aws-permissions']!.fix!.join(' ')).toMatch(/ec2:RunInstances.*route53:ChangeResourceRecordSets/);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('correct horse');
  });

  it('names an old CLI, a passphrase file others can read, a missing zone and example names, with line numbers', () => {
    const config = stackFile('wrong', [
      '  jitsi-eu:domain: meet.not-there-selftest.eu',
      '  jitsi-eu:dnsZone: not-there-selftest.eu',
      '  jitsi-eu:acmeEmail: it@example.org',
    ]);
    const result = doctor(['--config', config], {
      ...moto.env,
      PATH: `${FAKE_PULUMI_BIN}:${tools}:${pathWithoutPulumi()}`,
      FAKE_PULUMI_VERSION: 'v3.50.1',
      PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile(0o644),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ Pulumi CLI 3\.61\.0 or newer: .*pulumi is v3\.50\.1\n\s+update it to 3\.61\.0 or newer/);
    expect(result.stdout).toMatch(/✗ passphrase .*can be read by other users \(mode 0644\)\n\s+make it private: chmod 600 /);
    expect(result.stdout).toMatch(/✗ Route53 zone of the stack: not-there-selftest\.eu: no public hosted zone of that name in account 123456789012\n\s+create it/);
    expect(result.stdout).toMatch(/Pulumi\.wrong\.yaml:5: jitsi-eu:acmeEmail: "it@example\.org" is in example\.org, a name reserved for examples/);
    expect(result.stdout).toMatch(/thing\(s\) missing/);
  });

  it('exits 2 on usage errors and a stack file that does not exist', () => {
    expect(doctor(['--bogus'], { PATH: pathWithoutPulumi() }).code).toBe(2);
    const absent = doctor(['--stack', 'no-such-stack'], { PATH: pathWithoutPulumi() });
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/Pulumi\.no-such-stack\.yaml does not exist/);
  });
});

describe('doctor helpers', () => {
  it('simulates the role behind an assumed-role session, and nothing for the root user', () => {
    expect(principalToSimulate('arn:aws:sts::123456789012:assumed-role/deployer/alice')).toBe('arn:aws:iam::123456789012:role/deployer');
    expect(principalToSimulate('arn:aws-eusc:iam::123456789012:user/ops')).toBe('arn:aws-eusc:iam::123456789012:user/ops');
    expect(principalToSimulate('arn:aws:iam::123456789012:root')).toBeUndefined();
  });

  it('compares versions numerically', () => {
    expect(compareVersions('v3.150.0', '3.61.0')).toBe(1);
    expect(compareVersions('v3.9.0', '3.61.0')).toBe(-1);
    expect(compareVersions('3.61.0', '3.61.0')).toBe(0);
  });
});

