// npm run deploy as a user runs it, in a child process.
import { describe, expect, it } from 'vitest';
import { runNpmScript } from '../helpers/npm-run.ts';

const runDeploy = (args: string[], env: Record<string, string> = {}) => runNpmScript('deploy', args, env);

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

  it('refuses --config in one clear line and how to get to --stack (exit 2), not the usage', () => {
    const result = runDeploy(['--config', 'Pulumi.example-production.yaml']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'error: deploy needs the stack file as Pulumi.NAME.yaml next to Pulumi.yaml (Pulumi reads it there): use --stack NAME',
      'Pulumi.example-production.yaml is already there: use --stack example-production',
      '',
    ]);
  });

  it('prints help and exits 0', () => {
    const result = runDeploy(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run deploy -- --stack NAME/);
    expect(result.stdout).toMatch(/PULUMI_BACKEND_URL/);
  });
});
