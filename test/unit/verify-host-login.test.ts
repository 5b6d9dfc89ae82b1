// The host login verify's browser uses on secure-auth stacks: the credentials file is private
// and well-formed or refused with exit 2 naming the file and the fix, its password never appears
// in any message, and the script handed to the host's browser stores exactly the login the app
// reads (jitsi-meet react/features/base/connection/actions.web.ts: xmpp_username_override and
// xmpp_password_override).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hostLoginScript, readHostCredentialsFile } from '../../scripts/verify/browser/host-login.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { tempDir } from '../helpers/tools.ts';

const PASSWORD = 'S3cret: with "quotes" and \\ backslash';
const dir = tempDir('jitsi-eu-host-login-');
afterAll(() => dir.remove());

function credentialsFile(name: string, content: string, mode: number): string {
  const path = join(dir.path, name);
  writeFileSync(path, content, { mode });
  return path;
}

describe('--host-credentials FILE', () => {
  it('reads the user from the first line and the password from the second', () => {
    const path = credentialsFile('ok.txt', `host\n${PASSWORD}\n`, 0o600);
    expect(readHostCredentialsFile(path)).toEqual({ user: 'host', password: PASSWORD });
  });

  it('refuses a file other users can read, naming the fix and not the password', () => {
    const path = credentialsFile('open.txt', `host\n${PASSWORD}\n`, 0o644);
    let error: unknown;
    try {
      readHostCredentialsFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(`chmod 600 ${path}`);
    expect((error as Error).message).toContain('mode 644');
    expect((error as Error).message).not.toContain('S3cret');
  });

  it('refuses a file without a password line, and a missing file', () => {
    expect(() => readHostCredentialsFile(credentialsFile('short.txt', 'host\n', 0o600))).toThrow(/user name on its first line and the password on its second/);
    expect(() => readHostCredentialsFile(join(dir.path, 'missing.txt'))).toThrow(/missing\.txt: cannot read it \(ENOENT\)/);
  });

  it('the CLI exits 2 for an unreadable-by-policy file and for the option without --browser', async () => {
    const run = (args: string[]) =>
      promisify(execFile)('npx', ['tsx', 'scripts/verify.ts', ...args], { encoding: 'utf8' }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
    const open = credentialsFile('cli-open.txt', `host\n${PASSWORD}\n`, 0o640);
    const refused = await run(['--url', 'https://meet.example.org', '--browser', '--host-credentials', open]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`chmod 600 ${open}`);
    expect(refused.stderr).not.toContain('S3cret');
    const noBrowser = await run(['--url', 'https://meet.example.org', '--host-credentials', credentialsFile('cli-ok.txt', `host\n${PASSWORD}\n`, 0o600)]);
    expect(noBrowser).toEqual({ code: 2, stderr: expect.stringContaining('--host-credentials is for the browser checks: add --browser') });
  }, 30_000);
});

describe('the host login script', () => {
  it('stores the login the app connects with, quoting any character of the password', () => {
    const stored = new Map<string, string>();
    const window = { localStorage: { setItem: (k: string, v: string) => stored.set(k, v) } };
    runInNewContext(hostLoginScript({ user: 'host', password: PASSWORD }), { window });
    expect(Object.fromEntries(stored)).toEqual({ xmpp_username_override: 'host', xmpp_password_override: PASSWORD });
  });
});
