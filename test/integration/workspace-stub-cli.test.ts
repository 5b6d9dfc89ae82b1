// The Automation API adapter against a stand-in `pulumi` executable (test/fixtures/fake-pulumi)
// that records each call's arguments, environment and working directory: proves the exact CLI
// calls, and that the backend and the passphrase reach every one of them.
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import {
  POLICY_PACK_DIR,
  PolicyViolationError,
  PulumiCommandError,
  StackExistsError,
  StackMissingError,
  openPulumiWorkspace,
  readStackConfigFile,
} from '../../scripts/lib/workspace.ts';
import type { EngineEvent } from '../../scripts/lib/workspace.ts';
import { deployMain } from '../../scripts/deploy/main.ts';
import { summarisePreview } from '../../scripts/deploy/preview.ts';
import { sandboxMain } from '../../scripts/sandbox/main.ts';
import { RESOURCES as R, policyViolation, previewRun, replace, same } from '../fixtures/fake-pulumi/preview-events.ts';
import { memoryDeps } from '../fixtures/fake-pulumi/memory-deps.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { runNpmScript } from '../helpers/npm-run.ts';
import { tempDir } from '../helpers/tools.ts';
import { writeOwnNamesStack } from '../helpers/own-names-stack.ts';

const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const PASSPHRASE = 'stub-test-passphrase';
const EU_ONLY = { allowNonEuRegion: false };

interface Call {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Content of the --policy-pack-config files. */
  policyPackConfigs?: unknown[];
}

let dir: ReturnType<typeof tempDir>;
let project: string;
let state: string;
let log: string;

function calls(): Call[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Call);
}

