// A bridge's drain watcher following deploy's drain requests (Hetzner Cloud, OpenStack), run for
// real: bash runs the rendered drain.sh watch over the rendered lib.sh and cloud.sh, against the
// signaling node's share and the instance metadata stood in by an HTTP server on loopback, and the
// rehearsal's videobridge REST stand-in (upstream's drain API) on a loopback port. The videobridge
// enters drain mode on a request, leaves it when the request is withdrawn or expires, keeps its
// mode while the share does not answer, and is put back into drain mode after a restart. On AWS
// the watcher follows no request.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_REQUESTS_FOLDER } from '../../infra/lifecycle.ts';
import { PORTS } from '../../infra/ports.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { BOOT_DIR } from '../../infra/render/paths.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { captureOutput, stopChild, waitForTcp } from '../helpers/child-process.ts';
import { makeSpec } from '../helpers/spec.ts';
import { freePort, requireTool, tempDir } from '../helpers/tools.ts';

const BASH = requireTool('bash');
const PYTHON = requireTool('python3');
const REST_STANDIN = join(import.meta.dirname, '../../scripts/rehearse/packages/rest-standin.py');
const HETZNER_ID = '4711';
const OPENSTACK_ID = 'c0ffee00-1111-2222-3333-444455556666';
const POLL = 0.1;

const work = tempDir('jitsi-eu-drain-requests-');
afterAll(() => work.remove());
// No block device of this machine stands for the config drive (its blkid cache may know another
// test's image labelled config-2): the folder seed of each OpenStack root does.
const bin = join(work.path, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'blkid'), '#!/bin/sh\nexit 2\n');
chmodSync(join(bin, 'blkid'), 0o755);

