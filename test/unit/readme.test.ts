// The README is part of the product: its quick start must work as copied, its test command
// must be the one CI runs, and its generated sections must match the code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/load.ts';
import { CONFIG_KEYS } from '../../infra/spec/keys.ts';
import { generatedSections, updateReadme } from '../../scripts/readme/sections.ts';

const readme = readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8');
const ciRun = readFileSync(join(PROJECT_DIR, '.ci/run'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** The fenced bash blocks of the quick start, in order. */
function quickStartBlocks(): string[] {
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Commands'));
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

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

  it('names an npm script for every command it documents', () => {
    for (const [, script] of readme.matchAll(/npm run (?:-s )?([a-z][a-z-]*)/g)) {
      expect(packageJson.scripts, `npm run ${script}`).toHaveProperty(script!);
    }
  });

  it('has generated sections that match the code', () => {
    expect(updateReadme(readme) === readme, 'README.md is out of date: run npm run readme -- --write').toBe(true);
    for (const body of Object.values(generatedSections())) expect(readme).toContain(body);
  });

  it('documents every stack config key', () => {
    for (const key of CONFIG_KEYS) expect(readme).toContain(`\`${key.key}\``);
  });

  it('installs in .ci/run every Debian package the README lists for the tests', () => {
    const listed = /sudo apt-get install -y --no-install-recommends ([a-z0-9 .-]+)`/.exec(readme)![1]!.split(' ');
    for (const pkg of listed) expect(ciRun, pkg).toMatch(new RegExp(`^\\s+${pkg.replace(/\./g, '\\.')}\\b`, 'm'));
  });
});
