// The preflight and stack-file side of the Pulumi workspace adapter (no CLI needed).
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadStackFile } from '../../infra/spec/index.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import {
  chooseBackend,
  chooseSecrets,
  findPulumiCli,
  openPulumiWorkspace,
  pulumiErrorLines,
  readStackConfigFile,
  redactUrl,
  writeNewStackFile,
} from '../../scripts/lib/workspace.ts';
import { tempDir } from '../helpers/tools.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('backend choice', () => {
  it('defaults to a local state folder in the home directory, outside the checkout', () => {
    expect(chooseBackend({}, '/home/ops')).toEqual({ url: 'file:///home/ops/.pulumi-jitsi-eu', isDefault: true, localDir: '/home/ops/.pulumi-jitsi-eu' });
  });

  it('respects PULUMI_BACKEND_URL', () => {
    expect(chooseBackend({ PULUMI_BACKEND_URL: 's3://state-bucket?region=eu-central-1' }, '/home/ops')).toEqual({ url: 's3://state-bucket?region=eu-central-1', isDefault: false });
  });

  it('never shows credentials embedded in a backend URL', () => {
    expect(redactUrl('https://user:pw@state.example.org/x')).toBe('https://…@state.example.org/x');
    expect(redactUrl('s3://b?region=eu-central-1&secret_key=abc')).toBe('s3://b?region=eu-central-1&secret_key=…');
  });
});

describe('secrets choice', () => {
  it('uses the passphrase provider with PULUMI_CONFIG_PASSPHRASE', () => {
    expect(chooseSecrets({ PULUMI_CONFIG_PASSPHRASE: 'correct horse' })).toEqual({ provider: 'passphrase', env: { PULUMI_CONFIG_PASSPHRASE: 'correct horse' } });
  });

  it('uses a passphrase file when it is readable and not empty', () => {
    const file = join(dir.path, 'pass');
    writeFileSync(file, 'correct horse\n');
    expect(chooseSecrets({ PULUMI_CONFIG_PASSPHRASE_FILE: file })).toEqual({ provider: 'passphrase', env: { PULUMI_CONFIG_PASSPHRASE_FILE: file } });
    writeFileSync(file, '\n');
    expect(() => chooseSecrets({ PULUMI_CONFIG_PASSPHRASE_FILE: file })).toThrow(/is empty/);
    expect(() => chooseSecrets({ PULUMI_CONFIG_PASSPHRASE_FILE: join(dir.path, 'missing') })).toThrow(/cannot be read: ENOENT/);
  });

  it('never invents a passphrase: without one it explains how to set one', () => {
    let error: unknown;
    try {
      chooseSecrets({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const text = (error as Error).message;
    expect(text).toMatch(/set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE/);
    expect(text).toMatch(/export PULUMI_CONFIG_PASSPHRASE_FILE=/);
  });

  it('refuses an empty passphrase', () => {
    expect(() => chooseSecrets({ PULUMI_CONFIG_PASSPHRASE: '' })).toThrow(/set but empty/);
  });

  it('lets JITSI_EU_SECRETS_PROVIDER choose another provider, passing a passphrase along when set', () => {
    expect(chooseSecrets({ JITSI_EU_SECRETS_PROVIDER: 'awskms://alias/jitsi-eu?region=eu-central-1' })).toEqual({ provider: 'awskms://alias/jitsi-eu?region=eu-central-1', env: {} });
    expect(chooseSecrets({ JITSI_EU_SECRETS_PROVIDER: 'awskms://k', PULUMI_CONFIG_PASSPHRASE: 'p' }).env).toEqual({ PULUMI_CONFIG_PASSPHRASE: 'p' });
  });
});

describe('finding the Pulumi CLI', () => {
  it('finds an executable pulumi on PATH and nothing else', () => {
    const bin = join(dir.path, 'bin');
    mkdirSync(bin);
    expect(findPulumiCli(`${dir.path}:${bin}`)).toBeUndefined();
    writeFileSync(join(bin, 'pulumi'), '#!/bin/sh\n');
    expect(findPulumiCli(bin)).toBeUndefined(); // not executable
    chmodSync(join(bin, 'pulumi'), 0o755);
    expect(findPulumiCli(`${dir.path}:${bin}`)).toBe(join(bin, 'pulumi'));
    expect(findPulumiCli(undefined)).toBeUndefined();
  });

  it('refuses to open a workspace without the CLI, naming how to install it, before anything else', async () => {
    const start = Date.now();
    await expect(openPulumiWorkspace({ env: { PATH: dir.path }, home: dir.path, projectDir: dir.path })).rejects.toThrow(/the Pulumi CLI is not installed[\s\S]*get\.pulumi\.com/);
    expect(Date.now() - start).toBeLessThan(1_000);
    // The default state folder is not created when nothing can run anyway.
    expect(existsSync(join(dir.path, '.pulumi-jitsi-eu'))).toBe(false);
  });
});

describe('stack files', () => {
  it('writes a stack file the spec loader reads back unchanged, with every string quoted', () => {
    const file = join(dir.path, 'Pulumi.demo.yaml');
    const config = {
      'aws:region': 'eu-central-1',
      'jitsi-eu:domain': 'demo.sandbox.example.org',
      'jitsi-eu:acmeEmail': 'it@example.org',
      'jitsi-eu:jitsiVersion': '10710',
      'jitsi-eu:expiresAt': '2026-05-11T08:00:00Z',
      'jitsi-eu:sandbox': true,
      'jitsi-eu:bridges': { min: 1, max: 3, instanceType: 'c6i.2xlarge' },
      'jitsi-eu:topology': 'scalable',
    };
    writeNewStackFile(file, config, 'Sandbox demo.\nSecond line.');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Sandbox demo\.\n# Second line\.\n/);
    expect(text).toContain('jitsi-eu:expiresAt: "2026-05-11T08:00:00Z"');
    expect(text).toContain('jitsi-eu:jitsiVersion: "10710"');
    expect(text).toContain('jitsi-eu:sandbox: true');
    expect(readStackConfigFile(file)).toEqual(config);
    const loaded = loadStackFile(file, { now: new Date('2026-05-04T00:00:00Z') });
    expect(loaded.ok && loaded.spec.expiresAt).toBe('2026-05-11T08:00:00.000Z');
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('never overwrites an existing stack file', () => {
    const file = join(dir.path, 'Pulumi.demo.yaml');
    writeFileSync(file, 'config: {}\n');
    expect(() => writeNewStackFile(file, {}, 'x')).toThrow(/already exists/);
    expect(readFileSync(file, 'utf8')).toBe('config: {}\n');
  });

  it('reads no config from a missing file, and an empty map from a file without one', () => {
    expect(readStackConfigFile(join(dir.path, 'nope.yaml'))).toBeUndefined();
    const file = join(dir.path, 'Pulumi.x.yaml');
    writeFileSync(file, 'encryptionsalt: v1:abc\n');
    expect(readStackConfigFile(file)).toEqual({});
  });
});

describe('Pulumi error messages', () => {
  it('keeps the error lines of a failed command, not its whole output', () => {
    const message = "code: 255\n stdout: Updating (x)\n lots of progress\n stderr: warning: something minor\nerror: 'x' still has resources; removal rejected\n\n err?: Error: Command failed\n";
    expect(pulumiErrorLines(message)).toBe("error: 'x' still has resources; removal rejected");
  });
});
