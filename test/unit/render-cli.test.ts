// `npm run render` as a user runs it: a real process (npx tsx scripts/render.ts), real stack
// files, a real output directory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostRoles } from '../../infra/render/roles.ts';
import type { BundleComponent, HostRole, Manifest } from '../../infra/render/types.ts';
import { PROJECT_DIR, loadStackFile, stackFileFor } from '../../infra/spec/index.ts';
import { tempDir } from '../helpers/tools.ts';

const work = tempDir('jitsi-eu-render-cli-');
afterAll(() => work.remove());

function render(...args: string[]) {
  const result = spawnSync('npx', ['tsx', 'scripts/render.ts', ...args], {
    cwd: PROJECT_DIR,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a directory, relative path → bytes and mode. */
function tree(dir: string): Map<string, { bytes: Buffer; mode: number }> {
  const out = new Map<string, { bytes: Buffer; mode: number }>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(relative(dir, path), { bytes: readFileSync(path), mode: statSync(path).mode & 0o777 });
    }
  };
  walk(dir);
  return out;
}

const COMPONENTS: BundleComponent[] = [
  'web-config', 'interface-config', 'prosody', 'prosody-plugin', 'jicofo', 'jvb', 'nginx', 'coturn', 'os', 'cloud-init', 'privacy-notice',
];
const EXAMPLES = ['example-production', 'example-sandbox', 'example-scalable'];

describe('npm run render', () => {
  it.each(EXAMPLES)('renders %s: exit 0, every file on disk is in manifest.json with its mode', (stack) => {
    const out = join(work.path, stack);
    const { code, stderr } = render('--stack', stack, '--out', out);
    expect(code, stderr).toBe(0);
    const loaded = loadStackFile(stackFileFor(stack));
    if (!loaded.ok) throw new Error(`${stack} is invalid`);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    const files = tree(out);
    files.delete('manifest.json');
    expect(manifest.files.map((f) => f.path).sort()).toEqual([...files.keys()].sort());
    const roles: HostRole[] = hostRoles(loaded.spec);
    for (const entry of manifest.files) {
      expect(COMPONENTS, entry.path).toContain(entry.component);
      expect(entry.roles.length).toBeGreaterThan(0);
      for (const role of entry.roles) expect(roles, entry.path).toContain(role);
      expect(files.get(entry.path)!.mode.toString(8).padStart(4, '0'), entry.path).toBe(entry.mode);
    }
    for (const role of roles) expect(files.has(`etc/jitsi-eu/cloud-init/${role}.yaml`), role).toBe(true);
  });

  it('renders byte-identical trees twice, and a re-render replaces an earlier one', () => {
    const a = join(work.path, 'twice-a');
    const b = join(work.path, 'twice-b');
    expect(render('--config', stackFileFor('example-scalable'), '--out', a).code).toBe(0);
    expect(render('--config', stackFileFor('example-scalable'), '--out', b).code).toBe(0);
    writeFileSync(join(b, 'stale-file'), 'left over');
    expect(render('--config', stackFileFor('example-scalable'), '--out', b).code).toBe(0);
    const ta = tree(a);
    const tb = tree(b);
    expect([...tb.keys()].sort()).toEqual([...ta.keys()].sort());
    for (const [path, { bytes, mode }] of ta) {
      expect(tb.get(path)!.bytes.equals(bytes), path).toBe(true);
      expect(tb.get(path)!.mode, path).toBe(mode);
    }
  });

  it('--json prints the stack, the output directory, every file with its size, and the warnings', () => {
    const out = join(work.path, 'json');
    const stackFile = join(work.path, 'Pulumi.jsonstack.yaml');
    writeFileSync(stackFile, 'config:\n  aws:region: eu-west-1\n  jitsi-eu:domain: meet.example.net\n  jitsi-eu:acmeEmail: ops@example.net\n');
    const { code, stdout, stderr } = render('--config', stackFile, '--out', out, '--json');
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as { stack: string; out: string; files: { path: string; component: string; roles: string[]; mode: string; bytes: number }[]; warnings: string[] };
    expect(report.stack).toBe('jsonstack');
    expect(report.out).toBe(out);
    const files = tree(out);
    expect(report.files.map((f) => f.path).sort()).toEqual([...files.keys()].filter((p) => p !== 'manifest.json').sort());
    for (const f of report.files) expect(f.bytes, f.path).toBe(files.get(f.path)!.bytes.length);
    // organization and privacyContact are not set: both defaults are announced.
    expect(report.warnings.some((w) => w.includes('jitsi-eu:organization'))).toBe(true);
    expect(report.warnings.some((w) => w.includes('jitsi-eu:privacyContact'))).toBe(true);
    expect(stderr).toContain('warning: jitsi-eu:organization');
  });

  it('refuses to replace a directory that is not an earlier render', () => {
    const out = join(work.path, 'precious');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const { code, stderr } = render('--stack', 'example-sandbox', '--out', out);
    expect(code).toBe(2);
    expect(stderr).toContain('is not a jitsi-eu render');
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });

  it.each([
    ['under a file', () => {
      const file = join(work.path, 'a-file');
      writeFileSync(file, 'x');
      return join(file, 'out');
    }, /cannot hold the output \(EEXIST\)/],
    ['on a pseudo file system', () => '/proc/jitsi-eu-out', /cannot create .* \(E[A-Z]+\)/],
  ])('an --out directory %s that cannot be written ends at once with exit 2', (_name, outDir, message) => {
    const started = Date.now();
    const { code, stderr } = render('--stack', 'example-sandbox', '--out', outDir());
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/unexpected failure|\n\s+at /);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  const BASE = ['config:', '  aws:region: eu-central-1', '  jitsi-eu:domain: meet.example.org', '  jitsi-eu:acmeEmail: ops@example.org'];
  it.each([
    ['an unknown key, with a suggestion', [...BASE, '  jitsi-eu:domian: meet.example.org'], ['jitsi-eu:domian', 'did you mean jitsi-eu:domain?']],
    ['a region outside the EU', [BASE[0]!, '  aws:region: us-east-1', BASE[2]!, BASE[3]!], ['aws:region', 'us-east-1']],
    ['a domain with a scheme', [BASE[0]!, BASE[1]!, '  jitsi-eu:domain: https://meet.example.org', BASE[3]!], ['jitsi-eu:domain', 'https://meet.example.org']],
    ['invalid YAML', [...BASE, '  jitsi-eu:bridges: [1, 2'], ['invalid YAML', 'line ']],
    ['anonymous auth with a lobby', [...BASE, '  jitsi-eu:auth: anonymous', '  jitsi-eu:lobby: true'], ['jitsi-eu:lobby', 'anonymous']],
    ['p2p without TURN', [...BASE, '  jitsi-eu:p2p: true', '  jitsi-eu:turn: false'], ['jitsi-eu:p2p', 'jitsi-eu:turn']],
  ])('%s: exit 2, names the key, writes nothing', (name, lines, expected) => {
    const stackFile = join(work.path, `Pulumi.bad-${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(stackFile, `${lines.join('\n')}\n`);
    const out = join(work.path, `bad-${name.replace(/\W+/g, '-')}`);
    const { code, stdout, stderr } = render('--config', stackFile, '--out', out);
    expect(code).toBe(2);
    for (const text of expected) expect(stderr).toContain(text);
    expect(stderr).toContain(stackFile);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('--help explains the command and exits 0; a wrong flag exits 2', () => {
    const help = render('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run render -- (--config PATH | --stack NAME) [--out DIR] [--json]');
    const wrong = render('--stak', 'x');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--stak');
  });

  it('--privacy-table prints one Markdown row per setting of the default profile', () => {
    const { code, stdout } = render('--privacy-table');
    expect(code).toBe(0);
    const rows = stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^\| Category \| Setting \|/);
    expect(rows[1]).toMatch(/^(\| --- )+\|$/);
    for (const row of rows.slice(2)) expect(row.split(/(?<!\\)\|/).length, row).toBe(9);
    expect(rows.some((r) => r.includes('`os-logrotate`'))).toBe(true);
  });
});
