// The signaling node's bridge share (Hetzner Cloud, OpenStack) under the real nginx: the rendered
// server block passes `nginx -t`, then serves on loopback, from a sandbox folder standing for the
// share, the videobridges' XMPP password and deploy's drain requests (one file per bridge server
// id; a missing one is 404 and not logged), and nothing else of the folder: no listing, no other
// name. Outside the stack's private subnet it refuses everything.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_REQUESTS_FOLDER } from '../../infra/lifecycle.ts';
import { PORTS } from '../../infra/ports.ts';
import { PRIVATE_SUBNET_CIDR, SIGNALING_PRIVATE_IP } from '../../infra/private-network.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { BRIDGE_SHARE_CONF, BRIDGE_SHARE_DIR } from '../../infra/render/cloud-layer.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { type RunningNginx, moveHostPaths, nginxConfigTest, readIfExists, startNginx, writeMainConf, writeUnder } from '../helpers/nginx.ts';
import { drainRequestScript } from '../../scripts/deploy/bridge-drain.ts';
import { bashRunner } from '../helpers/channel-host.ts';
import { makeSpec } from '../helpers/spec.ts';
import { freePort, tempDir } from '../helpers/tools.ts';

const work = tempDir('jitsi-eu-bridge-share-nginx-');
afterAll(() => work.remove());

const HETZNER_ID = '4711';
const OPENSTACK_ID = 'c0ffee00-1111-2222-3333-444455556666';

/** The rendered share server block of a scalable stack on `cloud`, listening on loopback; `subnet` replaces the private subnet it allows. */
function shareConf(cloud: Cloud, root: string, port: number, subnet: string): string {
  const spec: DeploymentSpec = { ...makeSpec({ topology: 'scalable' }), cloud, region: cloud === 'hetzner' ? 'fsn1' : 'de1' };
  const file = renderBundle(spec).files.find((f) => `/${f.path}` === BRIDGE_SHARE_CONF);
  if (!file) throw new Error(`no ${BRIDGE_SHARE_CONF} in the ${cloud} bundle`);
  expect(file.roles).toEqual(['signaling']);
  const content = moveHostPaths(file.content, root)
    .replace(`listen ${SIGNALING_PRIVATE_IP}:${PORTS.bridgeShare};`, `listen 127.0.0.1:${port};`)
    .replace(`allow ${PRIVATE_SUBNET_CIDR};`, `allow ${subnet};`);
  expect(content).toContain(`listen 127.0.0.1:${port};`);
  expect(content).toContain(`allow ${subnet};`);
  return writeUnder(root, BRIDGE_SHARE_CONF, content);
}

/** The share folder as the signaling node has it: the password, two requests, and files no bridge may read. */
function fillShare(root: string): void {
  const share = join(root, BRIDGE_SHARE_DIR.slice(1));
  writeUnder(root, `${BRIDGE_SHARE_DIR}/jvb-password`, 'the-bridges-password');
  writeUnder(root, `${BRIDGE_SHARE_DIR}/${DRAIN_REQUESTS_FOLDER}/${HETZNER_ID}`, '1900000000\n');
  writeUnder(root, `${BRIDGE_SHARE_DIR}/${DRAIN_REQUESTS_FOLDER}/${OPENSTACK_ID}`, '1900000001\n');
  writeUnder(root, `${BRIDGE_SHARE_DIR}/${DRAIN_REQUESTS_FOLDER}/not.a-request`, 'no');
  writeUnder(root, `${BRIDGE_SHARE_DIR}/${DRAIN_REQUESTS_FOLDER}/under_score`, 'no');
  writeUnder(root, `${BRIDGE_SHARE_DIR}/other`, 'no');
  mkdirSync(join(share, DRAIN_REQUESTS_FOLDER, 'folder'));
  writeFileSync(join(share, DRAIN_REQUESTS_FOLDER, 'folder', 'index.html'), 'no');
}

async function get(port: number, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const answer = await fetch(`http://127.0.0.1:${port}${path}`, { redirect: 'manual' });
  return { status: answer.status, type: answer.headers.get('content-type'), body: await answer.text() };
}

beforeAll(() => chmodSync(work.path, 0o755)); // nginx workers may run as an unprivileged user

describe('nginx -t', () => {
  it.each(['hetzner', 'openstack'] as const)('accepts the %s share server block', async (cloud) => {
    const dir = join(work.path, `t-${cloud}`);
    const conf = shareConf(cloud, join(dir, 'root'), await freePort(), PRIVATE_SUBNET_CIDR);
    expect(nginxConfigTest(writeMainConf({ dir, includes: [conf] }), dir)).toEqual({ ok: true, output: '' });
  });
});

