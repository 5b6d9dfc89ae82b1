// npm run deploy of a Hetzner Cloud scale-in, as a user runs it, against the stand-in `pulumi`
// executable and a loopback channel that checks signatures as the host does and runs what it
// accepts with bash, in a folder standing for the signaling node's bridge share. Jicofo's debug
// state is a loopback stand-in in its upstream shape, whose bridges enter drain mode once their
// request file exists. Deploy writes the requests, waits for the bridge to be empty, and then
// runs `pulumi up`; `--drain-wait 0` skips it, a channel that fails stops the deploy before any
// change, and a failed `up` takes the requests back.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PORTS } from '../../infra/ports.ts';
import { BRIDGE_SHARE_DIR } from '../../infra/render/cloud-layer.ts';
import { SIGNALING_PRIVATE_IP } from '../../infra/private-network.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { roleArchive } from '../../infra/render/delivery.ts';
import { PROJECT_DIR, stackFileFor } from '../../infra/spec/index.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { JICOFO_BRIDGES_COMMAND } from '../../scripts/lib/jicofo-bridges.ts';
import { previewRun, remove, same, type FixtureResource } from '../fixtures/fake-pulumi/preview-events.ts';
import { bashRunner, channelKeyPair, startChannelHost, type ChannelHost, type ChannelReply } from '../helpers/channel-host.ts';
import { writeCloudStack } from '../helpers/cloud-stacks.ts';
import { runNpmScriptAsync } from '../helpers/npm-run.ts';
import { createTestCa } from '../helpers/test-ca.ts';
import { tempDir } from '../helpers/tools.ts';

const STUB_BIN = resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const STACK = 'drain-stub-hetzner';
const keys = channelKeyPair();
/** The id the preview's fixture gives every existing resource: the leaving bridge's server id. */
const BRIDGE_ID = 'i-0aaaaaaaaaaaaaaaa';

const bridge = (name: string): FixtureResource => ({
  chain: ['jitsi-eu:hetzner:BridgePool', 'hcloud:index/server:Server'],
  name,
  inputs: { serverType: 'ccx33', image: 'debian-12', userData: '#cloud-config', labels: { 'jitsi-eu/role': 'bridge' } },
});
const SCALE_IN = previewRun([same(bridge('bridges-1')), remove(bridge('bridges-2'))], { same: 11, delete: 1 });

let dir: ReturnType<typeof tempDir>;
let share: string;
let host: ChannelHost;
let jicofo: Server;
let state: string;
let log: string;
let removeStack = () => {};
/** Replaces what the channel does with an accepted script (a refusal, say). */
let override: ((script: string) => ChannelReply | undefined) | undefined;

beforeAll(async () => {
  chmodSync(join(STUB_BIN, 'pulumi'), 0o755);
  removeStack = writeCloudStack('hetzner', STACK, { 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': { min: 1, max: 1, instanceType: 'ccx33' } });
  dir = tempDir();
  share = join(dir.path, 'bridge-share');
  writeFileSync(join(dir.path, 'events.json'), JSON.stringify(SCALE_IN.events));
  // Jicofo as the signaling node's loopback shows it: the bridge drains once its request exists.
  jicofo = createServer((req, res) => {
    const requested = existsSync(join(share, 'drain', BRIDGE_ID));
    const bridges = { [`jvbbrewery@internal.auth.${STACK}.example/${BRIDGE_ID}`]: { drain: requested, endpoints: requested ? 0 : 2, operational: true } };
    res.writeHead(req.url === '/debug' ? 200 : 404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ bridge_selector: { bridge: bridges } }));
  });
  await new Promise<void>((r) => jicofo.listen(0, '127.0.0.1', r));
  const runScript = bashRunner({}, [[BRIDGE_SHARE_DIR, share], [`127.0.0.1:${PORTS.jicofoRest}`, `127.0.0.1:${(jicofo.address() as AddressInfo).port}`]]);
  const ca = createTestCa(dir.path);
  writeFileSync(join(dir.path, 'ca.pem'), ca.caCertPem);
  // After the update deploy asks which configuration the kept node runs: the current one.
  const { spec } = loadSpecOrThrow(stackFileFor(STACK), STACK);
  const revision = roleArchive(spec, renderBundle(spec), 'signaling', { signalingPrivateIp: SIGNALING_PRIVATE_IP }).revision;
  const asked = (script: string): ChannelReply | undefined => (script.startsWith('cat ') ? { exitCode: 0, stdout: `${revision}\n`, stderr: '', seconds: 0 } : undefined);
  host = await startChannelHost({ ca, domain: spec.domain, publicKeyPem: keys.publicKeyPem, run: (script, seconds) => override?.(script) ?? asked(script) ?? runScript(script, seconds) });
});
afterAll(async () => {
  await host.stop();
  await new Promise((r) => jicofo.close(r));
  removeStack();
  dir.remove();
});
beforeEach(() => {
  host.scripts.length = 0;
  override = undefined;
  state = join(dir.path, `state-${Math.random().toString(36).slice(2)}`);
  log = join(state, 'calls.jsonl');
  mkdirSync(join(state, '.pulumi/stacks/jitsi-eu'), { recursive: true });
  const outputs = { signalingHost: 'host-identity-1', channelUrl: host.url, channelPrivateKey: keys.privateKeyPem };
  writeFileSync(join(state, '.pulumi/stacks/jitsi-eu', `${STACK}.json`), JSON.stringify({ secretsProvider: 'passphrase', resources: 12, outputs, history: [] }));
});

