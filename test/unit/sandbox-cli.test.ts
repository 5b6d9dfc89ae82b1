// The sandbox command as a user runs it: npm run sandbox -- ..., in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { tempDir } from '../helpers/tools.ts';

/** PATH with node and npm but certainly no pulumi. */
function pathWithoutPulumi(): string {
  const dirs = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'];
  return dirs.filter((d) => !existsSync(join(d, 'pulumi'))).join(':');
}

function runSandbox(args: string[], env: Record<string, string> = {}) {
  const home = tempDir();
  const started = Date.now();
  try {
    const result = spawnSync('npm', ['run', '--silent', 'sandbox', '--', ...args], {
      cwd: PROJECT_DIR,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: pathWithoutPulumi(), HOME: home.path, NO_COLOR: '1', ...env },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
  } finally {
    home.remove();
  }
}

describe('npm run sandbox', () => {
  it('exits 2 within 5 s with install guidance when the Pulumi CLI is missing, and writes nothing', () => {
    const result = runSandbox(['create', 'x', '--ttl', '1d']);
    expect(result.code).toBe(2);
    expect(result.ms).toBeLessThan(5_000);
    expect(result.stderr).toMatch(/the Pulumi CLI is not installed/);
    expect(result.stderr).toMatch(/get\.pulumi\.com/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.stdout).toBe('');
    expect(existsSync(join(PROJECT_DIR, 'Pulumi.x.yaml'))).toBe(false);
  });

  it('reports a bad TTL as a usage error (exit 2) before looking for Pulumi', () => {
    const result = runSandbox(['create', 'x', '--ttl', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--ttl "soon" is not a duration/);
    expect(result.stderr).not.toMatch(/Pulumi CLI/);
  });

  it('prints help and exits 0', () => {
    const result = runSandbox(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run sandbox -- <command>/);
    expect(result.stdout).toMatch(/Exit codes: 0/);
  });
});
