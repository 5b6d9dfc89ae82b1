// System tools the integration tests run. A missing tool is a failure with the install hint,
// never a silent skip: CI installs every one of them (.ci/run).
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEBIAN_PACKAGE: Record<string, string> = {
  nginx: 'nginx-light',
  prosody: 'prosody',
  prosodyctl: 'prosody',
  'cloud-init': 'cloud-init',
  turnserver: 'coturn',
  chromium: 'chromium',
  java: 'openjdk-17-jre-headless',
  'lua5.4': 'lua5.4',
  'luac5.4': 'lua5.4',
  openssl: 'openssl',
  testssl: 'testssl.sh',
  moto_server: 'moto (pip install "moto[server]")',
  aws: 'awscli',
};

const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin'];

/** Absolute path of a system tool, or an error naming the package that provides it. */
export function requireTool(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  const pkg = DEBIAN_PACKAGE[name] ?? name;
  throw new Error(`${name} is not installed: install ${pkg} (bash .ci/run installs every tool the tests need)`);
}

// Ports already handed out in this process: the kernel may offer a just-closed port again,
// and two servers of one test must never be given the same one.
const handedOut = new Set<number>();

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A free TCP port on 127.0.0.1, never one this process was given before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await ephemeralPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free loopback port found after 50 attempts');
}

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix = 'jitsi-eu-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
