// deploy of a Hetzner Cloud stack whose signaling node is replaced: the accounts added with
// `npm run accounts` are read through the channel before `pulumi up` and written on the new node
// once it answers as ready, then synced into Prosody. The channel's scripts run for real with
// bash in a folder standing for the node's secrets; `up` empties it, as a new node starts empty.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HOST_SECRETS_DIR } from '../../infra/render/cloud-layer.ts';
import { ACCOUNTS_SCRIPT_PATH } from '../../infra/render/os.ts';
import { deployMain, type DeployDeps } from '../../scripts/deploy/main.ts';
import type { HostAnswer } from '../../scripts/lib/host-commands.ts';
import type { StackOutputs } from '../../scripts/lib/workspace.ts';
import { PASSING_PROBES } from '../fixtures/fake-pulumi/memory-deps.ts';
import { MemoryWorkspace } from '../fixtures/fake-pulumi/memory-workspace.ts';
import { previewRun, replace, same, type FixtureResource } from '../fixtures/fake-pulumi/preview-events.ts';
import { bashRunner, channelKeyPair } from '../helpers/channel-host.ts';
import { writeCloudStack } from '../helpers/cloud-stacks.ts';
import { tempDir } from '../helpers/tools.ts';

const STACK = 'carry-hetzner';
const PASSWORDS = { alice: "pa55-'quoted' word", bob: 'b0b-Ünïcode-pass' };

const signaling: FixtureResource = {
  chain: ['jitsi-eu:hetzner:SignalingNode', 'hcloud:index/server:Server'],
  name: 'signaling-server',
  inputs: { serverType: 'ccx23', image: 'debian-12', userData: '#cloud-config', labels: { 'jitsi-eu/role': 'signaling' } },
};
const firewall: FixtureResource = { chain: ['jitsi-eu:hetzner:Network', 'hcloud:index/firewall:Firewall'], name: 'firewall', inputs: {} };

const value = (v: unknown) => ({ value: v, secret: false });
const OUTPUTS: StackOutputs = {
  cloud: value('hetzner'), url: value(`https://${STACK}.example`), publicIp: value('192.0.2.44'), region: value('fsn1'), signalingInstanceId: value('4711'),
  signalingHost: value('host-1'), channelUrl: value('https://192.0.2.44/_jitsi-eu/channel/run'), channelPrivateKey: { value: channelKeyPair().privateKeyPem, secret: true },
};

let dir: ReturnType<typeof tempDir>;
let secrets: string;
let syncLog: string;
let removeStack = () => {};
let run: ReturnType<typeof bashRunner>;

beforeAll(() => {
  removeStack = writeCloudStack('hetzner', STACK);
  dir = tempDir();
  secrets = join(dir.path, 'secrets');
  syncLog = join(dir.path, 'sync.log');
  const stub = join(dir.path, 'accounts.sh');
  writeFileSync(stub, '#!/bin/bash\nset -eu\necho "$1 $(cd "$JITSI_EU_SECRETS_DIR/accounts" && ls | tr \'\\n\' \' \')" >>"$SYNC_LOG"\necho "2026-12-07T12:00:00Z jitsi-eu: host accounts synced"\n');
  chmodSync(stub, 0o755);
  run = bashRunner({ JITSI_EU_SECRETS_DIR: secrets, SYNC_LOG: syncLog }, [[HOST_SECRETS_DIR, secrets], [ACCOUNTS_SCRIPT_PATH, stub]]);
});
afterAll(() => {
  removeStack();
  dir.remove();
});
beforeEach(() => {
  rmSync(secrets, { recursive: true, force: true });
  mkdirSync(join(secrets, 'accounts'), { recursive: true, mode: 0o700 });
  for (const [name, password] of Object.entries(PASSWORDS)) writeFileSync(join(secrets, 'accounts', name), password, { mode: 0o600 });
  writeFileSync(syncLog, '');
});

interface Seen {
  stdout: string;
  messages: string[];
  scripts: string[];
}