const baseEnv = () => ({ PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`, PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });

beforeEach(() => {
  // Git keeps the executable bit, but a copy without it must not turn into a confusing failure.
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  dir = tempDir();
  project = join(dir.path, 'project');
  state = join(dir.path, 'state');
  mkdirSync(project);
  mkdirSync(state);
  copyFileSync(join(PROJECT_DIR, 'Pulumi.yaml'), join(project, 'Pulumi.yaml'));
  log = join(dir.path, 'calls.jsonl');
  // The stub's own controls; the adapter's settings are passed explicitly, never through process.env.
  process.env.FAKE_PULUMI_LOG = log;
  for (const key of ['PULUMI_BACKEND_URL', 'PULUMI_CONFIG_PASSPHRASE', 'PULUMI_CONFIG_PASSPHRASE_FILE', 'FAKE_PULUMI_OUTPUTS', 'FAKE_PULUMI_SECRET_OUTPUTS', 'FAKE_PULUMI_FAIL', 'FAKE_PULUMI_VERSION', 'FAKE_PULUMI_EVENTS']) {
    delete process.env[key];
  }
});

afterEach(() => dir.remove());

describe('PulumiWorkspace on the pulumi CLI', () => {
  it('makes exactly the expected CLI calls for a stack from init to rm', async () => {
    process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ url: 'https://demo.example.org', publicIp: '192.0.2.10', jvbPassword: 'hunter2' });
    process.env.FAKE_PULUMI_SECRET_OUTPUTS = 'jvbPassword';
    const ws = await openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path });
    await ws.writeStackFile('demo', { 'aws:region': 'eu-central-1', 'jitsi-eu:domain': 'demo.example.org' }, 'A test stack.');
    await ws.createStack('demo');
    await ws.setConfig('demo', 'jitsi-eu:owner', 'prof@uni.example');
    const output: string[] = [];
    const upOutputs = await ws.up('demo', (t) => output.push(t), EU_ONLY);
    const outputs = await ws.outputs('demo');
    const first = await ws.firstUpdateAt('demo');
    const listed = await ws.listStacks();
    await ws.destroy('demo', (t) => output.push(t));
    await ws.removeStack('demo');

    const recorded = calls();
    expect(recorded[0]!.args).toEqual(['version']);
    const S = ['--stack', 'demo', '--non-interactive'];
    const outputsCalls = [
      ['stack', 'output', '--json', ...S],
      ['stack', 'output', '--json', '--show-secrets', ...S],
    ];
    const policyArgs = ['--policy-pack', POLICY_PACK_DIR, '--policy-pack-config', expect.stringMatching(/^\/.*\/policy-config\.json$/)];
    const latest = ['stack', 'history', '--json', '--show-secrets', '--page-size', '1', '--page', '1', ...S];
    expect(recorded.slice(1).map((c) => c.args)).toEqual([
      ['stack', 'init', 'demo', '--secrets-provider', 'passphrase', '--non-interactive'],
      ['config', 'set', 'jitsi-eu:owner', '--stack', 'demo', '--plaintext', '--non-interactive', '--', 'prof@uni.example'],
      ['stack', 'select', ...S],
      ['up', '--yes', '--skip-preview', ...policyArgs, '--exec-kind', 'auto.local', '--event-log', expect.stringMatching(/eventlog/), ...S],
      ...outputsCalls,
      latest,
      ...outputsCalls,
      // Selected once: every later command names the stack itself.
      ['stack', 'history', '--json', '--show-secrets', ...S],
      ['stack', 'ls', '--json', '--non-interactive'],
      ['destroy', '--yes', '--skip-preview', '--exec-kind', 'auto.local', ...S],
      latest,
      ['stack', 'rm', '--yes', 'demo', '--non-interactive'],
    ]);

    // The policy pack's config says what the stack allows, and is gone after the call.
    const up = recorded.find((c) => c.args[0] === 'up')!;
    expect(up.policyPackConfigs).toEqual([{ 'eu-region': { allowNonEuRegion: false } }]);
    expect(existsSync(up.args[up.args.indexOf('--policy-pack-config') + 1]!)).toBe(false);

    // The backend and the passphrase reach every call that can touch state; all run in the project.
    for (const call of recorded.slice(1)) {
      expect(call.env.PULUMI_BACKEND_URL, call.args.join(' ')).toBe(`file://${state}`);
      expect(call.env.PULUMI_CONFIG_PASSPHRASE, call.args.join(' ')).toBe(PASSPHRASE);
      expect(call.env.PULUMI_AUTOMATION_API).toBe('true');
      expect(call.cwd).toBe(project);
    }

    expect(output.join('')).toMatch(/Updating \(demo\)[\s\S]*Destroying \(demo\)/);
    expect(upOutputs.url).toEqual({ value: 'https://demo.example.org', secret: false });
    expect(outputs.jvbPassword).toEqual({ value: 'hunter2', secret: true });
    expect(first).toBeInstanceOf(Date);
    expect(listed).toEqual([{ name: 'demo', lastUpdate: expect.any(String), updateInProgress: false, resourceCount: 12 }]);
    // pulumi stack rm takes the stack file with it.
    expect(existsSync(join(project, 'Pulumi.demo.yaml'))).toBe(false);
    expect(existsSync(join(state, '.pulumi/stacks/jitsi-eu/demo.json'))).toBe(false);
  });

  it('keeps our config when the CLI adds its salt to the stack file, and config set updates it', async () => {
    const ws = await openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path });
    await ws.writeStackFile('demo', { 'aws:region': 'eu-central-1', 'jitsi-eu:expiresAt': '2026-05-05T00:00:00Z' }, 'x');
    await ws.createStack('demo');
    expect(readFileSync(join(project, 'Pulumi.demo.yaml'), 'utf8')).toMatch(/^encryptionsalt: /m);
    await ws.setConfig('demo', 'jitsi-eu:expiresAt', '2026-05-09T00:00:00Z');
    expect(await ws.readStackConfig('demo')).toEqual({ 'aws:region': 'eu-central-1', 'jitsi-eu:expiresAt': '2026-05-09T00:00:00Z' });
  });

  it('turns the CLI errors into errors the commands understand', async () => {
    const ws = await openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path });
    await expect(ws.destroy('ghost', () => {})).rejects.toBeInstanceOf(StackMissingError);
    expect(await ws.createOrSelectStack('fresh')).toBe('created');
    expect(await ws.createOrSelectStack('fresh')).toBe('selected');
    await expect(ws.createStack('fresh')).rejects.toBeInstanceOf(StackExistsError);
    await ws.up('fresh', () => {}, EU_ONLY);
    const rm = ws.removeStack('fresh');
    await expect(rm).rejects.toBeInstanceOf(PulumiCommandError);
    await expect(rm).rejects.toThrow(/^error: 'fresh' still has resources; removal rejected/);
    process.env.FAKE_PULUMI_FAIL = 'up';
    await expect(ws.up('fresh', () => {}, EU_ONLY)).rejects.toThrow(/up failed as asked/);
  });

  it('hands a passphrase file to every call instead of a passphrase', async () => {
    const file = join(dir.path, 'passphrase');
    (await import('node:fs')).writeFileSync(file, 'from a file\n');
    const env = { ...baseEnv(), PULUMI_CONFIG_PASSPHRASE: undefined, PULUMI_CONFIG_PASSPHRASE_FILE: file };
    const ws = await openPulumiWorkspace({ projectDir: project, env, home: dir.path });
    await ws.createStack('demo');
    await ws.up('demo', () => {}, EU_ONLY);
    for (const call of calls().slice(1)) {
      expect(call.env.PULUMI_CONFIG_PASSPHRASE_FILE).toBe(file);
      expect(call.env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    }
  });

  it('keeps state in ~/.pulumi-jitsi-eu by default, creating it private', async () => {
    const env = { ...baseEnv(), PULUMI_BACKEND_URL: undefined };
    const ws = await openPulumiWorkspace({ projectDir: project, env, home: dir.path });
    await ws.createStack('demo');
    const stateDir = join(dir.path, '.pulumi-jitsi-eu');
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(calls().at(-1)!.env.PULUMI_BACKEND_URL).toBe(`file://${stateDir}`);
    expect(existsSync(join(stateDir, '.pulumi/stacks/jitsi-eu/demo.json'))).toBe(true);
    expect(ws.backendDescription).toBe(`the local state folder ${stateDir}`);
  });

  it('refuses a CLI older than the project needs, and runs nothing when the passphrase is missing', async () => {
    process.env.FAKE_PULUMI_VERSION = 'v3.50.0';
    await expect(openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path })).rejects.toThrow(/version 3\.50\.0; jitsi-eu needs 3\.61\.0 or newer/);
    delete process.env.FAKE_PULUMI_VERSION;
    const noPassphrase = { ...baseEnv(), PULUMI_CONFIG_PASSPHRASE: undefined };
    const before = calls().length;
    await expect(openPulumiWorkspace({ projectDir: project, env: noPassphrase, home: dir.path })).rejects.toBeInstanceOf(UsageError);
    expect(calls().length).toBe(before);
  });
});

