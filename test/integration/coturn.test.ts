// The rendered turnserver.conf under the real coturn (Debian bookworm, 4.6.1) on loopback: STUN
// answers, TURN allocations need a credential derived from the shared secret, the relay address is
// the public one from the external-ip mapping, internal peers are refused, TURN over TLS speaks only
// TLS 1.2, and coturn logs nothing at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { renderCoturn } from '../../infra/render/coturn.ts';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { BOOT_VALUES } from '../../infra/placeholders.ts';
import { PORTS, TURN_RELAY_PORTS } from '../../infra/ports.ts';
import { secretPlaceholder } from '../../infra/secrets.ts';
import { makeSpec } from '../helpers/spec.ts';
import { freePort, requireTool, tempDir } from '../helpers/tools.ts';
import { createTestCa } from '../helpers/test-ca.ts';
import {
  allocate,
  bindingOver,
  createPermission,
  stunBinding,
  tlsTransport,
  turnRestCredential,
  udpTransport,
  unauthenticatedAllocate,
  type Address,
  type StunTransport,
} from '../helpers/turn-client.ts';

const spec = makeSpec({ domain: 'meet.example.org', turn: true });
const PUBLIC_IP = '203.0.113.7'; // documentation range, standing in for the Elastic IP
// Clients use another loopback address than the server's "private" 127.0.0.1, as real clients
// never share the host's private address (coturn rewrites that address to the public one).
const CLIENT_IP = '127.0.0.2';
const secret = randomBytes(24).toString('base64url');
const work = tempDir('jitsi-eu-coturn-');
const clientAddresses: Address[] = [];
let ports: { turn: number; turns: number };
let renderedConfig = '';
let turnserver: ChildProcess | undefined;
let output = '';

const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

function waitForTcp(port: number, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (turnserver?.exitCode !== null && turnserver?.exitCode !== undefined) return reject(new Error(`turnserver exited: ${output}`));
      const socket = netConnect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', () => (Date.now() > end ? reject(new Error(`turnserver not listening on ${port}: ${output}`)) : setTimeout(attempt, 50)));
    };
    attempt();
  });
}

beforeAll(async () => {
  const profile = privacyProfile(spec);
  const [file] = renderCoturn({ spec, hosts: jitsiHosts(spec), profile, engine: createEngine({ settings: profile.settings }) });
  if (!file) throw new Error('coturn rendered no file although turn is on');
  renderedConfig = file.content;
  const ca = createTestCa(work.path);
  const leaf = ca.issue({ names: [spec.domain], key: { type: 'rsa', bits: 2048 } });
  ports = { turn: await freePort(), turns: await freePort() };

  // What the boot script does (secret and instance addresses), plus test ports and certificates.
  const config = file.content
    .replaceAll(secretPlaceholder('turn-secret'), secret)
    .replaceAll(BOOT_VALUES.localIpv4, '127.0.0.1')
    .replaceAll(BOOT_VALUES.publicIpv4, PUBLIC_IP)
    .replace(`listening-port=${PORTS.turn}\n`, `listening-port=${ports.turn}\n`)
    .replace(`tls-listening-port=${PORTS.turns}\n`, `tls-listening-port=${ports.turns}\n`)
    .replace(/^cert=.*$/m, `cert=${leaf.fullchainPath}`)
    .replace(/^pkey=.*$/m, `pkey=${leaf.keyPath}`);
  expect(config).not.toMatch(/@@jitsi-eu-/);
  const confPath = join(work.path, 'turnserver.conf');
  writeFileSync(confPath, config);

  turnserver = spawn(requireTool('turnserver'), ['-c', confPath, '--pidfile', join(work.path, 'turnserver.pid')], {
    cwd: work.path,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  turnserver.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  turnserver.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitForTcp(ports.turns, 10_000);
});

afterAll(async () => {
  if (turnserver && turnserver.exitCode === null) {
    const exited = new Promise((resolve) => turnserver?.once('exit', resolve));
    turnserver.kill('SIGTERM');
    const timer = setTimeout(() => turnserver?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  work.remove();
});

/** A TLS handshake with the TURN port; a server that never answers counts as refused after 3 s. */
function tlsSocket(options: ConnectionOptions): Promise<{ socket?: TLSSocket; protocol?: string | null; cipher?: string; error?: string }> {
  return new Promise((resolve) => {
    const tcp = netConnect({ host: '127.0.0.1', port: ports.turns, localAddress: CLIENT_IP });
    const socket = tlsConnect({ socket: tcp, servername: spec.domain, checkServerIdentity: () => undefined, rejectUnauthorized: false, ...options }, () => {
      clearTimeout(timer);
      resolve({ socket, protocol: socket.getProtocol(), cipher: socket.getCipher().name });
    });
    const timer = setTimeout(() => {
      socket.destroy();
      tcp.destroy();
      resolve({ error: 'no handshake within 3 s' });
    }, 3000);
    socket.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: e.code ?? e.message });
    });
  });
}