function deploy(args: string[], options: { failRestore?: boolean; oldNodeSilent?: boolean } = {}): Promise<{ code: number; seen: Seen }> {
  const ws = new MemoryWorkspace();
  ws.seed(STACK, undefined, { resources: 12, outputs: OUTPUTS });
  ws.previewFor = () => previewRun([same(firewall), ...replace(signaling, { image: 'update-replace' })], { same: 11, replace: 1 });
  // `up` makes the new node, which starts with no accounts.
  let replaced = false;
  ws.outputsFor = () => {
    replaced = true;
    rmSync(join(secrets, 'accounts'), { recursive: true, force: true });
    return OUTPUTS;
  };
  const seen: Seen = { stdout: '', messages: [], scripts: [] };
  const send = async (script: string): Promise<HostAnswer> => {
    seen.scripts.push(script);
    if (options.oldNodeSilent && !replaced) return { state: 'no-answer', stdout: '', detail: 'the channel did not answer within 600s' };
    if (options.failRestore && replaced) return { state: 'failed', stdout: '', exitCode: 1, detail: 'the script ended with exit code 1: accounts.sh: prosody is not running' };
    const answer = await run(script, 60);
    return answer.exitCode === 0 ? { state: 'answered', stdout: answer.stdout, exitCode: 0 } : { state: 'failed', stdout: answer.stdout, exitCode: answer.exitCode, detail: answer.stderr };
  };
  const d: DeployDeps = {
    openWorkspace: async () => ws,
    requireCredentials: async () => {},
    requireCloudCredentials: () => {},
    loadVerify: async () => ({ run: async (request) => ({ url: request.url, verdict: 'pass', checks: [], durationMs: 1 }) }),
    probes: PASSING_PROBES,
    intervalMs: 1,
    out: (t) => void (seen.stdout += t),
    progress: (m) => void seen.messages.push(m),
    onOutput: () => {},
    interactive: () => false,
    ask: async () => 'n',
    openChannel: () => send,
    applyThroughChannel: async () => [],
  };
  return deployMain(['--stack', STACK, '--yes', ...args], d).then((code) => ({ code, seen }));
}

const account = (name: string) => join(secrets, 'accounts', name);

function expectNoPassword(seen: Seen) {
  const shown = seen.stdout + seen.messages.join('\n');
  for (const password of Object.values(PASSWORDS)) expect(shown).not.toContain(password);
}

describe('deploy replacing the signaling node of a Hetzner Cloud stack with host accounts', () => {
  it('reads the accounts before the update and writes them, with their passwords, on the new node once it is ready', async () => {
    const { code, seen } = await deploy([]);
    expect(code, seen.stdout).toBe(0);
    expect(seen.stdout).toContain('Deploy reads the accounts added with npm run accounts first and writes them on the new server once it is ready.');
    for (const [name, password] of Object.entries(PASSWORDS)) {
      expect(readFileSync(account(name), 'utf8')).toBe(password);
      expect(statSync(account(name)).mode & 0o777).toBe(0o600);
    }
    expect(readdirSync(join(secrets, 'accounts'))).toEqual(['alice', 'bob']);
    expect(readFileSync(syncLog, 'utf8')).toBe('sync alice bob \n');
    expect(seen.messages).toContain('read 2 accounts on the signaling node this update replaces: deploy writes them on the new one once it is ready');
    expect(seen.stdout).toMatch(/ {2}accounts +alice, bob carried over to the new signaling node\n/);
    expectNoPassword(seen);
  });

  it('--no-wait: not written back, said with the way to add them again; the deploy itself succeeds', async () => {
    const { code, seen } = await deploy(['--no-wait']);
    expect(code).toBe(0);
    expect(existsSync(join(secrets, 'accounts'))).toBe(false);
    expect(seen.stdout).toContain('alice, bob not carried over: deploy did not wait for the new signaling node (--no-wait)');
    expect(seen.stdout).toContain(`npm run accounts -- add alice --stack ${STACK}`);
    expectNoPassword(seen);
  });

  it('the new node does not take them: exit 1, naming the accounts to add again', async () => {
    const { code, seen } = await deploy([], { failRestore: true });
    expect(code).toBe(1);
    expect(seen.stdout).toContain('the accounts could not be written on the new signaling node');
    expect(seen.stdout).toContain('prosody is not running');
    expect(seen.stdout).toContain(`npm run accounts -- add bob --stack ${STACK}`);
    expectNoPassword(seen);
  });

  it('the old node does not answer (often why it is replaced): said, and the update goes on', async () => {
    const { code, seen } = await deploy([], { oldNodeSilent: true });
    expect(code).toBe(0);
    expect(seen.messages.some((m) => m.startsWith('could not read the accounts on the signaling node this update replaces (') && m.endsWith('they are not carried over'))).toBe(true);
    expect(seen.stdout).not.toMatch(/ {2}accounts +/);
  });
});
