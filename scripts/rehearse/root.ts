// The Debian 12 root the rehearsal boots, built once per machine with debootstrap from Debian's
// archive and kept outside the clone, keyed by a hash of what goes into it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Where the root and the stand-in repository are kept between runs. */
export const DEFAULT_CACHE_DIR = '/var/cache/jitsi-eu/rehearsal';
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

export function rehearsalCacheDir(): string {
  return process.env.JITSI_EU_REHEARSAL_CACHE ?? DEFAULT_CACHE_DIR;
}

export function debianMirror(): string {
  return process.env.JITSI_EU_REHEARSAL_MIRROR ?? DEFAULT_MIRROR;
}

/**
 * Debian packages the user data of some role installs (and the stand-in packages depend on),
 * downloaded into the root's apt cache so that each boot installs them without fetching them.
 * One missing here is still installed, only fetched at every boot.
 */
export const PREFETCHED_PACKAGES = [
  'awscli', 'curl', 'unattended-upgrades', 'nginx', 'prosody', 'lua-unbound', 'certbot', 'openssl', 'coturn',
  'lua-basexx', 'lua-cjson', 'lua-luaossl', 'lua-inspect', 'lua-sec', 'python3',
] as const;

const BUILD_SCRIPT = join(import.meta.dirname, 'build-root.sh');

export function rootKey(mirror: string): string {
  return createHash('sha256').update(JSON.stringify([mirror, PREFETCHED_PACKAGES, readFileSync(BUILD_SCRIPT, 'utf8')])).digest('hex').slice(0, 16);
}

/** The root's directory, built first when this machine has none for the current key. */
export function ensureRoot(cacheDir: string, mirror: string, progress: (line: string) => void = () => {}): string {
  const dir = join(cacheDir, `debian12-${rootKey(mirror)}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  mkdirSync(cacheDir, { recursive: true });
  progress(`building the Debian 12 root in ${dir} from ${mirror} (once per machine, a few minutes)`);
  // Under a lock: two test files may ask at once; the second finds it complete.
  const logPath = `${dir}.log`;
  const log = openSync(logPath, 'w');
  try {
    execFileSync('flock', [join(cacheDir, '.root.lock'), 'bash', BUILD_SCRIPT, dir, mirror, ...PREFETCHED_PACKAGES], { stdio: ['ignore', log, log] });
  } catch {
    const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-15).join('\n');
    throw new Error(`building the Debian 12 root failed (log: ${logPath}); is ${mirror} reachable and debootstrap installed?\n${tail}`);
  } finally {
    closeSync(log);
  }
  removeStale(cacheDir, 'debian12-', dir);
  return dir;
}

/** Drops what an older key built: only the current root and repository are ever used. */
export function removeStale(cacheDir: string, prefix: string, current: string): void {
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    if (entry.startsWith(prefix) && path !== current && path !== `${current}.log`) rmSync(path, { recursive: true, force: true });
  }
}