describe('coturn with the rendered configuration', () => {
  it('uses only options this coturn knows (it ignores unknown ones silently)', () => {
    const help = spawnSync(requireTool('turnserver'), ['-h'], { encoding: 'utf8' });
    const known = new Set([...`${help.stdout}${help.stderr}`.matchAll(/--([a-z0-9_-]+)/g)].map((m) => m[1]));
    expect(known.size).toBeGreaterThan(50);
    const used = renderedConfig
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.split('=')[0]!.trim());
    expect(used.filter((option) => !known.has(option))).toEqual([]);
  });

  it('answers a STUN binding request with the client address and no software name', async () => {
    const result = await stunBinding('127.0.0.1', ports.turn, CLIENT_IP);
    clientAddresses.push(result.local);
    expect(result.mapped).toMatchObject(result.local);
    expect(result.software).toBeUndefined();
  });

  it('allocates a relay for a credential derived from the shared secret, on the public address and the relay range', async () => {
    const udp = await udpTransport('127.0.0.1', ports.turn, CLIENT_IP);
    clientAddresses.push(udp.local());
    try {
      const result = await allocate(udp, turnRestCredential(secret, inOneHour()));
      if (!result.ok) throw new Error(`allocation refused with ${result.code}`);
      expect(result.session.realm).toBe(spec.domain);
      expect(result.relayed.address).toBe(PUBLIC_IP);
      expect(result.relayed.port).toBeGreaterThanOrEqual(TURN_RELAY_PORTS.min);
      expect(result.relayed.port).toBeLessThanOrEqual(TURN_RELAY_PORTS.max);
    } finally {
      udp.close();
    }
  });

  it('refuses allocations without credentials, with a wrong secret, and with an expired credential', async () => {
    const attempts = {
      none: (udp: StunTransport) => unauthenticatedAllocate(udp),
      wrongSecret: (udp: StunTransport) => allocate(udp, turnRestCredential(`${secret}-not`, inOneHour())),
      expired: (udp: StunTransport) => allocate(udp, turnRestCredential(secret, Math.floor(Date.now() / 1000) - 60)),
    };
    for (const [name, attempt] of Object.entries(attempts)) {
      // A fresh client address each time: coturn keeps per-address state between requests.
      const udp = await udpTransport('127.0.0.1', ports.turn, CLIENT_IP);
      clientAddresses.push(udp.local());
      try {
        expect(await attempt(udp), name).toMatchObject({ code: 401 });
      } finally {
        udp.close();
      }
    }
  });

  it('refuses relaying to private, loopback, link-local and metadata addresses, but not to a public one', async () => {
    const udp = await udpTransport('127.0.0.1', ports.turn, CLIENT_IP);
    clientAddresses.push(udp.local());
    try {
      const result = await allocate(udp, turnRestCredential(secret, inOneHour()));
      if (!result.ok) throw new Error(`allocation refused with ${result.code}`);
      for (const peer of ['10.0.0.5', '172.31.20.1', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1']) {
        expect(await createPermission(udp, result.session, peer), peer).toBe(403);
      }
      // A permission only installs a filter on the server: no packet is sent to this address.
      expect(await createPermission(udp, result.session, '198.41.0.4')).toBe(0);
    } finally {
      udp.close();
    }
  });

  it('serves TURN over TLS 1.2 with forward-secret AEAD suites, and refuses TLS 1.1', async () => {
    const accepted = privacyProfile(spec).settings.find((s) => s.id === 'coturn-tls-protocols')?.value;
    expect(accepted).toEqual(['TLSv1.2']);
    const tls12 = await tlsSocket({ maxVersion: 'TLSv1.2' });
    expect(tls12.protocol).toBe('TLSv1.2');
    expect(privacyProfile(spec).settings.find((s) => s.id === 'coturn-tls-ciphers')?.value).toContain(tls12.cipher);
    const transport = tlsTransport(tls12.socket as TLSSocket);
    clientAddresses.push(transport.local());
    expect(await unauthenticatedAllocate(transport)).toMatchObject({ code: 401, realm: spec.domain });
    transport.close();

    // What the profile promises is what clients get: coturn 4.6.1 does not negotiate TLS 1.3.
    expect((await tlsSocket({ minVersion: 'TLSv1.3' })).protocol).toBeUndefined();
    for (const weak of ['AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA']) {
      expect((await tlsSocket({ maxVersion: 'TLSv1.2', ciphers: `${weak}@SECLEVEL=0` })).error, weak).toBeDefined();
    }
    const legacy = await tlsSocket({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(legacy.protocol).toBeUndefined();
    expect(legacy.error).toBeDefined();
  });

  it('logs nothing anywhere, so no client address is kept', () => {
    expect(clientAddresses.length).toBeGreaterThan(3);
    // The only line allowed: coturn's probe for SCTP support, printed before the configuration is read
    // on kernels without SCTP. Any log line (banner, sessions, errors) would show up here.
    const printed = output.split('\n').filter((line) => line.trim() !== '' && line !== 'socket: Protocol not supported');
    expect(printed).toEqual([]);
    const ours = (path: string) => path.includes('test-ca') || /leaf-\d/.test(path) || /turnserver\.(conf|pid)$/.test(path);
    const written = readdirSync(work.path, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((path) => !ours(path));
    expect(written).toEqual([]);
    for (const { port } of clientAddresses) expect(output).not.toContain(`:${port}`);
  });
});

describe('coturn on a dual-stack deployment', () => {
  const dualSpec = makeSpec({ domain: 'meet.example.org', turn: true, ipv6: true });
  const dualWork = tempDir('jitsi-eu-coturn-ipv6-');
  let dualPorts: { turn: number; turns: number };
  let server: ChildProcess | undefined;
  let log = '';

  beforeAll(async () => {
    const profile = privacyProfile(dualSpec);
    const [file] = renderCoturn({ spec: dualSpec, hosts: jitsiHosts(dualSpec), profile, engine: createEngine({ settings: profile.settings }) });
    const leaf = createTestCa(dualWork.path).issue({ names: [dualSpec.domain] });
    dualPorts = { turn: await freePort(), turns: await freePort() };
    // The boot script's part, with the IPv6 loopback standing in for the host's IPv6 address.
    const config = file!.content
      .replaceAll(secretPlaceholder('turn-secret'), secret)
      .replaceAll(BOOT_VALUES.localIpv4, '127.0.0.1')
      .replaceAll(BOOT_VALUES.publicIpv4, PUBLIC_IP)
      .replaceAll(BOOT_VALUES.ipv6, '::1')
      .replace(`listening-port=${PORTS.turn}\n`, `listening-port=${dualPorts.turn}\n`)
      .replace(`tls-listening-port=${PORTS.turns}\n`, `tls-listening-port=${dualPorts.turns}\n`)
      .replace(/^cert=.*$/m, `cert=${leaf.fullchainPath}`)
      .replace(/^pkey=.*$/m, `pkey=${leaf.keyPath}`);
    expect(config).not.toMatch(/@@jitsi-eu-/);
    const confPath = join(dualWork.path, 'turnserver.conf');
    writeFileSync(confPath, config);
    server = spawn(requireTool('turnserver'), ['-c', confPath, '--pidfile', join(dualWork.path, 'turnserver.pid')], { cwd: dualWork.path, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    // Ready once it answers STUN over IPv6.
    const end = Date.now() + 10_000;
    for (;;) {
      const udp = await udpTransport('::1', dualPorts.turn, '::1');
      try {
        await bindingOver(udp);
        break;
      } catch (error) {
        if (Date.now() > end) throw new Error(`coturn does not answer on [::1]:${dualPorts.turn}: ${log}`, { cause: error });
      } finally {
        udp.close();
      }
    }
  }, 20_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    dualWork.remove();
  });

  it('answers STUN over IPv6 with the client\'s IPv6 address, and still over IPv4', async () => {
    const udp6 = await udpTransport('::1', dualPorts.turn, '::1');
    try {
      expect(await bindingOver(udp6)).toEqual({ address: '::1', port: udp6.local().port, family: 'IPv6' });
    } finally {
      udp6.close();
    }
    const udp4 = await udpTransport('127.0.0.1', dualPorts.turn, CLIENT_IP);
    try {
      expect((await bindingOver(udp4)).address).toBe(CLIENT_IP);
    } finally {
      udp4.close();
    }
  });

  it('allocates a relay for a client that reaches it over IPv6', async () => {
    const udp6 = await udpTransport('::1', dualPorts.turn, '::1');
    try {
      const result = await allocate(udp6, turnRestCredential(secret, inOneHour()));
      if (!result.ok) throw new Error(`allocation refused with ${result.code}: ${log}`);
      expect(result.relayed.port).toBeGreaterThanOrEqual(TURN_RELAY_PORTS.min);
      expect(result.relayed.port).toBeLessThanOrEqual(TURN_RELAY_PORTS.max);
    } finally {
      udp6.close();
    }
  });
});