const calls = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { args: string[] }).args[0]!) : []);
const requests = () => (existsSync(join(share, 'drain')) ? readdirSync(join(share, 'drain')) : []);

function deploy(args: string[], env: Record<string, string> = {}) {
  return runNpmScriptAsync('deploy', ['--stack', STACK, '--yes', '--no-wait', ...args], {
    PATH: `${STUB_BIN}:${dirname(process.execPath)}:/usr/bin:/bin`,
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: 'stub-test-passphrase',
    HCLOUD_TOKEN: 'hcloud-token-that-must-never-be-printed',
    JITSI_EU_CHANNEL_CA: join(dir.path, 'ca.pem'),
    FAKE_PULUMI_LOG: log,
    FAKE_PULUMI_EVENTS: join(dir.path, 'events.json'),
    FAKE_PULUMI_SECRET_OUTPUTS: 'channelPrivateKey',
    FAKE_PULUMI_OUTPUTS: JSON.stringify({ cloud: 'hetzner', url: `https://${STACK}.example`, publicIp: '192.0.2.44', region: 'fsn1', signalingInstanceId: '4711', signalingHost: 'host-identity-1', channelUrl: host.url, channelPrivateKey: keys.privateKeyPem }),
    ...env,
  }, 120_000);
}

describe('deploy of a Hetzner Cloud scale-in', () => {
  it('drains the leaving bridge through the signaling node before pulumi up, and says so in the preview and the summary', async () => {
    const result = await deploy([]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('1 bridge server is removed. Before the update deploy asks it, through the signaling node, to take no new meetings, and waits up to 1h (--drain-wait)');
    // The request, then the reading that found the bridge empty in drain mode; then pulumi up.
    expect(host.scripts).toHaveLength(3);
    expect(host.scripts[0]).toContain(`for id in ${BRIDGE_ID}; do`);
    expect(host.scripts[1]).toBe(JICOFO_BRIDGES_COMMAND);
    expect(requests()).toEqual([BRIDGE_ID]);
    const expiry = Number(readFileSync(join(share, 'drain', BRIDGE_ID), 'utf8'));
    expect(expiry - Date.now() / 1000).toBeGreaterThan(3600);
    expect(expiry - Date.now() / 1000).toBeLessThan(3600 + 15 * 60 + 5);
    expect(calls()).toContain('up');
    expect(result.stderr).toContain(`asking 1 leaving bridge (${BRIDGE_ID}) to take no new meetings, through the signaling node`);
    expect(result.stderr).toContain(`draining: ${BRIDGE_ID} empty`);
    expect(result.stdout).toMatch(new RegExp(`drained first +${BRIDGE_ID} drained \\(0m\\)`));
    expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
  });

  it('--drain-wait 0: nothing goes through the channel before the update, and the preview says the drain is cut', async () => {
    const result = await deploy(['--drain-wait', '0', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(host.scripts.filter((s) => s.includes('drain'))).toEqual([]);
    expect(result.stderr).toContain('1 bridge server is removed without a drain first (--drain-wait 0, or the stack has no channel yet)');
    expect((JSON.parse(result.stdout) as { drained?: unknown }).drained).toBeUndefined();
  });

  it('the signaling node does not take the requests: exit 1 before pulumi up, with the way on', async () => {
    override = (script) => (script.includes('for id in') ? { exitCode: 1, stdout: '', stderr: 'install: invalid group www-data\n', seconds: 0 } : undefined);
    const result = await deploy([]);
    expect(result.code).toBe(1);
    expect(calls()).not.toContain('up');
    expect(result.stdout).toContain('the drain requests could not be written on the signaling node');
    expect(result.stdout).toContain('nothing was changed');
    expect(result.stdout).toContain('--drain-wait 0');
  });

  it('pulumi up fails: the requests are taken back, so the bridge takes new meetings again', async () => {
    const result = await deploy([], { FAKE_PULUMI_FAIL: 'up' });
    expect(result.code).toBe(1);
    expect(host.scripts).toHaveLength(3);
    expect(host.scripts[2]).toContain('for id in ; do');
    expect(requests()).toEqual([]);
    expect(result.stdout).toContain('the drained bridges take new meetings again');
  });

  it('a malformed --drain-wait is a usage error naming the option', async () => {
    const result = await deploy(['--drain-wait', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--drain-wait "soon" is not a duration');
    expect(calls()).toEqual([]);
  });
});
