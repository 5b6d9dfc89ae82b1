// The Hetzner Cloud and OpenStack cloud layers as the host runs them: bash over the rendered
// lib.sh and cloud.sh, with the metadata service and the signaling node's share stood in by HTTP
// servers on loopback, and the host's folders in a temporary directory.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBundle } from '../../infra/render/bundle.ts';
import { BOOT_DIR } from '../../infra/render/paths.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec } from '../helpers/spec.ts';
import { tempDir } from '../helpers/tools.ts';

const work = tempDir('jitsi-eu-cloud-host-');
afterAll(() => work.remove());

function hostRoot(cloud: Cloud, role: 'signaling' | 'bridge'): string {
  const spec: DeploymentSpec = { ...makeSpec({ topology: 'scalable' }), cloud, region: cloud === 'hetzner' ? 'fsn1' : 'de1' };
  const root = join(work.path, `${cloud}-${role}-${Math.random().toString(36).slice(2)}`);
  for (const file of renderBundle(spec).files.filter((f) => f.path.startsWith(BOOT_DIR.slice(1)))) {
    mkdirSync(join(root, file.path, '..'), { recursive: true });
    writeFileSync(join(root, file.path), file.content);
  }
  writeFileSync(join(root, 'apply.conf'), `JITSI_EU_APPLY_ROLE=${role}\n`);
  return root;
}

/** A blkid that finds no device: the scripts must not see this machine's disks (a rehearsal may attach a config-2 drive meanwhile). */
function blindBlkid(): string {
  const dir = join(work.path, 'bin');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'blkid'), '#!/bin/sh\nexit 2\n', { mode: 0o755 });
  return dir;
}

