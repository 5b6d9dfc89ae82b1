// npm run rotate on a Hetzner Cloud stack, as a user runs it: the stand-in `pulumi` executable
// holds the stack's outputs (its channel), and a loopback channel checks signatures as the host
// does and runs what it accepts with bash, in a folder standing for the signaling node. The host
// agent is stood in by a script that reads each secret the way the real one does (cloud_secret_get
// of the rendered cloud.sh, which makes a missing service secret) and prints the agent's report.
// So the secrets really change on the "node", only the chosen ones, and no value is ever printed.
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderBundle } from '../../infra/render/bundle.ts';
import { CLOUD_SCRIPT_PATH, HOST_SECRETS_DIR } from '../../infra/render/cloud-layer.ts';
import { PROJECT_DIR, stackFileFor } from '../../infra/spec/index.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { APPLY_SCRIPT } from '../../scripts/rotate/hosts.ts';
import { bashRunner, channelKeyPair, startChannelHost, type ChannelHost, type ChannelReply } from '../helpers/channel-host.ts';
import { writeCloudStack } from '../helpers/cloud-stacks.ts';
import { runNpmScriptAsync } from '../helpers/npm-run.ts';
import { createTestCa } from '../helpers/test-ca.ts';
import { tempDir } from '../helpers/tools.ts';

const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const STACK = 'rotate-chan-hetzner';
const keys = channelKeyPair();
const SECRETS = ['focus-password', 'jvb-password', 'turn-secret', 'host-password'];

let dir: ReturnType<typeof tempDir>;
let secrets: string;
let host: ChannelHost;
let state: string;
let removeStack = () => {};
let override: ((script: string) => ChannelReply | undefined) | undefined;
let before: Record<string, string>;

/** The agent as far as rotation needs it: reads the secrets its files name, then reports. */
const STUB_AGENT = `#!/bin/bash
set -eu
log() { echo "$*" >&2; }
source "$CLOUD_SH"
for name in focus-password jvb-password turn-secret; do cloud_secret_get "$name" >/dev/null; done
echo '{"revision":"a1b2c3d4e5f6","role":"signaling","changed":["etc/jitsi/jicofo/jicofo.conf","etc/turnserver.conf"],"services":[{"unit":"coturn.service","action":"restart"},{"unit":"jicofo.service","action":"restart"}],"unchanged":false}'
`;

beforeAll(async () => {
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  removeStack = writeCloudStack('hetzner', STACK, { 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 2, max: 2, instanceType: 'ccx33' }, 'jitsi-eu:turn': true });
  const { spec } = loadSpecOrThrow(stackFileFor(STACK), STACK);
  dir = tempDir();
  secrets = join(dir.path, 'secrets');
  const cloudSh = join(dir.path, 'cloud.sh');
  writeFileSync(cloudSh, renderBundle(spec).files.find((f) => f.path === CLOUD_SCRIPT_PATH.slice(1))!.content);
  const conf = join(dir.path, 'agent.conf');
  writeFileSync(conf, 'JITSI_EU_APPLY_ROLE=signaling\n');
  const agent = join(dir.path, 'jitsi-eu-apply');
  writeFileSync(agent, STUB_AGENT);
  chmodSync(agent, 0o755);
  const ca = createTestCa(dir.path);
  writeFileSync(join(dir.path, 'ca.pem'), ca.caCertPem);
  const run = bashRunner(
    { CLOUD_SH: cloudSh, JITSI_EU_SECRETS_DIR: secrets, JITSI_EU_APPLY_CONF: conf, JITSI_EU_BRIDGE_SHARE_CONF: join(dir.path, 'no-share.conf') },
    [[HOST_SECRETS_DIR, secrets], [APPLY_SCRIPT.split(' ')[0]!, agent]],
  );
  host = await startChannelHost({ ca, domain: spec.domain, publicKeyPem: keys.publicKeyPem, run: (script, seconds) => override?.(script) ?? run(script, seconds) });
});
afterAll(async () => {
  await host.stop();
  removeStack();
  dir.remove();
});
beforeEach(() => {
  host.scripts.length = 0;
  override = undefined;
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  before = Object.fromEntries(SECRETS.map((name, i) => [name, `old-${name}-${i}`.padEnd(48, 'x')]));
  for (const [name, value] of Object.entries(before)) writeFileSync(join(secrets, name), value, { mode: 0o600 });
  state = join(dir.path, `state-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
  const outputs = { signalingInstanceId: '4711', channelUrl: host.url, channelPrivateKey: keys.privateKeyPem };
  writeFileSync(join(state, '.pulumi/stacks/jitsi-eu', `${STACK}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 12, outputs, history: [] }));
});