/** The signaling node's share and Hetzner's metadata service: requests by server id, and a switch that makes the share stop answering. */
let server: Server;
let base = '';
const requests = new Map<string, string>();
const asked: string[] = [];
let shareDown = false;
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/hetzner/v1/metadata/instance-id') return res.writeHead(200).end(HETZNER_ID);
    asked.push(url);
    if (shareDown) return req.socket.destroy();
    const match = /^\/share\/([^/]+)\/([^/]+)$/.exec(url);
    const body = match && match[1] === DRAIN_REQUESTS_FOLDER ? requests.get(match[2]!) : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'text/plain' }).end(body ?? 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The rehearsal's videobridge REST stand-in on a free loopback port. */
interface Videobridge {
  port: number;
  child: ChildProcess;
  output: () => string;
}
async function startVideobridge(port?: number): Promise<Videobridge> {
  const at = port ?? (await freePort());
  const child = spawn(PYTHON, [REST_STANDIN, 'jvb', String(at)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  await waitForTcp(at, child, 'the videobridge stand-in', output);
  return { port: at, child, output };
}
async function drainMode(jvb: Videobridge): Promise<boolean> {
  const answer = await fetch(`http://127.0.0.1:${jvb.port}/colibri/drain`);
  return ((await answer.json()) as { drain: boolean }).drain;
}

/** The rendered host scripts of a bridge of the scalable stack on `cloud`, talking to the videobridge at `jvbPort`. */
function bridgeScripts(cloud: Cloud, jvbPort: number): string {
  const region = { aws: 'eu-central-1', hetzner: 'fsn1', openstack: 'de1' }[cloud];
  const spec: DeploymentSpec = { ...makeSpec({ topology: 'scalable' }), cloud, region };
  const root = join(work.path, `${cloud}-${Math.random().toString(36).slice(2)}`);
  for (const file of renderBundle(spec).files.filter((f) => f.path.startsWith(BOOT_DIR.slice(1)) && f.roles.includes('bridge'))) {
    mkdirSync(join(root, file.path, '..'), { recursive: true });
    writeFileSync(join(root, file.path), file.content.replaceAll(`http://127.0.0.1:${PORTS.jvbPrivateHttp}`, `http://127.0.0.1:${jvbPort}`));
  }
  if (cloud === 'openstack') {
    mkdirSync(join(root, 'config_drive', 'openstack', 'latest'), { recursive: true });
    writeFileSync(join(root, 'config_drive', 'openstack', 'latest', 'meta_data.json'), JSON.stringify({ uuid: OPENSTACK_ID, meta: {} }));
  }
  return root;
}

/** `drain.sh watch` as the drain unit starts it, polling every POLL seconds; stopped after each test. */
interface Watcher {
  child: ChildProcess;
  stdout: () => string;
}
const watchers: Watcher[] = [];
const videobridges: Videobridge[] = [];
afterEach(async () => {
  await Promise.all([...watchers.splice(0), ...videobridges.splice(0)].map((p) => stopChild(p.child, 'SIGKILL')));
  requests.clear();
  asked.length = 0;
  shareDown = false;
});

function watch(root: string, env: Record<string, string> = {}): Watcher {
  const child = spawn(BASH, [join(root, BOOT_DIR.slice(1), 'drain.sh'), 'watch'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      JITSI_EU_BRIDGE_SHARE_URL: `${base}/share`,
      JITSI_EU_METADATA: `${base}/hetzner/v1/metadata`,
      JITSI_EU_META_CACHE: join(root, 'run', 'meta_data.json'),
      JITSI_EU_CONFIG_DRIVE_SEED: join(root, 'config_drive'),
      JITSI_EU_IMDS: `${base}/imds`,
      JITSI_EU_REQUEST_POLL_SECONDS: String(POLL),
      JITSI_EU_POLL_SECONDS: String(POLL),
      ...env,
    },
  });
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  const watcher = { child, stdout: () => stdout };
  watchers.push(watcher);
  return watcher;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

const now = () => Math.floor(Date.now() / 1000);
const lines = (text: string, part: string) => text.split('\n').filter((l) => l.includes(part)).length;
/** Waits for `count` more polls of the share than `from` (the watcher has looked that many times). */
const polls = (id: string, from: number, count: number) =>
  until(`${count} polls`, () => asked.filter((u) => u.endsWith(`/${id}`)).length >= from + count);
const pollCount = (id: string) => asked.filter((u) => u.endsWith(`/${id}`)).length;

for (const [cloud, id] of [['hetzner', HETZNER_ID], ['openstack', OPENSTACK_ID]] as const) {
  describe(`drain.sh watch on ${cloud}`, () => {
    it('puts the videobridge in drain mode on a request for this server, once logged, and out of it when the request is withdrawn', async () => {
      const jvb = await startVideobridge();
      videobridges.push(jvb);
      const watcher = watch(bridgeScripts(cloud, jvb.port));
      await polls(id, 0, 3);
      expect(await drainMode(jvb)).toBe(false);
      expect(asked.every((u) => u === `/share/${DRAIN_REQUESTS_FOLDER}/${id}`), asked.join(' ')).toBe(true);

      requests.set(id, `${now() + 3600}\n`);
      await until('drain mode on', () => drainMode(jvb));
      // Re-asserted at every poll, logged once.
      await polls(id, pollCount(id), 5);
      expect(await drainMode(jvb)).toBe(true);
      expect(lines(jvb.output(), 'drain mode on')).toBeGreaterThanOrEqual(5);
      expect(lines(watcher.stdout(), 'drain requested: drain mode on'), watcher.stdout()).toBe(1);

      requests.delete(id);
      await until('drain mode off', async () => !(await drainMode(jvb)));
      await polls(id, pollCount(id), 3);
      expect(await drainMode(jvb)).toBe(false);
      expect(lines(jvb.output(), 'drain mode off')).toBe(1);
      expect(lines(watcher.stdout(), 'drain request withdrawn or expired: drain mode off'), watcher.stdout()).toBe(1);
      expect(watcher.child.exitCode).toBeNull();
    });

    it('never drains for an expired request, and leaves drain mode when a request expires', async () => {
      const jvb = await startVideobridge();
      videobridges.push(jvb);
      const watcher = watch(bridgeScripts(cloud, jvb.port));
      requests.set(id, `${now() - 5}\n`);
      await polls(id, 0, 5);
      expect(await drainMode(jvb)).toBe(false);
      expect(jvb.output()).not.toContain('drain mode');

      requests.set(id, `${now() + 3}\n`);
      await until('drain mode on', () => drainMode(jvb));
      await until('drain mode off after the expiry', async () => !(await drainMode(jvb)), 8000);
      expect(watcher.stdout()).toContain('drain request withdrawn or expired: drain mode off');
    });

    it('keeps the videobridge\'s mode while the signaling node does not answer, on or off', async () => {
      const jvb = await startVideobridge();
      videobridges.push(jvb);
      const watcher = watch(bridgeScripts(cloud, jvb.port));
      requests.set(id, `${now() + 3600}\n`);
      await until('drain mode on', () => drainMode(jvb));

      shareDown = true;
      await polls(id, pollCount(id), 5);
      expect(await drainMode(jvb)).toBe(true);
      expect(jvb.output()).not.toContain('drain mode off');
      expect(lines(watcher.stdout(), 'could not be read from the signaling node: drain mode stays on'), watcher.stdout()).toBe(1);

      shareDown = false;
      requests.delete(id);
      await until('drain mode off', async () => !(await drainMode(jvb)));
      shareDown = true;
      requests.set(id, `${now() + 3600}\n`);
      await polls(id, pollCount(id), 5);
      expect(await drainMode(jvb)).toBe(false);
      expect(watcher.stdout()).toContain('drain mode stays off');
    });

    it('puts a restarted videobridge back into drain mode', async () => {
      const jvb = await startVideobridge();
      videobridges.push(jvb);
      watch(bridgeScripts(cloud, jvb.port));
      requests.set(id, `${now() + 3600}\n`);
      await until('drain mode on', () => drainMode(jvb));
      await stopChild(jvb.child, 'SIGKILL');
      const again = await startVideobridge(jvb.port);
      videobridges.push(again);
      await until('drain mode on after the restart', () => drainMode(again));
    });

    it('takes the videobridge out of a drain mode it finds on at start when no request exists', async () => {
      const jvb = await startVideobridge();
      videobridges.push(jvb);
      await fetch(`http://127.0.0.1:${jvb.port}/colibri/drain/enable`, { method: 'POST' });
      watch(bridgeScripts(cloud, jvb.port));
      await until('drain mode off', async () => !(await drainMode(jvb)));
    });
  });
}

describe('drain.sh watch on AWS', () => {
  it('follows no drain request: it watches the lifecycle state only', async () => {
    const jvb = await startVideobridge();
    videobridges.push(jvb);
    requests.set('i-0123456789abcdef0', `${now() + 3600}\n`);
    const watcher = watch(bridgeScripts('aws', jvb.port));
    await until('the watcher has asked the metadata for the lifecycle state', () => asked.filter((u) => u.startsWith('/imds/')).length >= 5);
    expect(asked.filter((u) => u.startsWith('/share/'))).toEqual([]);
    expect(await drainMode(jvb)).toBe(false);
    expect(jvb.output()).not.toContain('drain mode');
    expect(watcher.stdout()).toContain('watching for the removal of this bridge');
    expect(watcher.stdout()).not.toContain('drain request');
  });
});
