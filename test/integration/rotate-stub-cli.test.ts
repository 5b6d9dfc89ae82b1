// npm run rotate through the Automation API against the stand-in `pulumi` CLI, which records
// every call: the update replaces exactly the chosen secrets' RandomPassword resources (and
// touches nothing but them and their SSM parameters), after the preview and the confirmation,
// and only then are the hosts (fakes that answer as the host agent does) asked.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretUrns } from '../../infra/aws/secret-urns.ts';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { openPulumiWorkspace, type EngineEvent } from '../../scripts/lib/workspace.ts';
import { rotateMain, type RotateDeps } from '../../scripts/rotate/main.ts';
import type { RotatableSecret } from '../../scripts/rotate/secrets.ts';
import { BRIDGE_GROUP, FakeStackHosts, agentReport, type FakeHost } from '../helpers/agent-hosts.ts';
import { runNpmScript } from '../helpers/npm-run.ts';
import { writeOwnNamesStack } from '../helpers/own-names-stack.ts';
import { tempDir } from '../helpers/tools.ts';

const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const SINGLE = 'own-stubrotate';
const POOL = 'own-stubrotate-pool';

let dir: ReturnType<typeof tempDir>;
let project: string;
let state: string;
let log: string;

interface Call {
  args: string[];
}
const calls = (): Call[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call) : []);
const ops = () => calls().map((c) => c.args[0]);
const valuesOf = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));

let removeStacks: (() => void)[] = [];
beforeAll(() => {
  removeStacks = [writeOwnNamesStack('production', SINGLE), writeOwnNamesStack('scalable', POOL)];
});
afterAll(() => {
  for (const remove of removeStacks) remove();
});

beforeEach(() => {
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  dir = tempDir();
  project = join(dir.path, 'project');
  state = join(dir.path, 'state');
  mkdirSync(project);
  copyFileSync(join(PROJECT_DIR, 'Pulumi.yaml'), join(project, 'Pulumi.yaml'));
  // Both stacks are deployed already (the stub keeps its state as one file per stack).
  mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
  for (const stack of [SINGLE, POOL]) {
    writeFileSync(join(state, `.pulumi/stacks/jitsi-eu/${stack}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 31, outputs: {}, history: [] }));
  }
  log = join(dir.path, 'calls.jsonl');
  process.env.FAKE_PULUMI_LOG = log;
  delete process.env.FAKE_PULUMI_EVENTS;
  delete process.env.FAKE_PULUMI_FAIL;
});
afterEach(() => dir.remove());

/** The engine events of a rotation's preview: each secret's generator replaced and its parameter updated. */
function rotationEvents(stack: string, secrets: RotatableSecret[], extra: EngineEvent[] = []): void {
  let sequence = 0;
  const step = (op: string, urn: string, type: string): EngineEvent => ({
    sequence: ++sequence,
    timestamp: 1_780_000_000,
    resourcePreEvent: { metadata: { op: op as never, urn, type, provider: '' }, planning: true },
  });
  const events: EngineEvent[] = [];
  for (const secret of secrets) {
    const { password, parameter } = secretUrns(stack, secret);
    events.push(
      step('create-replacement', password, 'random:index/randomPassword:RandomPassword'),
      step('replace', password, 'random:index/randomPassword:RandomPassword'),
      step('update', parameter, 'aws:ssm/parameter:Parameter'),
      step('delete-replaced', password, 'random:index/randomPassword:RandomPassword'),
    );
  }
  const changes = { replace: secrets.length, update: secrets.length, same: 25, ...(extra.length ? { replace: secrets.length + extra.length } : {}) };
  const summary = { sequence: ++sequence, timestamp: 1_780_000_000, summaryEvent: { maybeCorrupt: false, durationSeconds: 2, resourceChanges: changes, policyPacks: {} } };
  const file = join(dir.path, 'events.json');
  writeFileSync(file, JSON.stringify([...events, ...extra, summary]));
  process.env.FAKE_PULUMI_EVENTS = file;
}

const SIGNALING: FakeHost = {
  id: 'i-0signaling000000a',
  role: 'signaling',
  answer: agentReport('signaling', [{ unit: 'prosody.service', action: 'reload' }, { unit: 'jicofo.service', action: 'restart' }], ['/etc/jitsi/jicofo/jicofo.conf']),
};
const BRIDGES: FakeHost[] = [1, 2].map((n) => ({ id: `i-0bridge00000000${n}`, role: 'bridge', answer: agentReport('bridge', []) }));

interface TestDeps extends RotateDeps {
  stdout: string[];
  stderr: string[];
  asked: string[];
  hosts: FakeStackHosts;
  /** Pulumi calls made before the hosts were first asked. */
  pulumiCallsBeforeHosts?: number;
}

function deps(fleet: FakeHost[], answer?: string): TestDeps {
  const hosts = new FakeStackHosts(fleet);
  const d: TestDeps = {
    stdout: [],
    stderr: [],
    asked: [],
    hosts,
    openWorkspace: () =>
      openPulumiWorkspace({
        projectDir: project,
        env: { PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`, PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: 'stub-test-passphrase' },
        home: dir.path,
      }),
    requireCredentials: async () => {},
    out: (text) => void d.stdout.push(text),
    progress: (message) => void d.stderr.push(`${message}\n`),
    onOutput: (text) => void d.stderr.push(text),
    interactive: () => answer !== undefined,
    ask: async (question) => (d.asked.push(question), answer ?? ''),
    openHosts: async () => {
      d.pulumiCallsBeforeHosts = calls().length;
      return hosts;
    },
    now: () => new Date('2026-12-06T16:30:00.000Z'),
  };
  return d;
}

