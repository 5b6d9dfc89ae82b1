// The operator channel behind the real nginx: the site as rendered for Hetzner Cloud (with its
// snippet folder holding the channel's location) and for AWS (the same include, matching nothing)
// pass `nginx -t`; then nginx serves the site over TLS on loopback in front of the real channel
// service (python3): a signed request runs through it, an unsigned one is refused, a body over
// the limit gets nginx's 413 in the channel's JSON, and the site's security headers stay on the
// channel's answers.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_MAX_BODY_BYTES, CHANNEL_PATH, CHANNEL_SERVICE_PORT } from '../../infra/channel.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { NGINX_SITE_SNIPPETS_DIR } from '../../infra/render/nginx.ts';
import { nginxSitePath } from '../../infra/render/paths.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { ChannelHostCommands } from '../../scripts/lib/channel/client.ts';
import { signChannelRequest } from '../../scripts/lib/channel/signature.ts';
import { CHANNEL_SPEC, type RunningChannel, channelKeyPair, scriptBody, startChannel } from '../helpers/channel-service.ts';
import {
  NGINX_HOST_PATH_PREFIXES, type RunningNginx, moveCertificates, moveHostPaths, moveListenPorts, nginxConfigTest, startNginx, writeMainConf, writeUnder,
} from '../helpers/nginx.ts';
import { type IssuedCertificate, type TestCa, createTestCa } from '../helpers/test-ca.ts';
import { freePort, tempDir } from '../helpers/tools.ts';

const PREFIXES = [...NGINX_HOST_PATH_PREFIXES, `${NGINX_SITE_SNIPPETS_DIR}/`];
const work = tempDir('jitsi-eu-channel-nginx-');
let ca: TestCa;
let leaf: IssuedCertificate;

/** The nginx files of a stack's signaling node, moved into a sandbox: http-level includes, in Debian's order. */
function placeNginx(spec: DeploymentSpec, dir: string, ports: { http: number; https: number }, channelPort: number): string[] {
  const nginxFiles = renderBundle(spec).files.filter((f) => f.component === 'nginx' && f.roles.includes('signaling'));
  const root = join(dir, 'root');
  const place = (path: string) => {
    const file = nginxFiles.find((f) => `/${f.path}` === path);
    if (!file) throw new Error(`no ${path} in the bundle`);
    const content = moveHostPaths(moveCertificates(moveListenPorts(file.content, ports), leaf), root, PREFIXES)
      .replaceAll(`127.0.0.1:${CHANNEL_SERVICE_PORT}`, `127.0.0.1:${channelPort}`);
    return writeUnder(root, path, content);
  };
  const snippets = nginxFiles.filter((f) => `/${f.path}`.startsWith(`${NGINX_SITE_SNIPPETS_DIR}/`));
  for (const snippet of snippets) place(`/${snippet.path}`);
  const httpFiles = nginxFiles.filter((f) => f.path.startsWith('etc/nginx/conf.d/')).map((f) => place(`/${f.path}`));
  mkdirSync(join(root, 'var/log/nginx'), { recursive: true });
  return [...httpFiles, place(nginxSitePath(spec.domain))];
}

beforeAll(() => {
  ca = createTestCa(work.path);
  leaf = ca.issue({ names: [CHANNEL_SPEC.domain] });
});
afterAll(() => work.remove());

describe('nginx -t', () => {
  it('accepts the Hetzner site with the channel\'s location, and the AWS site whose snippet folder does not exist', async () => {
    const ports = { http: await freePort(), https: await freePort() };
    for (const spec of [CHANNEL_SPEC, { ...CHANNEL_SPEC, cloud: 'aws', region: 'eu-central-1' } as DeploymentSpec]) {
      const dir = join(work.path, `t-${spec.cloud}`);
      const includes = placeNginx(spec, dir, ports, CHANNEL_SERVICE_PORT);
      const site = includes.at(-1)!;
      expect(readFileSync(site, 'utf8')).toContain(`include ${join(dir, 'root')}${NGINX_SITE_SNIPPETS_DIR}/*.conf;`);
      expect(existsSync(join(dir, 'root', NGINX_SITE_SNIPPETS_DIR)), spec.cloud).toBe(spec.cloud !== 'aws');
      const result = nginxConfigTest(writeMainConf({ dir, includes }), dir);
      expect(result, spec.cloud).toEqual({ ok: true, output: '' });
    }
  });
});