const secret = (name: string) => readFileSync(join(secrets, name), 'utf8');

function rotate(args: string[]) {
  return runNpmScriptAsync('rotate', ['--stack', STACK, ...args], {
    PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`,
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: 'stub-test-passphrase',
    JITSI_EU_CHANNEL_CA: join(dir.path, 'ca.pem'),
  }, 120_000);
}

function expectNoValue(result: { stdout: string; stderr: string }) {
  const all = result.stdout + result.stderr;
  for (const name of SECRETS) {
    expect(all).not.toContain(before[name]);
    expect(all).not.toContain(secret(name));
  }
  expect(all).not.toContain('PRIVATE KEY');
}

describe('npm run rotate on a Hetzner Cloud stack, through the channel', () => {
  it('the signaling node makes new values for the default set it can rotate; the bridges\' password and host accounts stay', async () => {
    const result = await rotate(['--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    for (const name of ['focus-password', 'turn-secret']) {
      expect(secret(name)).toMatch(/^[0-9a-f]{48}$/);
      expect(statSync(join(secrets, name)).mode & 0o777).toBe(0o600);
    }
    expect(secret('jvb-password')).toBe(before['jvb-password']);
    expect(secret('host-password')).toBe(before['host-password']);
    expect(host.scripts).toHaveLength(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; secrets: string[]; keptIn: string; hosts: { instanceId: string; state: string; agent: { services: unknown[] } }[] };
    expect(report).toMatchObject({ ok: true, secrets: ['focus-password', 'turn-secret'], keptIn: 'signaling-node' });
    expect(report.hosts).toMatchObject([{ instanceId: '4711', state: 'applied', agent: { services: [{ unit: 'coturn.service', action: 'restart' }, { unit: 'jicofo.service', action: 'restart' }] } }]);
    // The plan's words go to stderr with --json; no Pulumi preview or update is mentioned.
    expect(result.stderr).toContain("through the stack's channel the signaling node drops the old values and runs jitsi-eu-apply");
    expect(result.stderr).not.toMatch(/pulumi (up|preview)/);
    expectNoValue(result);
  });

  it('--preview-only says what happens and changes nothing, without Pulumi or the channel', async () => {
    const result = await runNpmScriptAsync('rotate', ['--stack', STACK, '--preview-only', '--only', 'focus-password'], { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` }, 60_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('focus-password: jicofo');
    expect(result.stdout).toContain('While jicofo restarts');
    expect(host.scripts).toEqual([]);
    expect(secret('focus-password')).toBe(before['focus-password']);
  });

  it('a stack deployed before the channel: exit 2 saying so, before any confirmation, nothing sent', async () => {
    writeFileSync(join(state, '.pulumi/stacks/jitsi-eu', `${STACK}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 12, outputs: { signalingInstanceId: '4711' }, history: [] }));
    const result = await rotate(['--only', 'focus-password']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`stack ${STACK} has no operator channel yet`);
    expect(result.stderr).not.toContain('needs a confirmation');
    expect(host.scripts).toEqual([]);
  });

  it('jvb-password on a pool: refused with the reason and the way, nothing sent', async () => {
    const result = await rotate(['--yes', '--only', 'jvb-password']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--only jvb-password: the bridges of rotate-chan-hetzner fetched the videobridge password from the signaling node once, at boot');
    expect(result.stderr).toContain('--replace');
    expect(host.scripts).toEqual([]);
  });

  it('the agent fails: exit 1, the node may hold new values, and the retry runs only the agent', async () => {
    override = (script) => (script.includes('rm -f') ? { exitCode: 1, stdout: '', stderr: 'jitsi-eu-apply: prosody did not reload\n', seconds: 1 } : undefined);
    const failed = await rotate(['--yes', '--only', 'focus-password']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Rotating focus-password of rotate-chan-hetzner did not finish on the signaling node');
    expect(failed.stdout).toContain('prosody did not reload');
    expect(failed.stdout).toContain('npm run rotate -- --stack rotate-chan-hetzner --only focus-password --hosts-only --yes');

    override = undefined;
    const retried = await rotate(['--yes', '--only', 'focus-password', '--hosts-only']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(host.scripts.slice(-1)[0]).not.toContain('rm -f');
    expect(secret('focus-password')).toBe(before['focus-password']);
    expect(retried.stdout).toContain('Hosts of rotate-chan-hetzner asked to pick up focus-password');
  });
});
