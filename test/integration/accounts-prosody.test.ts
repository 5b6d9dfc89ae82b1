// The accounts hook (accounts.sh sync, as rendered for a secure stack) against a real Prosody 0.12
// running the stack's rendered configuration, with moto_server as SSM and the real aws CLI: the
// script changes only Prosody's account store, and real XMPP clients show the effect.
//  - host accounts: an added one logs in, a reset password works and the old one fails, a removed
//    one cannot log in, one made by hand in Prosody is removed; on a fresh data directory, sync
//    brings every account back from SSM; an unreadable SSM changes nothing.
//  - service accounts after a rotation: focus and jvb stay connected while their passwords
//    change; a new login with the new password works, one with the old password fails.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountParameterName } from '../../infra/accounts.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { ACCOUNTS_SCRIPT_PATH } from '../../infra/render/os.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { ssmParameterName, type SecretName } from '../../infra/secrets.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { startProsody, type ProsodyServer } from '../helpers/prosody-server.ts';
import { scriptHarness, type ScriptHarness } from '../helpers/rehearsal/script-harness.ts';
import { makeSpec } from '../helpers/spec.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';
import { loadXmpp, withoutStreamManagement, type XmppClient, type XmppModule } from '../helpers/xmpp.ts';

const spec = makeSpec({ auth: 'secure', lobby: true, turn: false, stack: 'acct' });
const hosts = jitsiHosts(spec);
const AWS = requireTool('aws');
const PROSODYCTL = requireTool('prosodyctl');
const PING = 'urn:xmpp:ping';

const password = () => randomBytes(18).toString('base64url');
/** Every password any test put anywhere: none may show up in an output or a log. */
const passwords: string[] = [];
const newPassword = () => {
  const value = password();
  passwords.push(value);
  return value;
};

let moto: Moto;
let ssm: SSMClient;
let xmpp: XmppModule;
let harness: ScriptHarness;
let server: ProsodyServer;
const scratch = tempDir('jitsi-eu-accounts-it-');
const clients: XmppClient[] = [];
const outputs: string[] = [];

async function putSecret(name: SecretName, value: string): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: ssmParameterName(spec.stack, name), Value: value, Type: 'SecureString', Overwrite: true }));
}

async function putAccount(name: string, value: string): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: accountParameterName(spec.stack, name), Value: value, Type: 'SecureString', Overwrite: true }));
}

async function deleteAccount(name: string): Promise<void> {
  await ssm.send(new DeleteParameterCommand({ Name: accountParameterName(spec.stack, name) }));
}

/** Runs the rendered `accounts.sh sync` against the running Prosody and moto's SSM. */
function sync(env: Record<string, string> = {}) {
  const result = harness.run(`'${join(harness.root, ACCOUNTS_SCRIPT_PATH)}' sync`, {
    ...moto.env,
    TEST_PROSODY_CONFIG: server.configPath,
    TEST_SSM_ENDPOINT: moto.endpoint,
    JITSI_EU_PROSODY_DATA: server.dataDir,
    JITSI_EU_ACCOUNTS_LOCK: join(scratch.path, 'accounts.lock'),
    ...env,
  });
  outputs.push(result.stdout, result.stderr);
  return result;
}

async function connect(domain: string, username: string, secret: string): Promise<XmppClient> {
  const client = withoutStreamManagement(xmpp.client({ service: server.websocket, domain, username, password: secret }));
  client.on('error', () => {
    // a refused login surfaces through start()
  });
  client.reconnect.stop();
  clients.push(client);
  await client.start();
  return client;
}

/** Whether a fresh login with these credentials succeeds (the client is closed again). */
async function canLogin(domain: string, username: string, secret: string): Promise<boolean> {
  try {
    const client = await connect(domain, username, secret);
    await client.stop();
    return true;
  } catch {
    return false;
  }
}

/** The session still answers: a XEP-0199 ping to the server comes back. */
async function stillConnected(client: XmppClient, domain: string): Promise<boolean> {
  try {
    const reply = await client.iqCaller.request(xmpp.xml('iq', { type: 'get', to: domain }, xmpp.xml('ping', { xmlns: PING })), 5_000);
    return reply.attrs.type === 'result';
  } catch {
    return false;
  }
}

const HOST_PASSWORD = newPassword();
const FOCUS_PASSWORD = newPassword();
const JVB_PASSWORD = newPassword();
const ALICE = newPassword();
const BOB = newPassword();