/** Engine events the stub writes to --event-log for preview and up. */
function stubEvents(events: EngineEvent[]): void {
  const file = join(dir.path, 'events.json');
  writeFileSync(file, JSON.stringify(events));
  process.env.FAKE_PULUMI_EVENTS = file;
}

const REPLACE_SIGNALING = previewRun([same(R.signalingEip), ...replace(R.signalingInstance, { userDataBase64: 'update-replace' }, { deleteBeforeReplace: true })], { same: 29, replace: 1 });
const IMDS_MESSAGE = 'signaling-instance does not require IMDSv2 tokens: set metadataOptions.httpTokens to "required"';
const VIOLATION = policyViolation('imdsv2-required', IMDS_MESSAGE, R.signalingInstance);

describe('preview and the policy pack through the CLI', () => {
  it('previews with --diff and the policy pack, handing back the engine events the CLI wrote', async () => {
    stubEvents(REPLACE_SIGNALING.events);
    const ws = await openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path });
    await ws.createStack('demo');
    const run = await ws.preview('demo', { allowNonEuRegion: true });
    const preview = calls().find((c) => c.args[0] === 'preview')!;
    expect(preview.args).toEqual([
      'preview', '--diff', '--policy-pack', POLICY_PACK_DIR, '--policy-pack-config', expect.stringMatching(/policy-config\.json$/),
      '--exec-kind', 'auto.local', '--event-log', expect.stringMatching(/eventlog/), '--stack', 'demo', '--non-interactive',
    ]);
    expect(preview.policyPackConfigs).toEqual([{ 'eu-region': { allowNonEuRegion: true } }]);
    expect(existsSync(join(POLICY_PACK_DIR, 'PulumiPolicy.yaml'))).toBe(true);
    expect(run.changeSummary).toEqual({ same: 29, replace: 1 });
    expect(run.events).toEqual(REPLACE_SIGNALING.events);
    expect(summarisePreview(run).changes.map((c) => [c.kind, c.name, c.replacedBy])).toEqual([['replace', 'signaling-instance', ['userDataBase64']]]);
  });

  it('a mandatory violation stops preview and up with the policy\'s own message, before anything changes', async () => {
    const ws = await openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path });
    await ws.createStack('demo');
    stubEvents([VIOLATION]);
    const previewed = ws.preview('demo', EU_ONLY);
    await expect(previewed).rejects.toBeInstanceOf(PolicyViolationError);
    await expect(previewed).rejects.toThrow(`[mandatory] imdsv2-required: ${IMDS_MESSAGE} (signaling-instance, aws:ec2/instance:Instance)`);
    await expect(ws.up('demo', () => {}, EU_ONLY)).rejects.toThrow(IMDS_MESSAGE);
    expect(JSON.parse(readFileSync(join(state, '.pulumi/stacks/jitsi-eu/demo.json'), 'utf8')).resources).toBe(0);
    // An advisory finding does not stop anything.
    stubEvents([policyViolation('required-tags', 'no owner tag', R.dnsRecord, 'warning')]);
    expect((await ws.preview('demo', EU_ONLY)).events.map((e) => e.policyEvent?.policyName)).toEqual(['required-tags']);
  });
});

