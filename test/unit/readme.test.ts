// The README is part of the product: its quick start must work as copied, its test command
// must be the one CI runs, it must lead to the reference in docs/, and the generated sections
// there must match the code.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/load.ts';
import { CONFIG_KEYS } from '../../infra/spec/keys.ts';
import { chooseSecrets } from '../../scripts/lib/workspace.ts';
import { PASSPHRASE_SETUP_LINES, SUGGESTED_PASSPHRASE_FILE } from '../../scripts/lib/passphrase.ts';
import { documentStates, GENERATED_FILES, generatedSections } from '../../scripts/readme/sections.ts';

const readme = readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8');
const ciRun = readFileSync(join(PROJECT_DIR, '.ci/run'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const doc = (file: string) => readFileSync(join(PROJECT_DIR, file), 'utf8');

/** The fenced bash blocks of the quick start, in order. */
function quickStartBlocks(): string[] {
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Commands'));
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('README', () => {
  it('starts with a quick start of one render command and one test command', () => {
    const blocks = quickStartBlocks();
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/^npm install\nnpm run render -- --config (Pulumi\.example-[a-z]+\.yaml) --out \S+$/);
    const example = /--config (\S+)/.exec(blocks[0]!)![1]!;
    expect(existsSync(join(PROJECT_DIR, example))).toBe(true);
    expect(blocks[1]).toBe('npm test');
  });

  it('gives the test command that .ci/run runs last', () => {
    const lastCommand = ciRun.trim().split('\n').filter((l) => l.trim() && !l.trim().startsWith('#') && !l.startsWith('echo')).pop();
    expect(lastCommand).toBe(quickStartBlocks()[1]);
  });

  it('stays a newcomer guide: the generated references live in docs/, linked from the README', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(16_000);
    for (const heading of ['## Quick start', '## Commands', '### A deployment, start to finish', '## Limits', '## Troubleshooting']) {
      expect(readme).toContain(heading);
    }
    for (const file of Object.keys(GENERATED_FILES).filter((f) => f.startsWith('docs/'))) {
      expect(readme, file).toContain(`](${file})`);
    }
    expect(readme).not.toContain('generated:privacy-table');
    expect(readme).not.toContain('generated:config-reference');
  });

  it('links only to documentation files and anchors that exist', () => {
    const files = ['README.md', ...Object.keys(GENERATED_FILES), 'docs/architecture.md'];
    for (const file of new Set(files)) {
      for (const [, target] of doc(file).matchAll(/\]\(((?!https?:)[^)\s]+)\)/g)) {
        const [path, anchor] = target!.split('#');
        const resolved = path ? join(dirname(file), path) : file;
        expect(existsSync(join(PROJECT_DIR, resolved)), `${file} → ${target}`).toBe(true);
        if (anchor) {
          const anchors = [...doc(resolved).matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'));
          expect(anchors, `${file} → ${target}`).toContain(anchor);
        }
      }
    }
  });

  it('names an npm script for every command it or docs/ documents', () => {
    for (const file of ['README.md', ...Object.keys(GENERATED_FILES)]) {
      for (const [, script] of doc(file).matchAll(/npm run (?:-s )?([a-z][a-z-]*)/g)) {
        expect(packageJson.scripts, `${file}: npm run ${script}`).toHaveProperty(script!);
      }
    }
  });

  it('has generated sections in README.md and docs/ that match the code', () => {
    for (const state of documentStates(PROJECT_DIR)) {
      expect(state.updated === state.current, `${state.file} is out of date: run npm run readme -- --write`).toBe(true);
    }
    const all = Object.keys(GENERATED_FILES).map(doc).join('\n');
    for (const body of Object.values(generatedSections())) expect(all).toContain(body);
  });

  it('notices a hand-edited table in docs/ as drift', () => {
    const copy = mkdtempSync(join(tmpdir(), 'jitsi-eu-readme-'));
    scratch.push(copy);
    for (const file of Object.keys(GENERATED_FILES)) cpSync(join(PROJECT_DIR, file), join(copy, file), { recursive: true });
    const privacy = join(copy, 'docs/privacy.md');
    writeFileSync(privacy, readFileSync(privacy, 'utf8').replace('| `no-referrer` |', '| `unsafe-url` |'));
    const stale = documentStates(copy).filter((s) => s.updated !== s.current).map((s) => s.file);
    expect(stale).toEqual(['docs/privacy.md']);
  });

  it('documents every stack config key in docs/configuration.md', () => {
    const reference = doc('docs/configuration.md');
    for (const key of CONFIG_KEYS) expect(reference).toContain(`\`${key.key}\``);
  });

  it('gives the same passphrase file in the README as in the hint deploy prints', () => {
    const paths = [...readme.matchAll(/PULUMI_CONFIG_PASSPHRASE_FILE=(\S+)/g)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path).toBe(SUGGESTED_PASSPHRASE_FILE);
    let hint = '';
    try {
      chooseSecrets({});
    } catch (error) {
      hint = (error as Error).message;
    }
    for (const line of PASSPHRASE_SETUP_LINES) {
      expect(hint).toContain(line);
      expect(readme).toContain(line);
    }
  });

  it('installs in .ci/run every Debian package the README lists for the tests', () => {
    const listed = /sudo apt-get install -y --no-install-recommends ([a-z0-9 .-]+)`/.exec(readme)![1]!.split(' ');
    for (const pkg of listed) expect(ciRun, pkg).toMatch(new RegExp(`^\\s+${pkg.replace(/\./g, '\\.')}\\b`, 'm'));
  });
});
