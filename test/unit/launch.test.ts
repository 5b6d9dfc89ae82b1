// The npm scripts start every command through scripts/launch.mjs: compiled once, rebuilt when a
// source changes, and with the AWS SDK, Pulumi, Handlebars and the browser driver kept out of the
// code that runs for --help and usage errors.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/load.ts';

const CACHE = join(PROJECT_DIR, 'node_modules/.cache/jitsi-eu');
const scripts = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const COMMANDS = ['render', 'plan', 'deploy', 'verify', 'sandbox', 'teardown', 'readme', 'doctor', 'rotate', 'accounts', 'upgrade'];
/** Packages that take a large share of a second to load. */
const HEAVY = /^(@aws-sdk\/|@pulumi\/|playwright-core|handlebars|ws$|stun$|htmlparser2)/;

const launch = (args: string[]) => spawnSync(process.execPath, ['scripts/launch.mjs', ...args], { cwd: PROJECT_DIR, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

interface Manifest {
  dir: string;
  entry: string;
  inputs: Record<string, [number, number]>;
}
const manifest = (command: string): Manifest => JSON.parse(readFileSync(join(CACHE, `${command}.json`), 'utf8')) as Manifest;

/** Every package a compiled file imports before its first line runs, following its static chunk imports. */
function staticPackages(file: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(file)) return packages;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const [, spec] of code.matchAll(/^import\s*(?:[^'"]*?from\s*)?["']([^"']+)["'];?$/gm)) {
    if (spec!.startsWith('.')) for (const p of staticPackages(resolve(dirname(file), spec!), seen)) packages.add(p);
    else if (!spec!.startsWith('node:')) packages.add(spec!);
  }
  return packages;
}

describe('scripts/launch.mjs', () => {
  it('starts every command of package.json', () => {
    for (const command of COMMANDS) expect(scripts[command], command).toBe(`node scripts/launch.mjs ${command}`);
  });

  it('answers --help and usage errors of every command without loading a heavy library first', () => {
    for (const command of COMMANDS) {
      const help = launch([command, '--help']);
      expect(help.status, `${command} --help: ${help.stderr}`).toBe(0);
      expect(help.stdout, command).toMatch(/usage/i);
      const bad = launch([command, '--no-such-option']);
      expect(bad.status, command).toBe(2);
      expect(bad.stderr, command).toMatch(/no-such-option/);
      const { dir, entry } = manifest(command);
      const loaded = [...staticPackages(join(CACHE, dir, entry))].filter((p) => HEAVY.test(p));
      expect(loaded, `${command} loads at start`).toEqual([]);
    }
  });

  it('rebuilds a command when one of its sources changes, and not otherwise', () => {
    expect(launch(['doctor', '--help']).status).toBe(0);
    const before = manifest('doctor').dir;
    expect(launch(['doctor', '--help']).status).toBe(0);
    expect(manifest('doctor').dir).toBe(before);
    const source = join(PROJECT_DIR, 'scripts/doctor/item.ts');
    const { atime } = statSync(source);
    utimesSync(source, atime, new Date());
    expect(launch(['doctor', '--help']).status).toBe(0);
    expect(manifest('doctor').dir).not.toBe(before);
    expect(Object.keys(manifest('doctor').inputs)).toContain('scripts/doctor/item.ts');
  });

  it('refuses a command that does not exist', () => {
    const result = launch(['no-such-command']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/no command no-such-command: scripts\/no-such-command\.ts does not exist/);
  });
});
