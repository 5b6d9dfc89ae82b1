// npm run accounts on a Hetzner Cloud stack: every operation is a script sent through the channel
// to a loopback host that checks signatures as the signaling node does and runs the script with
// bash in a folder standing for the host (the secrets folder of host-kept.sh, a stand-in
// accounts.sh). So add, reset-password, list and remove really write, read and delete the
// account files; the secret is read from the host's file; passwords show once, on stdout only.
// The tests run in order on one host folder: alice, added first, is listed, reset and removed.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { renderBundle } from '../../infra/render/bundle.ts';
import { CLOUD_SCRIPT_PATH } from '../../infra/render/cloud-layer.ts';
import { ACCOUNTS_SCRIPT_PATH } from '../../infra/render/os.ts';
import { channelStack } from '../../scripts/accounts/deps.ts';
import { ChannelHostCommands } from '../../scripts/lib/channel/client.ts';
import { EXIT } from '../../scripts/lib/cli.ts';
import { runAccounts, type AccountsRun, type StoodInDeps } from '../helpers/accounts-run.ts';
import { bashRunner, channelKeyPair, startChannelHost, type ChannelHost } from '../helpers/channel-host.ts';
import { makeSpec } from '../helpers/spec.ts';
import { createTestCa, type TestCa } from '../helpers/test-ca.ts';
import { freePort, tempDir } from '../helpers/tools.ts';

const SPEC = makeSpec({ stack: 'crew-hetzner', cloud: 'hetzner', region: 'fsn1', auth: 'secure', domain: 'meet.crew.example.eu', instanceType: 'ccx23' });
const HOST_PASSWORD = 'host-password-made-at-first-boot';
const keys = channelKeyPair();

let dir: ReturnType<typeof tempDir>;
let ca: TestCa;
let host: ChannelHost;
let secrets: string;
let syncLog: string;

/** accounts.sh as far as this test needs it: logs its call, says which accounts the folder holds. */
const STUB_ACCOUNTS_SH = `#!/bin/bash
set -eu
echo "$1" >>"$SYNC_LOG"
names=$(cd "$JITSI_EU_SECRETS_DIR/accounts" 2>/dev/null && ls | tr '\\n' ' ')
echo "2026-12-06T12:00:00Z jitsi-eu: host accounts on ${SPEC.domain}: \${names}host"
`;

beforeAll(async () => {
  dir = tempDir();
  ca = createTestCa(dir.path);
  secrets = join(dir.path, 'root/var/lib/jitsi-eu/secrets');
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  syncLog = join(dir.path, 'sync.log');
  const stub = join(dir.path, 'accounts.sh');
  writeFileSync(stub, STUB_ACCOUNTS_SH);
  chmodSync(stub, 0o755);
  host = await startChannelHost({
    ca,
    domain: SPEC.domain,
    publicKeyPem: keys.publicKeyPem,
    run: bashRunner({ JITSI_EU_SECRETS_DIR: secrets, SYNC_LOG: syncLog }, [[ACCOUNTS_SCRIPT_PATH, stub]]),
  });
});
afterAll(async () => {
  await host.stop();
  dir.remove();
});
beforeEach(() => {
  writeFileSync(join(secrets, 'host-password'), HOST_PASSWORD, { mode: 0o600 });
  writeFileSync(syncLog, '');
  host.scripts.length = 0;
});

function accounts(argv: string[], options: { terminal?: boolean; url?: string } = {}): Promise<AccountsRun> {
  const channel = new ChannelHostCommands({ url: options.url ?? host.url, domain: SPEC.domain, privateKeyPem: keys.privateKeyPem, stack: SPEC.stack }, { ca: [ca.caCertPem], retryMs: 50 });
  const stoodIn: StoodInDeps = {
    loadSpec: () => SPEC,
    requireCredentials: async () => {
      throw new Error('no AWS credentials are asked for outside AWS');
    },
    openStack: (_spec, timeoutMs) => channelStack((script, ms) => channel.send(script, ms), '4711', channel, timeoutMs),
    confirm: async () => false,
  };
  return runAccounts([...argv, '--stack', SPEC.stack], stoodIn, options.terminal);
}

const accountFile = (name: string) => join(secrets, 'accounts', name);
const syncs = () => readFileSync(syncLog, 'utf8').split('\n').filter(Boolean);