beforeAll(async () => {
  [moto, xmpp] = await Promise.all([startMoto(), loadXmpp()]);
  ssm = new SSMClient({ endpoint: moto.endpoint, region: spec.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await putSecret('host-password', HOST_PASSWORD);
  await putSecret('focus-password', FOCUS_PASSWORD);
  await putSecret('jvb-password', JVB_PASSWORD);
  const files = renderBundle(spec).files.filter((f) => f.roles.includes('signaling') && /\/(lib|cloud|accounts)\.sh$/.test(f.path));
  harness = scriptHarness(files, {
    // The host's own tools, pointed at this test's Prosody and SSM.
    prosodyctl: `exec '${PROSODYCTL}' --config "$TEST_PROSODY_CONFIG" "$@"`,
    aws: `exec '${AWS}' --endpoint-url "$TEST_SSM_ENDPOINT" "$@"`,
  });
  server = await startProsody(join(scratch.path, 'first'), spec);
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.stop().catch(() => undefined);
  await server?.stop();
  ssm?.destroy();
  await moto?.stop();
  // No password in anything the script printed, nor in the arguments of any tool it called.
  const seen = [...outputs, ...(harness ? harness.calls() : [])].join('\n');
  for (const secret of passwords) expect(seen).not.toContain(secret);
  harness?.remove();
  scratch.remove();
});

describe('accounts.sh sync with real Prosody 0.12 and SSM (moto_server)', () => {
  it('creates the service accounts and the stack host account; an added host account logs in', async () => {
    const alice = ALICE;
    await putAccount('alice', alice);
    const result = sync();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`host accounts on ${spec.domain}: alice host`);
    expect(result.stdout).toContain('added: alice host; removed: none');
    expect(await canLogin(spec.domain, 'alice', alice)).toBe(true);
    expect(await canLogin(spec.domain, 'host', HOST_PASSWORD)).toBe(true);
    expect(await canLogin(hosts.auth, 'focus', FOCUS_PASSWORD)).toBe(true);
    expect(await canLogin(hosts.auth, 'jvb', JVB_PASSWORD)).toBe(true);
    expect(await canLogin(spec.domain, 'alice', 'not-her-password')).toBe(false);
  });

  it('a reset password works and the old one fails', async () => {
    const before = newPassword();
    await putAccount('bob', before);
    expect(sync().status).toBe(0);
    expect(await canLogin(spec.domain, 'bob', before)).toBe(true);

    const after = BOB;
    await putAccount('bob', after);
    const result = sync();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('added: none; removed: none');
    expect(await canLogin(spec.domain, 'bob', after)).toBe(true);
    expect(await canLogin(spec.domain, 'bob', before)).toBe(false);
  });

  it('a removed account cannot log in any more; an account made by hand in Prosody is removed too', async () => {
    const carol = newPassword();
    await putAccount('carol', carol);
    expect(sync().status).toBe(0);
    const open = await connect(spec.domain, 'carol', carol);
    const mallory = newPassword();
    execFileSync(PROSODYCTL, ['--config', server.configPath, 'register', 'mallory', spec.domain, mallory]);
    expect(await canLogin(spec.domain, 'mallory', mallory)).toBe(true);

    await deleteAccount('carol');
    const result = sync();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('removed: carol mallory');
    expect(await canLogin(spec.domain, 'carol', carol)).toBe(false);
    expect(await canLogin(spec.domain, 'mallory', mallory)).toBe(false);
    // Its open session is ended too, through Prosody's admin shell.
    expect(await stillConnected(open, spec.domain)).toBe(false);
    // The stack's own host account stays.
    expect(await canLogin(spec.domain, 'host', HOST_PASSWORD)).toBe(true);
  });

  it('skips a parameter whose name is not an account name, and says so', async () => {
    const dave = newPassword();
    await putAccount('Dave', dave);
    const result = sync();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`warning: skipped the parameter ${accountParameterName(spec.stack, 'Dave')}`);
    expect(await canLogin(spec.domain, 'Dave', dave)).toBe(false);
    expect(await canLogin(spec.domain, 'dave', dave)).toBe(false);
    await deleteAccount('Dave');
  });

  it('changes nothing when SSM cannot be read', async () => {
    const result = sync({ TEST_SSM_ENDPOINT: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is missing or unreadable');
    expect(await canLogin(spec.domain, 'alice', ALICE)).toBe(true);
  });

  it('on a fresh Prosody data directory, sync brings every account back from SSM', async () => {
    await server.stop();
    server = await startProsody(join(scratch.path, 'fresh'), spec);
    const [alice, bob] = [ALICE, BOB];
    expect(await canLogin(spec.domain, 'alice', alice)).toBe(false);
    const result = sync();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`host accounts on ${spec.domain}: alice bob host`);
    expect(await canLogin(spec.domain, 'alice', alice)).toBe(true);
    expect(await canLogin(spec.domain, 'bob', bob)).toBe(true);
    expect(await canLogin(spec.domain, 'host', HOST_PASSWORD)).toBe(true);
    expect(await canLogin(hosts.auth, 'focus', FOCUS_PASSWORD)).toBe(true);
  });

  it('service accounts after a rotation: connected focus and jvb stay; the new password logs in, the old one does not', async () => {
    const focus = await connect(hosts.auth, 'focus', FOCUS_PASSWORD);
    const jvb = await connect(hosts.auth, 'jvb', JVB_PASSWORD);
    const newFocus = newPassword();
    const newJvb = newPassword();
    await putSecret('focus-password', newFocus);
    await putSecret('jvb-password', newJvb);

    const result = sync();
    expect(result.status, result.stderr).toBe(0);
    expect(await stillConnected(focus, hosts.auth)).toBe(true);
    expect(await stillConnected(jvb, hosts.auth)).toBe(true);
    // A component that reconnects uses the new secret; the old one no longer opens a session.
    expect(await canLogin(hosts.auth, 'focus', newFocus)).toBe(true);
    expect(await canLogin(hosts.auth, 'focus', FOCUS_PASSWORD)).toBe(false);
    expect(await canLogin(hosts.auth, 'jvb', newJvb)).toBe(true);
    expect(await canLogin(hosts.auth, 'jvb', JVB_PASSWORD)).toBe(false);
    // Host accounts are untouched by a rotation.
    expect(await canLogin(spec.domain, 'alice', ALICE)).toBe(true);
  });
});