// deploy refuses the examples' reserved names: the deploy tests use a stack file with names of the
// operator's own, written where deploy reads it.
let removeOwnStack = () => {};
beforeAll(() => {
  removeOwnStack = writeOwnNamesStack('production', 'own-stubdeploy');
  // Its Debian image is recorded, as after a first deploy: these tests are about the preview and the policy pack.
  appendFileSync(join(PROJECT_DIR, 'Pulumi.own-stubdeploy.yaml'), '  jitsi-eu:amiId: ami-0123456789abcdef0\n');
});
afterAll(() => removeOwnStack());

describe('npm run deploy through the stub CLI', () => {
  const deployDeps = (answer?: string) => {
    const d = memoryDeps();
    const asked: string[] = [];
    return {
      ...d,
      asked,
      openWorkspace: () => openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path }),
      interactive: () => answer !== undefined,
      ask: async (question: string) => (asked.push(question), answer ?? ''),
    };
  };
  const ops = () => calls().map((c) => c.args[0]!);

  it('stops at a mandatory violation with the policy\'s message and exit 1: no up', async () => {
    stubEvents([VIOLATION]);
    const d = deployDeps();
    expect(await deployMain(['--stack', 'own-stubdeploy', '--yes'], d)).toBe(1);
    expect(d.stdout.join('')).toBe(
      `✗ own-stubdeploy: the policy pack stops this deploy before any change\n  [mandatory] imdsv2-required: ${IMDS_MESSAGE} (signaling-instance, aws:ec2/instance:Instance)\n`,
    );
    expect(ops()).toContain('preview');
    expect(ops()).not.toContain('up');
  });

  it('previews, asks, and only then runs up with the same policy pack', async () => {
    stubEvents(REPLACE_SIGNALING.events);
    const d = deployDeps('yes');
    process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ url: 'https://meet.example.org', publicIp: '192.0.2.10' });
    expect(await deployMain(['--stack', 'own-stubdeploy'], d)).toBe(0);
    expect(d.asked).toEqual(['Deploy these changes to own-stubdeploy? [y/N] ']);
    expect(d.stdout.join('')).toMatch(/^Preview of own-stubdeploy: 1 to replace, 0 to change, 0 to create, 0 to delete, 29 unchanged\n/);
    expect(d.stdout.join('')).toContain('[ends meetings] The host (it runs the whole deployment, videobridge included) is replaced (userDataBase64 forces it)');
    const [preview, up] = ['preview', 'up'].map((op) => calls().find((c) => c.args[0] === op)!);
    for (const call of [preview!, up!]) expect(call.args.slice(call.args.indexOf('--policy-pack'), call.args.indexOf('--policy-pack') + 2)).toEqual(['--policy-pack', POLICY_PACK_DIR]);
    expect(ops().indexOf('preview')).toBeLessThan(ops().indexOf('up'));
  });

  it('without a terminal and without --yes: exit 2 with the fix, after the preview, before up', async () => {
    stubEvents(REPLACE_SIGNALING.events);
    const d = deployDeps();
    const run = deployMain(['--stack', 'own-stubdeploy'], d);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(/not a terminal[\s\S]*run again with --yes/);
    expect(ops()).toContain('preview');
    expect(ops()).not.toContain('up');
  });
});