describe('the share served by nginx on the private network', () => {
  let nginx: RunningNginx;
  let port: number;
  const dir = join(work.path, 'live');

  beforeAll(async () => {
    port = await freePort();
    const root = join(dir, 'root');
    const conf = shareConf('hetzner', root, port, '127.0.0.0/8');
    fillShare(root);
    nginx = await startNginx(writeMainConf({ dir, includes: [conf] }), dir, port);
  });
  afterAll(() => nginx?.stop());

  it('serves the videobridges\' XMPP password as before', async () => {
    expect(await get(port, '/jvb-password')).toEqual({ status: 200, type: 'text/plain', body: 'the-bridges-password' });
  });

  it('serves a drain request by server id, Hetzner\'s number and OpenStack\'s uuid, as text', async () => {
    expect(await get(port, `/${DRAIN_REQUESTS_FOLDER}/${HETZNER_ID}`)).toEqual({ status: 200, type: 'text/plain', body: '1900000000\n' });
    expect(await get(port, `/${DRAIN_REQUESTS_FOLDER}/${OPENSTACK_ID}`)).toEqual({ status: 200, type: 'text/plain', body: '1900000001\n' });
  });

  it('answers 404 for a bridge with no request, without an error line for each poll', async () => {
    for (let i = 0; i < 3; i++) expect((await get(port, `/${DRAIN_REQUESTS_FOLDER}/12345`)).status).toBe(404);
    expect(readIfExists(join(dir, 'logs', 'main-error.log'))).not.toMatch(/12345|No such file/);
  });

  it('serves nothing else: no listing, no other name in the folder, no other file of the share', async () => {
    for (const path of [
      `/${DRAIN_REQUESTS_FOLDER}`,
      `/${DRAIN_REQUESTS_FOLDER}/`,
      `/${DRAIN_REQUESTS_FOLDER}/not.a-request`,
      `/${DRAIN_REQUESTS_FOLDER}/under_score`,
      `/${DRAIN_REQUESTS_FOLDER}/folder`,
      `/${DRAIN_REQUESTS_FOLDER}/folder/`,
      `/${DRAIN_REQUESTS_FOLDER}/folder/index.html`,
      `/${DRAIN_REQUESTS_FOLDER}/${HETZNER_ID}/`,
      `/${DRAIN_REQUESTS_FOLDER}/${HETZNER_ID}.txt`,
      `/${DRAIN_REQUESTS_FOLDER}/..%2fother`,
      '/other',
      '/',
    ]) {
      const answer = await get(port, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toMatch(/the-bridges-password|1900000000|^no$/);
    }
  });
});

describe('the share outside the stack\'s private subnet', () => {
  let nginx: RunningNginx;
  let port: number;
  const dir = join(work.path, 'denied');

  beforeAll(async () => {
    port = await freePort();
    const root = join(dir, 'root');
    const conf = shareConf('openstack', root, port, PRIVATE_SUBNET_CIDR);
    fillShare(root);
    nginx = await startNginx(writeMainConf({ dir, includes: [conf] }), dir, port);
  });
  afterAll(() => nginx?.stop());

  it('refuses the password and the drain requests alike', async () => {
    for (const path of ['/jvb-password', `/${DRAIN_REQUESTS_FOLDER}/${OPENSTACK_ID}`, `/${DRAIN_REQUESTS_FOLDER}/12345`]) {
      expect((await get(port, path)).status, path).toBe(403);
    }
  });
});

describe("a drain request as deploy's script writes it, served by workers running as www-data as on the node", () => {
  let nginx: RunningNginx;
  let port: number;
  let share: string;
  const dir = join(work.path, 'deploy-written');
  const run = (script: string) => bashRunner({}, [[BRIDGE_SHARE_DIR, share]])(script, 30);

  beforeAll(async () => {
    port = await freePort();
    const root = join(dir, 'root');
    const conf = shareConf('hetzner', root, port, '127.0.0.0/8');
    // The share folder as the signaling node makes it (share_for_bridges in host-kept.sh).
    share = join(root, BRIDGE_SHARE_DIR.slice(1));
    execFileSync('install', ['-d', '-m', '0750', '-o', 'root', '-g', 'www-data', share]);
    const main = writeMainConf({ dir, includes: [conf] });
    writeFileSync(main, `user www-data;\n${readFileSync(main, 'utf8')}`);
    nginx = await startNginx(main, dir, port);
  });
  afterAll(() => nginx?.stop());

  it('is served once written, and gone once withdrawn', async () => {
    expect((await run(drainRequestScript([HETZNER_ID], 1_900_000_000))).exitCode).toBe(0);
    expect(await get(port, `/${DRAIN_REQUESTS_FOLDER}/${HETZNER_ID}`)).toEqual({ status: 200, type: 'text/plain', body: '1900000000\n' });
    expect((await run(drainRequestScript([], 0))).exitCode).toBe(0);
    expect((await get(port, `/${DRAIN_REQUESTS_FOLDER}/${HETZNER_ID}`)).status).toBe(404);
  });
});