function bash(root: string, script: string, env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -euo pipefail; source '${join(root, BOOT_DIR.slice(1), 'lib.sh')}'; ${script}`], {
      env: {
        PATH: `${blindBlkid()}:${process.env.PATH!}`,
        JITSI_EU_APPLY_CONF: join(root, 'apply.conf'),
        JITSI_EU_SECRETS_DIR: join(root, 'secrets'),
        JITSI_EU_BRIDGE_SHARE_DIR: join(root, 'share'),
        JITSI_EU_BRIDGE_SHARE_CONF: join(root, 'share.conf'),
        JITSI_EU_META_CACHE: join(root, 'run', 'meta_data.json'),
        JITSI_EU_CONFIG_DRIVE_SEED: join(root, 'config_drive'),
        JITSI_EU_RETRY_SECONDS: '0.2',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let server: Server;
let base = '';
const requests: string[] = [];
const routes = new Map<string, string>();
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = routes.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200).end(body ?? 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('secrets kept on the host (hetzner, openstack)', () => {
  it('the signaling node generates a missing secret once, keeps it 0600 in a 0700 folder, and never prints it', async () => {
    const root = hostRoot('hetzner', 'signaling');
    const first = await bash(root, 'load_secrets focus-password jvb-password turn-secret; printf "%s" "${JITSI_EU_SECRET_VALUES[focus-password]}" >"$1"'.replace('$1', join(root, 'seen')));
    expect(first.status, first.stderr).toBe(0);
    const value = readFileSync(join(root, 'secrets', 'focus-password'), 'utf8');
    expect(value).toMatch(/^[0-9a-f]{48}$/);
    expect(readFileSync(join(root, 'seen'), 'utf8')).toBe(value);
    expect(mode(join(root, 'secrets'))).toBe('700');
    for (const name of ['focus-password', 'jvb-password', 'turn-secret']) expect(mode(join(root, 'secrets', name))).toBe('600');
    expect(first.stderr).toContain('generated the secret focus-password on this host');
    expect(first.stdout + first.stderr).not.toContain(value);
    const again = await bash(root, 'load_secrets focus-password; [[ ${JITSI_EU_SECRET_VALUES[focus-password]} == "$(cat "$JITSI_EU_SECRETS_DIR/focus-password")" ]]');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('generated');
    expect(readFileSync(join(root, 'secrets', 'focus-password'), 'utf8')).toBe(value);
  });

  it('the signaling node shares jvb-password with the bridges only where the bundle has the share', async () => {
    const root = hostRoot('openstack', 'signaling');
    writeFileSync(join(root, 'share.conf'), '# share\n');
    const result = await bash(root, 'load_secrets jvb-password');
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(root, 'share', 'jvb-password'), 'utf8')).toBe(readFileSync(join(root, 'secrets', 'jvb-password'), 'utf8'));
    expect(mode(join(root, 'share', 'jvb-password'))).toBe('640');
    expect(mode(join(root, 'share'))).toBe('750');
  });

  it('the certificate is absent until one is stored, then kept on disk', async () => {
    const root = hostRoot('hetzner', 'signaling');
    const result = await bash(root, `cloud_secret_get tls-certificate && exit 3; printf 'cert' >"${join(root, 'c')}"; cloud_secret_put tls-certificate "${join(root, 'c')}"; [[ $(cloud_secret_get tls-certificate) == cert ]]`);
    expect(result.status, result.stderr).toBe(0);
    expect(mode(join(root, 'secrets', 'tls-certificate'))).toBe('600');
  });

  it('a bridge fetches jvb-password from the signaling node, waiting for it to appear', async () => {
    const root = hostRoot('hetzner', 'bridge');
    routes.delete('/share/jvb-password');
    setTimeout(() => routes.set('/share/jvb-password', 'the-bridges-password'), 600);
    const result = await bash(root, 'load_secrets jvb-password; [[ ${JITSI_EU_SECRET_VALUES[jvb-password]} == the-bridges-password ]]', {
      JITSI_EU_BRIDGE_SHARE_URL: `${base}/share`,
      JITSI_EU_BRIDGE_SHARE_TRIES: '40',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(root, 'secrets', 'jvb-password'), 'utf8')).toBe('the-bridges-password');
    expect(mode(join(root, 'secrets', 'jvb-password'))).toBe('600');
    expect(result.stdout + result.stderr).not.toContain('the-bridges-password');
  });

  it('a bridge gives up after its bounded tries, naming the step, the address and the fix', async () => {
    const root = hostRoot('openstack', 'bridge');
    const result = await bash(root, 'load_secrets jvb-password', { JITSI_EU_BRIDGE_SHARE_URL: `${base}/nothing-here`, JITSI_EU_BRIDGE_SHARE_TRIES: '3' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`FAILED: jvb-password could not be fetched from the signaling node at ${base}/nothing-here/ after 3 tries`);
    expect(requests.filter((r) => r === '/nothing-here/jvb-password')).toHaveLength(3);
  });

  it('a bridge never generates or fetches another secret', async () => {
    const root = hostRoot('hetzner', 'bridge');
    const result = await bash(root, 'cloud_secret_get focus-password', { JITSI_EU_BRIDGE_SHARE_URL: `${base}/share` });
    expect(result.status).toBe(1);
    expect(requests).not.toContain('/share/focus-password');
  });
});

describe('instance metadata', () => {
  it('hetzner: public address and id from the metadata service, the private address from the kernel', async () => {
    routes.set('/hetzner/v1/metadata/public-ipv4', '203.0.113.7');
    routes.set('/hetzner/v1/metadata/instance-id', '4711');
    const root = hostRoot('hetzner', 'signaling');
    const result = await bash(root, 'cloud_meta public-ipv4; echo; cloud_meta instance-id; echo; cloud_meta local-ipv4', { JITSI_EU_METADATA: `${base}/hetzner/v1/metadata` });
    expect(result.status, result.stderr).toBe(0);
    const [pub, id, local] = result.stdout.split('\n');
    expect([pub, id]).toEqual(['203.0.113.7', '4711']);
    expect(local).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('openstack: the floating address and the id from the config drive, else from the metadata service', async () => {
    const root = hostRoot('openstack', 'signaling');
    mkdirSync(join(root, 'config_drive', 'openstack', 'latest'), { recursive: true });
    writeFileSync(join(root, 'config_drive', 'openstack', 'latest', 'meta_data.json'), JSON.stringify({ uuid: 'c0ffee00-1111-2222-3333-444455556666', meta: { 'jitsi-eu:public-ipv4': '198.51.100.9' } }));
    const drive = await bash(root, 'cloud_meta public-ipv4; echo; cloud_meta instance-id', { JITSI_EU_METADATA: `${base}/none` });
    expect(drive.stdout.split('\n')).toEqual(['198.51.100.9', 'c0ffee00-1111-2222-3333-444455556666']);

    const other = hostRoot('openstack', 'signaling');
    routes.set('/openstack/latest/meta_data.json', JSON.stringify({ uuid: 'abc', meta: { 'jitsi-eu:public-ipv4': '192.0.2.44' } }));
    const service = await bash(other, 'cloud_meta public-ipv4; echo; cloud_meta instance-id', { JITSI_EU_METADATA: `${base}/openstack/latest/meta_data.json` });
    expect(service.stdout.split('\n'), service.stderr).toEqual(['192.0.2.44', 'abc']);
    expect(mode(join(other, 'run', 'meta_data.json'))).toBe('600');
  });

  it('fills the public address into the rendered files through the neutral fill_placeholders', async () => {
    routes.set('/hetzner/v1/metadata/public-ipv4', '203.0.113.8');
    const root = hostRoot('hetzner', 'signaling');
    writeFileSync(join(root, 'jvb.conf'), 'public = "@@jitsi-eu-boot:public-ipv4@@"\n');
    const result = await bash(root, `fill_placeholders "${join(root, 'jvb.conf')}"`, { JITSI_EU_METADATA: `${base}/hetzner/v1/metadata` });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(root, 'jvb.conf'), 'utf8')).toBe('public = "203.0.113.8"\n');
  });
});