describe('npm run deploy as a user runs it, in a pipe (stub CLI, moto_server for the AWS check)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(() => moto?.stop());

  const run = (args: string[]) => {
    // The stack exists already, so nothing writes to the checkout's own stack file.
    mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
    writeFileSync(join(state, '.pulumi/stacks/jitsi-eu/own-stubdeploy.json'), JSON.stringify({ secretsProvider: 'passphrase', resources: 30, outputs: {}, history: [] }));
    return runNpmScript('deploy', ['--stack', 'own-stubdeploy', ...args], {
      ...moto.env,
      PATH: baseEnv().PATH,
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      FAKE_PULUMI_LOG: log,
      FAKE_PULUMI_EVENTS: process.env.FAKE_PULUMI_EVENTS!,
    }, 120_000);
  };

  it('without a terminal and without --yes: the preview, then exit 2 with the fix; nothing applied', () => {
    stubEvents(REPLACE_SIGNALING.events);
    const result = run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Preview of own-stubdeploy: 1 to replace/);
    expect(result.stderr).toContain('error: deploy of own-stubdeploy needs a confirmation, and this is not a terminal');
    expect(result.stderr).toContain('then run again with --yes to deploy without asking.');
    expect(calls().map((c) => c.args[0])).toEqual(['version', 'stack', 'preview']);
  });

  it('a mandatory violation: the policy\'s message and exit 1, even with --yes', () => {
    stubEvents([VIOLATION]);
    const result = run(['--yes']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`[mandatory] imdsv2-required: ${IMDS_MESSAGE}`);
    expect(calls().map((c) => c.args[0])).not.toContain('up');
  });
});

describe('sandbox commands through the stub CLI', () => {
  it('create, extend, list and reap drive the CLI and keep the stack file in step', async () => {
    let now = new Date('2026-05-04T08:00:00Z');
    const deps = memoryDeps(now);
    deps.now = () => now;
    deps.openWorkspace = () => openPulumiWorkspace({ projectDir: project, env: baseEnv(), home: dir.path });
    process.env.FAKE_PULUMI_OUTPUTS = JSON.stringify({ url: 'https://course1.sandbox.example.org', publicIp: '192.0.2.10' });

    expect(await sandboxMain(['create', 'course1', '--ttl', '2d', '--owner', 'prof@uni.example', '--json'], deps)).toBe(0);
    const file = join(project, 'Pulumi.course1.yaml');
    expect(readStackConfigFile(file)).toMatchObject({ 'jitsi-eu:sandbox': true, 'jitsi-eu:expiresAt': '2026-05-06T08:00:00Z', 'jitsi-eu:owner': 'prof@uni.example' });
    expect(readFileSync(file, 'utf8')).toMatch(/^# Sandbox course1: created 2026-05-04T08:00:00\.000Z/);
    const ops = () => calls().map((c) => c.args.slice(0, 2).join(' '));
    expect(ops()).toEqual(expect.arrayContaining(['stack ls', 'stack init', 'stack select', 'up --yes']));

    expect(await sandboxMain(['extend', 'course1', '--ttl', '3d'], deps)).toBe(0);
    expect(readStackConfigFile(file)!['jitsi-eu:expiresAt']).toBe('2026-05-07T08:00:00Z');

    deps.stdout.length = 0;
    expect(await sandboxMain(['list', '--json'], deps)).toBe(0);
    const [row] = JSON.parse(deps.stdout.join('')).sandboxes;
    expect(row).toMatchObject({ stack: 'course1', owner: 'prof@uni.example', state: 'running', url: 'https://course1.sandbox.example.org' });

    // Not yet expired: the reaper leaves it.
    deps.stdout.length = 0;
    expect(await sandboxMain(['reap', '--json'], deps)).toBe(0);
    expect(JSON.parse(deps.stdout.join('')).entries).toEqual([expect.objectContaining({ stack: 'course1', action: 'skipped' })]);

    now = new Date('2026-05-07T08:00:01Z');
    deps.stdout.length = 0;
    expect(await sandboxMain(['reap', '--json'], deps)).toBe(0);
    expect(JSON.parse(deps.stdout.join('')).entries).toEqual([expect.objectContaining({ stack: 'course1', action: 'reaped' })]);
    expect(calls().map((c) => c.args.join(' '))).toEqual(expect.arrayContaining([expect.stringMatching(/^destroy --yes --skip-preview .*--stack course1/), 'stack rm --yes course1 --non-interactive']));
    expect(existsSync(file)).toBe(false);

    deps.stdout.length = 0;
    expect(await sandboxMain(['reap', '--json'], deps)).toBe(0);
    expect(JSON.parse(deps.stdout.join('')).entries).toEqual([]);
  });
});
