// Writes a rendered bundle to a directory: every file at its host path (relative to the
// directory) with its mode, plus manifest.json. The tree is built next to the target and swapped
// in, so a directory holds one complete render or none, and a re-render leaves no stale files.
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { manifestOf } from './bundle.ts';
import type { Bundle, BundleFile } from './types.ts';

export const MANIFEST_FILE = 'manifest.json';

export interface WrittenFile {
  path: string;
  component: BundleFile['component'];
  roles: BundleFile['roles'];
  mode: string;
  bytes: number;
}

/** The output directory cannot be used; the message says why and what to do instead. */
export class OutDirError extends Error {}

/** The target exists and is neither empty nor an earlier render: refusing protects the user's files. */
export class OutDirInUseError extends OutDirError {
  constructor(readonly dir: string) {
    super(`${dir} exists and is not a jitsi-eu render (no ${MANIFEST_FILE}): choose a new or empty directory`);
  }
}

/** Creates the directory that will hold the staging tree, or explains why it cannot exist. */
function prepareParent(parent: string): void {
  try {
    mkdirSync(parent, { recursive: true, mode: 0o755 });
    if (!statSync(parent).isDirectory()) throw new Error('not a directory');
    accessSync(parent, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new OutDirError(`${parent} cannot hold the output (${reason}): choose a directory you can write to`);
  }
}

function isReplaceable(dir: string): boolean {
  if (!existsSync(dir)) return true;
  if (!statSync(dir).isDirectory()) return false;
  const entries = readdirSync(dir);
  return entries.length === 0 || entries.includes(MANIFEST_FILE);
}

export function writeBundle(bundle: Bundle, outDir: string): WrittenFile[] {
  const target = resolve(outDir);
  if (!isReplaceable(target)) throw new OutDirInUseError(target);

  prepareParent(dirname(target));
  const staging = join(dirname(target), `.${basename(target)}.rendering-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  // Not recursive: on pseudo file systems (/proc, /sys) a recursive mkdir can retry for ever.
  try {
    mkdirSync(staging, { mode: 0o755 });
  } catch (error) {
    throw new OutDirError(`cannot create ${staging} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): choose a directory you can write to`);
  }
  try {
    const written: WrittenFile[] = [];
    for (const file of bundle.files) {
      const path = resolve(staging, file.path);
      if (!path.startsWith(staging + sep)) throw new Error(`bundle path escapes the output directory: ${file.path}`);
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      writeFileSync(path, file.content);
      // Set after writing: the process umask must not change the mode the bundle asks for.
      chmodSync(path, Number.parseInt(file.mode, 8));
      written.push({ path: file.path, component: file.component, roles: file.roles, mode: file.mode, bytes: Buffer.byteLength(file.content) });
    }
    writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifestOf(bundle), null, 2)}\n`);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    return written;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