describe('npm run rotate through the stub Pulumi CLI', () => {
  it('by default replaces the generators of focus-password, jvb-password and turn-secret, and targets them and their parameters only', async () => {
    const secrets: RotatableSecret[] = ['focus-password', 'jvb-password', 'turn-secret'];
    rotationEvents(SINGLE, secrets);
    const d = deps([SIGNALING]);
    expect(await rotateMain(['--stack', SINGLE, '--yes', '--json'], d)).toBe(0);

    const [preview, up] = ['preview', 'up'].map((op) => calls().find((c) => c.args[0] === op)!.args);
    const urns = secrets.map((s) => secretUrns(SINGLE, s));
    for (const args of [preview!, up!]) {
      expect(valuesOf(args, '--replace')).toEqual(urns.map((u) => u.password));
      expect(valuesOf(args, '--target')).toEqual(urns.flatMap((u) => [u.password, u.parameter]));
      expect(args).toContain('--policy-pack');
    }
    // Preview, then up, then the hosts: nothing was asked of a host before the new values existed.
    expect(ops().indexOf('preview')).toBeLessThan(ops().indexOf('up'));
    expect(d.pulumiCallsBeforeHosts).toBe(calls().length);
    expect(d.hosts.events.map((e) => e.op)).toEqual(['run']);
    expect(d.hosts.closed).toBe(true);

    const report = JSON.parse(d.stdout.join(''));
    expect(report).toMatchObject({ stack: SINGLE, ok: true, secrets, renewed: true, renewedAt: '2026-12-06T16:30:00.000Z' });
    expect(report.hosts).toEqual([{ instanceId: 'i-0signaling000000a', role: 'signaling', state: 'applied', agent: SIGNALING.answer }]);
    // The words of the preview went to stderr, stdout holds only the JSON.
    expect(d.stderr.join('')).toContain('jvb-password: the videobridge\'s XMPP account');
  });

  it('--only jwt-app-secret replaces that generator alone and warns that the token issuer must switch at the same moment', async () => {
    rotationEvents(POOL, ['jwt-app-secret']);
    const d = deps([SIGNALING, ...BRIDGES], 'yes');
    expect(await rotateMain(['--stack', POOL, '--only', 'jwt-app-secret'], d)).toBe(0);
    const up = calls().find((c) => c.args[0] === 'up')!.args;
    expect(valuesOf(up, '--replace')).toEqual([secretUrns(POOL, 'jwt-app-secret').password]);
    expect(valuesOf(up, '--target')).toEqual([secretUrns(POOL, 'jwt-app-secret').password, secretUrns(POOL, 'jwt-app-secret').parameter]);
    expect(d.asked).toEqual([`Rotate jwt-app-secret of ${POOL}? [y/N] `]);
    // The words are wrapped for a terminal; read them as one line.
    const text = d.stdout.join('').replace(/\s+/g, ' ');
    expect(text).toContain("! Your organisation's token issuer must switch to the new secret at the same moment, or nobody can join with a token.");
    expect(text).toContain(`/jitsi-eu/${POOL}/jwt-app-secret`);
    // The bridges do not use the token secret: the agent runs there and restarts nothing.
    expect(d.hosts.events.map((e) => (e.op === 'run' ? e.ids : e.group))).toEqual([['i-0signaling000000a'], ['i-0bridge000000001', 'i-0bridge000000002']]);
  });

  it('the pool: a new videobridge password goes to new bridges through an instance refresh', async () => {
    rotationEvents(POOL, ['jvb-password']);
    const d = deps([SIGNALING, ...BRIDGES]);
    expect(await rotateMain(['--stack', POOL, '--only', 'jvb-password', '--yes'], d)).toBe(0);
    expect(d.hosts.events).toEqual([expect.objectContaining({ op: 'run', ids: ['i-0signaling000000a'] }), { op: 'refresh', group: BRIDGE_GROUP }]);
    expect(d.stdout.join('')).toContain('In meetings:  Nothing, as long as the old bridges stay connected.');
  });

  it('--preview-only previews with the same scope and changes nothing', async () => {
    rotationEvents(SINGLE, ['focus-password', 'jvb-password', 'turn-secret']);
    const d = deps([SIGNALING]);
    expect(await rotateMain(['--stack', SINGLE, '--preview-only'], d)).toBe(0);
    expect(ops()).toContain('preview');
    expect(ops()).not.toContain('up');
    expect(d.hosts.events).toEqual([]);
    expect(d.pulumiCallsBeforeHosts).toBeUndefined();
    const text = d.stdout.join('');
    expect(text).toContain("Pulumi's preview: 3 password generators replaced and 3 SSM parameters updated; nothing else changes.");
    expect(text).toContain('In meetings:  Every meeting in progress loses sound and video while the videobridge restarts');
  });

  it('without a confirmation nothing changes: not on a terminal without --yes, or declined', async () => {
    rotationEvents(SINGLE, ['focus-password', 'jvb-password', 'turn-secret']);
    const piped = deps([SIGNALING]);
    const run = rotateMain(['--stack', SINGLE], piped);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(/needs a confirmation, and this is not a terminal[\s\S]*run again with --yes/);

    const declined = deps([SIGNALING], 'n');
    await expect(rotateMain(['--stack', SINGLE], declined)).rejects.toThrow('not confirmed: nothing was changed');
    expect(declined.asked).toHaveLength(1);
    expect(ops()).not.toContain('up');
    expect(piped.hosts.events).toEqual([]);
    expect(declined.hosts.events).toEqual([]);
  });

  it('a preview that shows anything beyond the secrets stops the rotation with exit 1', async () => {
    const instance = 'urn:pulumi:own-stubrotate::jitsi-eu::jitsi-eu:aws:SignalingNode$aws:ec2/instance:Instance::signaling-instance';
    rotationEvents(SINGLE, ['turn-secret'], [{ sequence: 99, timestamp: 1_780_000_000, resourcePreEvent: { metadata: { op: 'replace' as never, urn: instance, type: 'aws:ec2/instance:Instance', provider: '' }, planning: true } }]);
    const d = deps([SIGNALING]);
    expect(await rotateMain(['--stack', SINGLE, '--only', 'turn-secret', '--yes'], d)).toBe(1);
    expect(d.stdout.join('')).toBe(`✗ ${SINGLE}: the preview is not the rotation alone (only the secrets may change, and each must), so nothing was changed\n  signaling-instance (aws:ec2/instance:Instance) would be replaced\n`);
    expect(ops()).not.toContain('up');
    expect(d.hosts.events).toEqual([]);
  });

  it('a host that does not answer: exit 1, and the command that retries the hosts without rotating again', async () => {
    rotationEvents(SINGLE, ['turn-secret']);
    const d = deps([{ ...SIGNALING, answer: 'silent' }]);
    expect(await rotateMain(['--stack', SINGLE, '--only', 'turn-secret', '--yes'], d)).toBe(1);
    const text = d.stdout.join('');
    expect(text).toContain('  i-0signaling000000a  signaling  ✗ did not answer: no answer through SSM within the bound');
    expect(text).toContain(`  npm run rotate -- --stack ${SINGLE} --only turn-secret --hosts-only --yes`);

    // The retry asks the hosts again and leaves Pulumi alone.
    const before = calls().length;
    const retry = deps([SIGNALING]);
    expect(await rotateMain(['--stack', SINGLE, '--only', 'turn-secret', '--hosts-only', '--yes'], retry)).toBe(0);
    expect(calls().length).toBe(before);
    expect(retry.hosts.events.map((e) => e.op)).toEqual(['run']);
    expect(retry.stdout.join('')).toContain(`Hosts of ${SINGLE} asked to pick up turn-secret (the values were not renewed by this run).`);
  });

  it('an AWS error while finding the hosts, after the new values exist: exit 1 with the retry, not a crash', async () => {
    rotationEvents(SINGLE, ['turn-secret']);
    const d = deps([SIGNALING]);
    d.hosts.inventory = async () => {
      throw new Error('ExpiredToken: the security token included in the request is expired');
    };
    expect(await rotateMain(['--stack', SINGLE, '--only', 'turn-secret', '--yes'], d)).toBe(1);
    const text = d.stdout.join('');
    expect(text).toContain('✗ the hosts could not be asked: ExpiredToken: the security token included in the request is expired');
    expect(text).toContain(`  npm run rotate -- --stack ${SINGLE} --only turn-secret --hosts-only --yes`);
    expect(ops()).toContain('up');
    expect(d.hosts.closed).toBe(true);
  });

  it('a stack that is not deployed is a usage error naming it', async () => {
    rotationEvents(SINGLE, ['turn-secret']);
    rmSync(join(state, `.pulumi/stacks/jitsi-eu/${SINGLE}.json`));
    await expect(rotateMain(['--stack', SINGLE, '--yes'], deps([SIGNALING]))).rejects.toThrow(`stack ${SINGLE} does not exist in`);
  });
});

