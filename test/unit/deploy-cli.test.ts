// npm run deploy as a user runs it, in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { tempDir } from '../helpers/tools.ts';

function runDeploy(args: string[], env: Record<string, string> = {}) {
  const home = tempDir();
  const path = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].filter((d) => !existsSync(join(d, 'pulumi'))).join(':');
  const started = Date.now();
  try {
    const result = spawnSync('npm', ['run', '--silent', 'deploy', '--', ...args], {
      cwd: PROJECT_DIR,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: path, HOME: home.path, NO_COLOR: '1', ...env },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started, home: home.path };
  } finally {
    home.remove();
  }
}

describe('npm run deploy', () => {
  it('exits 2 at once with what to install when the Pulumi CLI is missing', () => {
    const result = runDeploy(['--stack', 'example-production'], { PULUMI_CONFIG_PASSPHRASE: 'x' });
    expect(result.code).toBe(2);
    expect(result.ms).toBeLessThan(5_000);
    expect(result.stderr).toMatch(/error: the Pulumi CLI is not installed/);
    expect(result.stderr).toMatch(/Install it, then run the command again/);
    expect(result.stdout).toBe('');
  });

  it('names the missing stack file (exit 2) before looking for Pulumi', () => {
    const result = runDeploy(['--stack', 'no-such-stack']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Pulumi\.no-such-stack\.yaml does not exist/);
  });

  it('prints help and exits 0', () => {
    const result = runDeploy(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run deploy -- --stack NAME/);
    expect(result.stdout).toMatch(/PULUMI_BACKEND_URL/);
  });
});
