// The sandbox command as a user runs it: npm run sandbox -- ..., in a child process.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { runNpmScript } from '../helpers/npm-run.ts';

const runSandbox = (args: string[], env: Record<string, string> = {}) => runNpmScript('sandbox', args, env);

describe('npm run sandbox', () => {
  it('exits 2 with install guidance when the Pulumi CLI is missing, without waiting on anything, and writes nothing', () => {
    const result = runSandbox(['create', 'x', '--ttl', '1d']);
    expect(result.code).toBe(2);
    // A guard against a hang (waiting on a missing binary or the network), not a speed target:
    // start-up time is measured by bench/help-startup.ts.
    expect(result.ms).toBeLessThan(30_000);
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

  it('refuses --config (exit 2): each sandbox has its stack file where Pulumi reads it', () => {
    for (const args of [['create', 'x', '--ttl', '1d', '--config', 'Pulumi.example-sandbox.yaml'], ['destroy', 'x', '--config=Pulumi.x.yaml']]) {
      const result = runSandbox(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: sandbox keeps each sandbox's stack file as Pulumi\.NAME\.yaml next to Pulumi\.yaml \(Pulumi reads it there\)/);
      expect(result.stderr).toMatch(/--from FILE/);
      expect(result.stderr).not.toMatch(/Unknown option|Usage:/);
    }
  });

  it('prints help and exits 0', () => {
    const result = runSandbox(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run sandbox -- <command>/);
    expect(result.stdout).toMatch(/Exit codes: 0/);
  });
});
