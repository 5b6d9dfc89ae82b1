// `npm run rehearse`: its help, and the usage errors it stops at before booting anything. The
// boots themselves are boot.test.ts's.
import { describe, expect, it } from 'vitest';
import { runNpmScript } from '../helpers/npm-run.ts';

describe('npm run rehearse', () => {
  it('--help names every option and the exit codes', () => {
    const run = runNpmScript('rehearse', ['--help']);
    expect(run.code).toBe(0);
    for (const option of ['--config', '--stack', '--role', '--keep', '--timeout', '--json']) expect(run.stdout).toContain(option);
    expect(run.stdout).toContain('Exit codes: 0 every host ready, 1 a boot failed or hung, 2');
  });

  it('refuses a role the stack does not have, naming the ones it has', () => {
    const run = runNpmScript('rehearse', ['--config', 'Pulumi.example-production.yaml', '--role', 'bridge']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--role bridge: example-production has the roles signaling');
  });

  it('refuses a timeout that is not a number of seconds', () => {
    const run = runNpmScript('rehearse', ['--config', 'Pulumi.example-production.yaml', '--timeout', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--timeout soon: give a whole number of seconds');
  });

  it('needs a stack file', () => {
    const run = runNpmScript('rehearse', []);
    expect(run.code).toBe(2);
  });
});