describe('npm run accounts on a Hetzner Cloud stack, through the channel', () => {
  it('add writes the account file (0600) with the generated password, syncs, and shows the password once on stdout', async () => {
    const run = await accounts(['add', 'alice', '--json']);
    expect(run.code, run.err).toBe(EXIT.OK);
    const report = JSON.parse(run.out) as { password: string; host: { state: string; instanceId: string; said: string[] } };
    expect(readFileSync(accountFile('alice'), 'utf8')).toBe(report.password);
    expect(statSync(accountFile('alice')).mode & 0o777).toBe(0o600);
    expect(report.host).toEqual({ state: 'applied', instanceId: '4711', said: [`host accounts on ${SPEC.domain}: alice host`] });
    expect(syncs()).toEqual(['sync']);
    expect(run.out.split(report.password)).toHaveLength(2);
    expect(run.err).not.toContain(report.password);
    expect(run.err).toContain('stored on the signaling node; asking the signaling host to apply it (accounts.sh sync)');

    const again = await accounts(['add', 'alice', '--json']);
    expect(again.code).toBe(EXIT.FAILED);
    expect(again.err).toContain('account alice exists already in stack crew-hetzner');
    expect(readFileSync(accountFile('alice'), 'utf8')).toBe(report.password);
  });

  it("the host's own reader (cloud_accounts of the rendered cloud.sh) sees what add wrote: name and password, no temporary file", async () => {
    const cloudSh = join(dir.path, 'cloud.sh');
    writeFileSync(cloudSh, renderBundle(SPEC).files.find((f) => f.path === CLOUD_SCRIPT_PATH.slice(1))!.content);
    writeFileSync(join(secrets, 'accounts', '.alice.tmp123'), 'half-written');
    const seen = execFileSync('bash', ['-c', `source ${cloudSh} && cloud_accounts`], { env: { PATH: '/usr/bin:/bin', JITSI_EU_SECRETS_DIR: secrets }, encoding: 'utf8' });
    expect(seen).toBe(`alice\t${readFileSync(accountFile('alice'), 'utf8')}\n`);
  });

  it('list gives names, change times and the stack account, never a password', async () => {
    writeFileSync(accountFile('bob'), 'bobs-password-never-listed', { mode: 0o600 });
    const run = await accounts(['list', '--json']);
    expect(run.code, run.err).toBe(EXIT.OK);
    const { accounts: listed } = JSON.parse(run.out) as { accounts: { name: string; stackAccount: boolean; changed: string; jid: string }[] };
    expect(listed.map((a) => [a.name, a.stackAccount])).toEqual([['alice', false], ['bob', false], ['host', true]]);
    for (const a of listed) expect(a.changed).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(run.out).not.toContain('bobs-password-never-listed');
    expect(run.out).not.toContain(HOST_PASSWORD);
    expect(syncs()).toEqual([]);
  });

  it('reset-password replaces the file content; an account that is not there is exit 1 and nothing is written', async () => {
    const before = readFileSync(accountFile('alice'), 'utf8');
    const run = await accounts(['reset-password', 'alice', '--json']);
    expect(run.code, run.err).toBe(EXIT.OK);
    const { password } = JSON.parse(run.out) as { password: string };
    expect(password).not.toBe(before);
    expect(readFileSync(accountFile('alice'), 'utf8')).toBe(password);
    expect(statSync(accountFile('alice')).mode & 0o777).toBe(0o600);

    const missing = await accounts(['reset-password', 'carol', '--json']);
    expect(missing.code).toBe(EXIT.FAILED);
    expect(missing.err).toContain('there is no account carol');
    expect(existsSync(accountFile('carol'))).toBe(false);
  });

  it('remove deletes the file and syncs (the sync ends the sessions)', async () => {
    const run = await accounts(['remove', 'alice', '--yes']);
    expect(run.code, run.err).toBe(EXIT.OK);
    expect(existsSync(accountFile('alice'))).toBe(false);
    expect(existsSync(accountFile('bob'))).toBe(true);
    expect(syncs()).toEqual(['sync']);
    expect(run.out).toContain('alice cannot sign in again; the host ends their open sessions');
  });

  it('secret host-password: the host file, shown once; refused into a pipe without --json; jwt-app-secret refused on a secure stack', async () => {
    const json = await accounts(['secret', 'host-password', '--json']);
    expect(json.code, json.err).toBe(EXIT.OK);
    expect(JSON.parse(json.out)).toEqual({ stack: SPEC.stack, secret: 'host-password', value: HOST_PASSWORD });
    expect(json.err).not.toContain(HOST_PASSWORD);

    const terminal = await accounts(['secret', 'host-password'], { terminal: true });
    expect(terminal.out.split(HOST_PASSWORD)).toHaveLength(2);

    host.scripts.length = 0;
    await expect(accounts(['secret', 'host-password'])).rejects.toThrow(/shows the secret once, on a terminal; stdout is not one/);
    await expect(accounts(['secret', 'jwt-app-secret', '--json'])).rejects.toThrow(/uses jitsi-eu:auth: secure, so it has no jwt-app-secret/);
    expect(host.scripts).toEqual([]);
  });

  it('a node that has not made the secret yet, and a node that cannot be reached: exit 1 saying so', async () => {
    writeFileSync(join(secrets, 'host-password'), '');
    const notYet = await accounts(['secret', 'host-password', '--json']);
    expect(notYet.code).toBe(EXIT.FAILED);
    expect(notYet.err).toContain('the signaling node has no host-password (yet)');

    const url = `https://127.0.0.1:${await freePort()}/_jitsi-eu/channel/run`;
    const unreachable = await accounts(['list', '--json', '--timeout', '0.3'], { url });
    expect(unreachable.code).toBe(EXIT.FAILED);
    expect(unreachable.err).toContain(`could not list the accounts on the signaling node: no answer from ${url}`);
  });
});
