// npm run deploy of a Hetzner Cloud stack whose signaling node is kept, as a user runs it, against
// the stand-in `pulumi` executable and a loopback channel that checks signatures as the host does:
// the deployed node's identity reaches the program in preview and up, the node is asked which
// revision it runs, the signaling archive is sent only when that differs, a failed apply exits 1
// with the way to try again, and neither the channel key nor anything secret is ever printed.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SIGNALING_PRIVATE_IP } from '../../infra/private-network.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { roleArchive, type RoleArchive } from '../../infra/render/delivery.ts';
import { PROJECT_DIR, stackFileFor } from '../../infra/spec/index.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { CHANNEL_APPLY_PATH } from '../../infra/channel.ts';
import { applyScript } from '../../scripts/deploy/channel-apply.ts';
import { channelKeyPair, startChannelHost, type ChannelHost, type ChannelReply } from '../helpers/channel-host.ts';
import { writeCloudStack } from '../helpers/cloud-stacks.ts';
import { runNpmScriptAsync } from '../helpers/npm-run.ts';
import { createTestCa, type TestCa } from '../helpers/test-ca.ts';
import { tempDir } from '../helpers/tools.ts';

const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const STACK = 'chan-stub-hetzner';
const TOKEN = 'hcloud-token-that-must-never-be-printed';
const keys = channelKeyPair();
const KEY_BODY = keys.privateKeyPem.split('\n')[1]!;

let dir: ReturnType<typeof tempDir>;
let ca: TestCa;
let caFile: string;
let archive: RoleArchive;
let host: ChannelHost;
let state: string;
let log: string;
let removeStack = () => {};
/** What the stand-in host answers: its recorded revision, and the agent's answer to an apply. */
let hostRevision: string;
let applyReply: ChannelReply;

beforeAll(async () => {
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  removeStack = writeCloudStack('hetzner', STACK);
  const { spec } = loadSpecOrThrow(stackFileFor(STACK), STACK);
  archive = roleArchive(spec, renderBundle(spec), 'signaling', { signalingPrivateIp: SIGNALING_PRIVATE_IP });
  dir = tempDir();
  ca = createTestCa(dir.path);
  caFile = join(dir.path, 'channel-ca.pem');
  writeFileSync(caFile, ca.caCertPem);
  host = await startChannelHost({
    ca,
    domain: spec.domain,
    publicKeyPem: keys.publicKeyPem,
    run: (script) => (script.startsWith('cat ') ? { exitCode: 0, stdout: `${hostRevision}\n`, stderr: '', seconds: 0 } : applyReply),
  });
});
afterAll(async () => {
  await host.stop();
  removeStack();
  dir.remove();
});
beforeEach(() => {
  host.scripts.length = 0;
  state = join(dir.path, `state-${Math.random().toString(36).slice(2)}`);
  log = join(state, 'calls.jsonl');
  hostRevision = 'a0a0a0a0a0a0';
  applyReply = { exitCode: 0, stdout: JSON.stringify({ revision: archive.revision, changed: ['etc/prosody/conf.d/x.cfg.lua', 'etc/jitsi/meet/x-config.js'], services: [{ unit: 'prosody.service', action: 'reload' }] }), stderr: '', seconds: 3 };
});
afterEach(() => {});

function existingStack(signalingHost: string | undefined) {
  mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
  const outputs = signalingHost ? { signalingHost, channelUrl: host.url, channelPrivateKey: keys.privateKeyPem } : {};
  writeFileSync(join(state, '.pulumi/stacks/jitsi-eu', `${STACK}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 12, outputs, history: [] }));
}

const calls = (): { args: string[]; env: Record<string, string> }[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const deployedHost = (op: string) => calls().filter((c) => c.args[0] === op).map((c) => c.env.JITSI_EU_DEPLOYED_SIGNALING_HOST ?? null);

function deploy(signalingHostAfter: string, args: string[] = []) {
  return runNpmScriptAsync('deploy', ['--stack', STACK, '--yes', '--no-wait', ...args], {
    PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`,
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: 'stub-test-passphrase',
    HCLOUD_TOKEN: TOKEN,
    JITSI_EU_CHANNEL_CA: caFile,
    FAKE_PULUMI_LOG: log,
    FAKE_PULUMI_SECRET_OUTPUTS: 'channelPrivateKey',
    FAKE_PULUMI_OUTPUTS: JSON.stringify({
      cloud: 'hetzner', url: `https://${STACK}.example`, publicIp: '192.0.2.44', region: 'fsn1', signalingInstanceId: '4711',
      signalingHost: signalingHostAfter, channelUrl: host.url, channelPrivateKey: keys.privateKeyPem,
    }),
  }, 120_000);
}

