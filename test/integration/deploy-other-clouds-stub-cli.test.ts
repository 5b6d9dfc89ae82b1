// npm run deploy on a Hetzner Cloud stack as a user runs it, in a pipe, against the stand-in
// `pulumi` executable: the token is asked for before Pulumi previews anything, the preview says in
// words that a new configuration replaces the server, and a confirmed deploy has no SSM step,
// pins no image and prints the cloud's own outputs; a new signaling node gets nothing through the channel. The token never appears in any output.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR, stackFileFor } from '../../infra/spec/index.ts';
import { previewRun, replace, same, type FixtureResource } from '../fixtures/fake-pulumi/preview-events.ts';
import { writeCloudStack } from '../helpers/cloud-stacks.ts';
import { runNpmScript } from '../helpers/npm-run.ts';
import { tempDir } from '../helpers/tools.ts';

const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const STACK = 'c11-stub-hetzner';
const TOKEN = 'hcloud-token-that-must-never-be-printed';

const server: FixtureResource = {
  chain: ['jitsi-eu:hetzner:SignalingNode', 'hcloud:index/server:Server'],
  name: 'signaling-server',
  inputs: { serverType: 'ccx23', image: 'debian-12', userData: '#cloud-config', labels: { 'jitsi-eu/role': 'signaling' } },
};
const firewall: FixtureResource = { chain: ['jitsi-eu:hetzner:Network', 'hcloud:index/firewall:Firewall'], name: 'firewall', inputs: {} };
const REPLACE_SERVER = previewRun([same(firewall), ...replace(server, { userData: 'update-replace' })], { same: 11, replace: 1 });

let dir: ReturnType<typeof tempDir>;
let state: string;
let log: string;
let removeStack = () => {};

beforeAll(() => {
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  removeStack = writeCloudStack('hetzner', STACK);
});
afterAll(() => removeStack());
beforeEach(() => {
  dir = tempDir();
  state = join(dir.path, 'state');
  log = join(dir.path, 'calls.jsonl');
  // The stack exists already (deployed before).
  mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
  writeFileSync(join(state, '.pulumi/stacks/jitsi-eu', `${STACK}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 12, outputs: {}, history: [] }));
  writeFileSync(join(dir.path, 'events.json'), JSON.stringify(REPLACE_SERVER.events));
});
afterEach(() => dir.remove());

const calls = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { args: string[] }).args[0]!) : []);

function deploy(args: string[], env: Record<string, string>) {
  return runNpmScript('deploy', ['--stack', STACK, ...args], {
    PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`,
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: 'stub-test-passphrase',
    FAKE_PULUMI_LOG: log,
    FAKE_PULUMI_EVENTS: join(dir.path, 'events.json'),
    FAKE_PULUMI_OUTPUTS: JSON.stringify({ cloud: 'hetzner', url: `https://${STACK}.jitsi-eu-selftest.eu`, publicIp: '192.0.2.44', region: 'fsn1', signalingInstanceId: '4711', hourlyCostEur: 0.06 }),
    ...env,
  }, 120_000);
}

describe('npm run deploy of a Hetzner Cloud stack through the stub CLI', () => {
  it('without HCLOUD_TOKEN: exit 2 naming it and the fix, and Pulumi previews nothing', () => {
    const result = deploy(['--yes'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: HCLOUD_TOKEN is not set: Hetzner Cloud needs an API token of the project jitsi-eu deploys into.');
    expect(result.stderr).toContain('export HCLOUD_TOKEN=<the token>');
    expect(calls()).not.toContain('preview');
    expect(calls()).not.toContain('up');
  });

  it('the preview says the server is replaced because its configuration travels in user data, then asks (exit 2 in a pipe)', () => {
    const result = deploy([], { HCLOUD_TOKEN: TOKEN });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Preview of c11-stub-hetzner: 1 to replace, 0 to change, 0 to create, 0 to delete, 11 unchanged\n/);
    expect(result.stdout).toContain(
      "[ends meetings] The server (it runs the whole deployment, videobridge included) is replaced (new user data: the Jitsi release, the image or the server type changed, or the stack has no record of the node it runs; a change of configuration alone is applied in place): meetings in progress end",
    );
    expect(result.stderr).toContain('error: deploy of c11-stub-hetzner needs a confirmation, and this is not a terminal');
    // stack select, then the outputs of the last deploy (masked, and with secrets: the Automation API's two calls).
    expect(calls()).toEqual(['version', 'stack', 'stack', 'stack', 'preview']);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('with --yes: no SSM step and no image pin; the summary names the cloud and the server', () => {
    const before = readFileSync(stackFileFor(STACK), 'utf8');
    const result = deploy(['--yes', '--no-wait'], { HCLOUD_TOKEN: TOKEN });
    expect(result.code).toBe(0);
    expect(calls().filter((c) => c === 'preview' || c === 'up')).toEqual(['preview', 'up']);
    // The stack's last deploy recorded no signaling host: the node is new, nothing goes through the channel.
    expect(result.stderr).toContain('the signaling node was created by this update and boots with this configuration: nothing to send through the channel');
    expect(result.stdout).toMatch(/✓ c11-stub-hetzner deployed\n/);
    expect(result.stdout).toMatch(/ {2}cloud +Hetzner Cloud\n {2}signaling server +4711\n/);
    expect(result.stdout).not.toMatch(/ssm|amazonaws|aws /i);
    expect(readFileSync(stackFileFor(STACK), 'utf8')).toBe(before);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });
});