describe('npm run rotate: usage errors, as a user sees them', () => {
  it('an unknown secret name: exit 2 naming it and the secrets that can be rotated', () => {
    const result = runNpmScript('rotate', ['--stack', SINGLE, '--only', 'focus-password,prosody-admin']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --only: no secret named prosody-admin');
    expect(result.stderr).toContain('the secrets rotate can renew: focus-password, jvb-password, turn-secret, jwt-app-secret');
  });

  it('a host account is not a secret of rotate: exit 2 pointing at accounts', () => {
    const result = runNpmScript('rotate', ['--stack', SINGLE, '--only', 'host-password']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`npm run accounts -- reset-password --stack ${SINGLE}`);
  });

  it('a secret the stack does not have: exit 2 saying why', () => {
    const result = runNpmScript('rotate', ['--stack', SINGLE, '--only', 'jwt-app-secret']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--only jwt-app-secret: stack ${SINGLE} has no such secret: its hosts do not sign in with tokens (jitsi-eu:auth is secure, not jwt)`);
  });

  it('--help names the secrets, the default set and where host accounts are reset', () => {
    const result = runNpmScript('rotate', ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('without it: focus-password, jvb-password, turn-secret');
    expect(result.stdout).toContain('Host accounts are not rotated here: npm run accounts -- reset-password');
  });
});
