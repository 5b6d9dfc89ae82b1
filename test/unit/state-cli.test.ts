// `npm run state` as a user runs it: help, argument mistakes and their exit codes, --json output,
// and the refusal to go ahead without a terminal or --yes.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { pathWithoutPulumi, runNpmScript } from '../helpers/npm-run.ts';
import { tempDir } from '../helpers/tools.ts';

const STUB_PATH = `${resolve(PROJECT_DIR, 'test/fixtures/fake-pulumi-state/bin')}:${pathWithoutPulumi()}`;
let dir: ReturnType<typeof tempDir>;

beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

/** A file backend holding stack `demo` with `n` resources; returns its URL and the export text. */
function backendWithDemo(n: number): { url: string; text: string } {
  const folder = join(dir.path, 'backend', '.pulumi', 'stacks', 'jitsi-eu');
  mkdirSync(folder, { recursive: true });
  const text = JSON.stringify({ version: 3, deployment: { secrets_providers: { type: 'passphrase' }, resources: Array.from({ length: n }, (_, i) => ({ urn: `urn:${i}` })) } });
  writeFileSync(join(folder, 'demo.json'), text);
  return { url: `file://${join(dir.path, 'backend')}`, text };
}

describe('npm run state', () => {
  it('--help describes every job and exits 0', () => {
    const run = runNpmScript('state', ['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run state -- share/);
    for (const job of ['share', 'backup', 'restore']) expect(run.stdout).toContain(`  ${job} `);
  });

  it.each([
    [[], /missing what to do: share, backup or restore/],
    [['move', '--stack', 'demo'], /unknown job move/],
    [['share'], /missing --stack NAME/],
    [['backup', '--stack', 'demo'], /missing --out FILE/],
    [['restore', '--stack', 'demo'], /missing --from FILE/],
    [['backup', '--stack', 'demo', '--out', 'x', '--bucket', 'b'], /--bucket does not apply to backup/],
    [['share', '--stack', 'demo', '--colour'], /Unknown option '--colour'/],
  ])('%j is a usage error (exit 2)', (args, message) => {
    const run = runNpmScript('state', args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('share without the Pulumi CLI says how to install it (exit 2)', () => {
    const run = runNpmScript('state', ['share', '--stack', 'example-sandbox'], { PULUMI_CONFIG_PASSPHRASE: 'x' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the Pulumi CLI is not installed');
  });

  it('backup --json prints one JSON object, writes a 0600 file and warns on stderr', () => {
    const { url, text } = backendWithDemo(2);
    const file = join(dir.path, 'demo-backup.json');
    const run = runNpmScript('state', ['backup', '--stack', 'demo', '--out', file, '--json'], { PATH: STUB_PATH, PULUMI_BACKEND_URL: url, PULUMI_CONFIG_PASSPHRASE: 'x' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ stack: 'demo', file, resources: 2, backend: url });
    expect(run.stderr).toMatch(/warning: this file holds the whole state of the stack/);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('restore off a terminal without --yes stops and asks for --yes (exit 2), changing nothing', () => {
    const { url, text } = backendWithDemo(2);
    const file = join(dir.path, 'older.json');
    writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources: [] } }));
    const run = runNpmScript('state', ['restore', '--stack', 'demo', '--from', file], { PATH: STUB_PATH, PULUMI_BACKEND_URL: url, PULUMI_CONFIG_PASSPHRASE: 'x' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Pass --yes to go ahead without asking.');
    expect(readFileSync(join(dir.path, 'backend', '.pulumi', 'stacks', 'jitsi-eu', 'demo.json'), 'utf8')).toBe(text);
  });

  it("a Pulumi call that fails before anything changes is exit 2 in Pulumi's words", () => {
    const { url } = backendWithDemo(1);
    const run = runNpmScript('state', ['backup', '--stack', 'demo', '--out', join(dir.path, 'b.json')], { PATH: STUB_PATH, PULUMI_BACKEND_URL: url, PULUMI_CONFIG_PASSPHRASE: 'x', FAKE_PULUMI_FAIL: 'stack ls' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: pulumi stack ls failed: error: fake pulumi: stack ls failed as asked/);
  });

  it('a failed import is exit 1 with the error named', () => {
    const { url } = backendWithDemo(2);
    const file = join(dir.path, 'backup.json');
    writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources: [{ urn: 'a' }] } }));
    const run = runNpmScript('state', ['restore', '--stack', 'demo', '--from', file, '--yes'], { PATH: STUB_PATH, PULUMI_BACKEND_URL: url, PULUMI_CONFIG_PASSPHRASE: 'x', FAKE_PULUMI_FAIL: 'stack import' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('pulumi stack import failed: error: fake pulumi: stack import failed as asked');
  });
});
