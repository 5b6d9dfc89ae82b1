// `npm run verify` argument handling: help, the documented check list, and usage errors that exit
// 2 with a message naming the input at fault (no network involved: each fails before connecting).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CHECK_CATALOGUE } from '../../scripts/verify/registry.ts';

const execFileAsync = promisify(execFile);

function verify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return execFileAsync('npx', ['tsx', 'scripts/verify.ts', ...args], { encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('npm run verify', () => {
  it('--help names every option and the exit codes', async () => {
    const { code, stdout } = await verify(['--help']);
    expect(code).toBe(0);
    // Like every other command's help.
    expect(stdout).toMatch(/^Usage: npm run verify -- --url https:\/\/DOMAIN \[options\]\n/);
    for (const option of ['--url', '--stack', '--resolve', '--ca', '--json', '--only', '--skip', '--timeout', '--browser', '--aws', '--dns', '--aws-ranges']) expect(stdout).toContain(option);
    expect(stdout).toContain('Exit codes: 0');
  });

  it('--help explains how to download the AWS range data the region check also uses', async () => {
    const { stdout } = await verify(['--help']);
    expect(stdout).toContain('npx tsx scripts/refresh-aws-ip-ranges.ts');
    expect(stdout).toContain('reverse DNS');
  });

  it('--list --json prints the documented catalogue', async () => {
    const { code, stdout } = await verify(['--list', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(CHECK_CATALOGUE)));
  });

  it.each([
    [['--url', 'https://meet.example.org', '--bogus'], "Unknown option '--bogus'"],
    [[], 'missing --url'],
    [['--url', 'http://meet.example.org'], 'https://meet.example.org'],
    [['--url', 'https://meet.example.org', '--resolve', 'meet.example.org'], 'HOST:IP'],
    [['--url', 'https://meet.example.org', '--only', 'tls-expiri'], 'did you mean tls-expiry?'],
    [['--url', 'https://meet.example.org', '--timeout', 'soon'], '--timeout soon'],
    [['--url', 'https://meet.example.org', '--ca', '/nonexistent/ca.pem'], '--ca /nonexistent/ca.pem: no such file'],
    [['--url', 'https://meet.example.org', '--aws-ranges', '/nonexistent/ranges.json'], '--aws-ranges /nonexistent/ranges.json: no such file; write it with npx tsx scripts/refresh-aws-ip-ranges.ts --out'],
    [['--stack', 'no-such-stack-for-verify-cli'], 'Pulumi.no-such-stack-for-verify-cli.yaml'],
  ])('%j exits 2: %s', async (args, message) => {
    const { code, stderr, stdout } = await verify(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
