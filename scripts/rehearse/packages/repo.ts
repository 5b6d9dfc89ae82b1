// The stand-in package repository: the dummy packages built with equivs, indexed like Jitsi's
// flat repository (`deb https://download.jitsi.org stable/`) and signed with a throwaway key that
// is served where Jitsi's key is. Built once per content hash into the rehearsal cache.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { removeStale } from '../root.ts';
import { type DummyPackage, dummyPackages } from './dummies.ts';

export interface StandinRepo {
  /** Served as https://download.jitsi.org/ */
  root: string;
  /** The SSM agent package, served under every region's agent bucket path. */
  ssmAgentDeb: string;
}

const run = (cmd: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv) =>
  execFileSync(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

function controlFile(pkg: DummyPackage, files: string[], hasPostinst: boolean): string {
  const lines = [
    'Section: misc',
    'Priority: optional',
    'Standards-Version: 4.6.2',
    `Package: ${pkg.name}`,
    `Version: ${pkg.version}`,
    'Maintainer: jitsi-eu rehearsal <rehearsal@invalid>',
    'Architecture: all',
  ];
  if (pkg.depends.length > 0) lines.push(`Depends: ${pkg.depends.join(', ')}`);
  if (files.length > 0) lines.push(`Files: ${files.join('\n ')}`);
  if (hasPostinst) lines.push('Postinst: postinst');
  lines.push(`Description: ${pkg.description}`, ' Built for jitsi-eu\'s boot rehearsal; not the real package.');
  return `${lines.join('\n')}\n`;
}

function buildPlainDeb(pkg: DummyPackage, out: string): string {
  const tree = mkdtempSync(join(out, `.build-${pkg.name}-`));
  try {
    for (const [target, content] of Object.entries(pkg.files)) {
      const path = join(tree, target);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      chmodSync(path, pkg.modes?.[target] ?? 0o644);
    }
    mkdirSync(join(tree, 'DEBIAN'));
    const control = [`Package: ${pkg.name}`, `Version: ${pkg.version}`, 'Architecture: all', 'Maintainer: jitsi-eu rehearsal <rehearsal@invalid>',
      ...(pkg.depends.length > 0 ? [`Depends: ${pkg.depends.join(', ')}`] : []), `Description: ${pkg.description}`];
    writeFileSync(join(tree, 'DEBIAN', 'control'), `${control.join('\n')}\n`);
    if (pkg.postinst) {
      writeFileSync(join(tree, 'DEBIAN', 'postinst'), `#!/bin/sh\n${pkg.postinst}\n`);
      chmodSync(join(tree, 'DEBIAN', 'postinst'), 0o755);
    }
    const deb = join(out, `${pkg.name}_${pkg.version}_all.deb`);
    run('dpkg-deb', ['--root-owner-group', '--build', tree, deb]);
    return deb;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

function buildDeb(pkg: DummyPackage, out: string): string {
  if (pkg.plain) return buildPlainDeb(pkg, out);
  const work = mkdtempSync(join(out, `.build-${pkg.name}-`));
  try {
    const files = Object.entries(pkg.files).map(([target, content], i) => {
      const source = join(work, 'files', String(i), target.split('/').at(-1)!);
      mkdirSync(dirname(source), { recursive: true });
      writeFileSync(source, content);
      chmodSync(source, pkg.modes?.[target] ?? 0o644);
      return `files/${i}/${target.split('/').at(-1)} ${dirname(target)}/`;
    });
    if (pkg.postinst) writeFileSync(join(work, 'postinst'), `#!/bin/sh\nset -e\n${pkg.postinst}\n#DEBHELPER#\nexit 0\n`);
    writeFileSync(join(work, 'control'), controlFile(pkg, files, pkg.postinst !== undefined));
    run('equivs-build', ['control'], work);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`equivs-build made no package for ${pkg.name}`);
    renameSync(join(work, deb), join(out, deb));
    return join(out, deb);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Everything the repository is made from: a change to any of it builds a new one. */
export function repoKey(release: string): string {
  const sources = ['dummies.ts', 'repo.ts', 'rest-standin.py'].map((f) => readFileSync(join(import.meta.dirname, f), 'utf8'));
  return sha256(JSON.stringify([release, dummyPackages(release), sources])).slice(0, 16);
}

export function ensureStandinRepo(cacheDir: string, release: string, progress: (line: string) => void = () => {}): StandinRepo {
  const dir = join(cacheDir, `repo-${repoKey(release)}`);
  const result = { root: join(dir, 'www'), ssmAgentDeb: join(dir, 'amazon-ssm-agent.deb') };
  if (existsSync(join(dir, '.complete'))) return result;
  progress(`building the stand-in package repository in ${dir}`);
  const work = `${dir}.partial`;
  rmSync(work, { recursive: true, force: true });
  const stable = join(work, 'www', 'stable');
  mkdirSync(stable, { recursive: true });
  for (const pkg of dummyPackages(release)) {
    const deb = buildDeb(pkg, stable);
    if (pkg.name === 'amazon-ssm-agent') renameSync(deb, join(work, 'amazon-ssm-agent.deb'));
  }
  const packages = run('dpkg-scanpackages', ['--multiversion', 'stable', '/dev/null'], join(work, 'www'));
  writeFileSync(join(stable, 'Packages'), packages);
  const release_ = [
    'Origin: jitsi-eu rehearsal',
    'Label: Jitsi (rehearsal stand-in)',
    `Date: ${new Date().toUTCString().replace('GMT', 'UTC')}`,
    'SHA256:',
    ` ${sha256(packages)} ${Buffer.byteLength(packages)} Packages`,
    '',
  ].join('\n');
  writeFileSync(join(stable, 'Release'), release_);

  // A throwaway signing key, like Jitsi's but ours; only its public half is served.
  const gnupg = join(work, 'gnupg');
  mkdirSync(gnupg, { mode: 0o700 });
  const gpg = (...args: string[]) => run('gpg', ['--homedir', gnupg, '--batch', '--yes', ...args]);
  gpg('--passphrase', '', '--quick-gen-key', 'jitsi-eu rehearsal <rehearsal@invalid>', 'ed25519', 'sign', 'never');
  writeFileSync(join(work, 'www', 'jitsi-key.gpg.key'), gpg('--armor', '--export'));
  gpg('--clearsign', '--output', join(stable, 'InRelease'), join(stable, 'Release'));
  gpg('--armor', '--detach-sign', '--output', join(stable, 'Release.gpg'), join(stable, 'Release'));
  run('gpgconf', ['--homedir', gnupg, '--kill', 'all']);
  rmSync(gnupg, { recursive: true, force: true });
  writeFileSync(join(work, '.complete'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  removeStale(cacheDir, 'repo-', dir);
  return result;
}