describe('the channel through nginx over TLS', () => {
  const key = channelKeyPair();
  let channel: RunningChannel;
  let nginx: RunningNginx;
  let ports: { http: number; https: number };

  const send = (headers: Record<string, string>, body: Buffer, extra: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: ports.https, servername: CHANNEL_SPEC.domain, ca: ca.caCertPem, method: 'POST', path: CHANNEL_PATH, agent: false,
        headers: { host: CHANNEL_SPEC.domain, 'content-length': String(body.length), ...headers, ...extra } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res.headers['content-type'] === 'application/json' ? JSON.parse(text) as Record<string, unknown> : { text } });
        });
      });
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    const dir = join(work.path, 'live');
    mkdirSync(dir, { recursive: true });
    channel = await startChannel(dir, key.publicKeyPem);
    ports = { http: await freePort(), https: await freePort() };
    const includes = placeNginx(CHANNEL_SPEC, dir, ports, channel.port);
    nginx = await startNginx(writeMainConf({ dir, includes }), dir, ports.https);
  });
  afterAll(async () => {
    await nginx?.stop();
    await channel?.stop();
  });

  it('runs a signed script and answers its output, with the site\'s security headers', async () => {
    const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody('echo through nginx; exit 4'));
    const answer = await send(signed.headers, signed.body);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ exitCode: 4, stdout: 'through nginx\n' });
    expect(answer.headers['strict-transport-security']).toBeTruthy();
    expect(answer.headers['content-security-policy']).toBeTruthy();
  });

  it('refuses an unsigned request and one signed with another key', async () => {
    const body = scriptBody('echo never');
    const unsigned = await send({ 'content-type': 'application/json' }, body);
    expect(unsigned.status).toBe(400);
    const signed = signChannelRequest(channelKeyPair().privateKeyPem, CHANNEL_SPEC.domain, body);
    const wrong = await send(signed.headers, signed.body);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/signature does not verify/);
    expect(wrong.headers['strict-transport-security']).toBeTruthy();
  });

  it("is what deploy's and accounts' client speaks: answers, a failing script and another stack's key, through the real nginx and service", async () => {
    const lookup: LookupFunction = (_name, options, callback) =>
      (options as { all?: boolean }).all ? (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
    const client = (privateKeyPem: string) =>
      new ChannelHostCommands({ url: `https://${CHANNEL_SPEC.domain}:${ports.https}${CHANNEL_PATH}`, domain: CHANNEL_SPEC.domain, privateKeyPem, stack: 'chan' }, { ca: [ca.caCertPem], lookup, retryMs: 50 });
    const ok = await client(key.privateKeyPem).send('printf "%s" "$(id -u)"', 10_000);
    expect(ok).toMatchObject({ state: 'answered', stdout: String(process.getuid?.()) });
    const failed = await client(key.privateKeyPem).send('echo why >&2; exit 3', 10_000);
    expect(failed).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(failed.detail).toContain('why');
    const refused = await client(channelKeyPair().privateKeyPem).send('echo never', 10_000);
    expect(refused.state).toBe('failed');
    expect(refused.detail).toMatch(/does not accept this stack's channel key/);
  });

  it('answers 413 in JSON for a body over the limit, before the service sees it', async () => {
    const logBefore = channel.log();
    const body = Buffer.alloc(CHANNEL_MAX_BODY_BYTES + 1, 'x');
    const answer = await send({ 'content-type': 'application/json' }, body);
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe(`the request body is larger than ${CHANNEL_MAX_BODY_BYTES} bytes`);
    expect(channel.log()).toBe(logBefore);
  });

  it('carries a body of the largest size to the service', async () => {
    const script = `echo big #${'x'.repeat(CHANNEL_MAX_BODY_BYTES - 200)}`;
    const signed = signChannelRequest(key.privateKeyPem, CHANNEL_SPEC.domain, scriptBody(script));
    expect(signed.body.length).toBeLessThanOrEqual(CHANNEL_MAX_BODY_BYTES);
    const answer = await send(signed.headers, signed.body);
    expect(answer.status).toBe(200);
    expect(answer.body.stdout).toBe('big\n');
  });

  it('limits the rate per address: a flood is turned away by nginx', async () => {
    const body = scriptBody('echo flood');
    const statuses = await Promise.all(Array.from({ length: 30 }, () => send({}, body).then((a) => a.status)));
    // A burst of 10 passes (each refused by the service: unsigned), the rest is nginx's 429.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    expect(statuses.every((s) => s === 429 || s === 400)).toBe(true);
  });
});