function expectNothingSecret(result: { stdout: string; stderr: string }) {
  const all = result.stdout + result.stderr;
  expect(all).not.toContain(KEY_BODY);
  expect(all).not.toContain('PRIVATE KEY');
  expect(all).not.toContain(TOKEN);
  expect(all).not.toContain(archive.archive.toString('base64').slice(0, 60));
}

describe('deploy of a Hetzner Cloud stack through the channel', () => {
  it('kept node on an older revision: the deployed identity goes to preview and up, the archive is sent and the agent answer reported', async () => {
    existingStack('host-identity-1');
    const result = await deploy('host-identity-1');
    expect(result.code, result.stderr).toBe(0);
    expect(deployedHost('preview')).toEqual(['host-identity-1']);
    expect(deployedHost('up')).toEqual(['host-identity-1']);
    expect(host.scripts).toHaveLength(2);
    expect(host.scripts[0]).toBe('cat /etc/jitsi-eu/revision 2>/dev/null || true');
    expect(host.scripts[1]).toBe(applyScript(archive));
    expect(host.scripts[1]!.split('\n')[0]).toBe(`base64 -d <<'EOF' | ${CHANNEL_APPLY_PATH} ${archive.revision} ${archive.sha256}`);
    expect(Buffer.from(host.scripts[1]!.split('\n').slice(1, -2).join(''), 'base64').equals(archive.archive)).toBe(true);
    expect(result.stderr).toContain(`sending revision ${archive.revision} to the signaling node (it runs a0a0a0a0a0a0)`);
    expect(result.stdout).toMatch(new RegExp(`configuration +4711 \\(signaling\\): revision ${archive.revision}, 2 files changed, reload prosody.service`));
    expectNothingSecret(result);
  });

  it('kept node already on this revision: asked, nothing sent', async () => {
    existingStack('host-identity-1');
    hostRevision = archive.revision;
    const result = await deploy('host-identity-1', ['--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(host.scripts).toEqual(['cat /etc/jitsi-eu/revision 2>/dev/null || true']);
    expect(result.stderr).toContain(`the signaling node runs revision ${archive.revision} already: nothing to apply`);
    const json = JSON.parse(result.stdout) as { outputs: Record<string, unknown>; applied: unknown[] };
    expect(json.outputs.channelPrivateKey).toBe('[secret]');
    expect(json.applied).toEqual([{ instanceId: '4711', role: 'signaling', ok: true, revision: archive.revision, changed: [], services: [] }]);
    expectNothingSecret(result);
  });

  it('the apply fails on the host: exit 1, what the host said, and the command to try again', async () => {
    existingStack('host-identity-1');
    applyReply = { exitCode: 1, stdout: '', stderr: 'jitsi-eu-apply: prosody did not reload\n', seconds: 2 };
    const result = await deploy('host-identity-1');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ chan-stub-hetzner: the signaling node did not apply the new configuration: the script ended with exit code 1: jitsi-eu-apply: prosody did not reload');
    expect(result.stdout).toContain(`run npm run deploy -- --stack ${STACK} again: it sends the configuration to the signaling node through the channel`);
    expectNothingSecret(result);
  });

  it('a new node identity (or a first deploy): nothing goes through the channel; without a recorded identity none reaches the program', async () => {
    existingStack('host-identity-1');
    const replaced = await deploy('host-identity-2');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(host.scripts).toEqual([]);
    expect(replaced.stderr).toContain('the signaling node was created by this update and boots with this configuration');

    state = join(dir.path, 'state-first');
    log = join(state, 'calls.jsonl');
    existingStack(undefined);
    const first = await deploy('host-identity-1');
    expect(first.code, first.stderr).toBe(0);
    expect(deployedHost('preview')).toEqual([null]);
    expect(deployedHost('up')).toEqual([null]);
    expect(host.scripts).toEqual([]);
  });
});
