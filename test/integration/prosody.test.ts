// Prosody 0.12 (Debian) with jitsi-eu's rendered configuration and its own lobby module.
//  1. `prosodyctl check config` accepts the rendered files of every variant, unchanged.
//  2. Prosody starts from the rendered files of each auth mode (adapted only for the test: data
//     dir, pid and log files, free ports, plugin paths, secrets) and listens on loopback only,
//     with no federation port; every module either loads without error or is one of Jitsi's own
//     that the plugin folder lacks.
//  3. Meetings, with real XMPP clients over Prosody's WebSocket (as browsers reach it through
//     nginx), for a secure, a JWT and an anonymous stack: only Jicofo's user (focus) opens a
//     room; a stand-in for Jicofo joins as focus and grants ownership as Jicofo does; hosts enter
//     past the lobby, guests are sent to it, wait there and enter once a moderator admits them;
//     in JWT mode the room token is checked before the lobby; a Jicofo health-check room gets no
//     lobby.
//
// Jitsi's own Prosody modules are not in Debian's archive. By default the tests load the
// test-only stand-ins in test/fixtures/prosody/jitsi-plugins-stub/ (see its README), which model
// the upstream behaviour these tests observe. To run the same tests against the real modules, put
// a copy of upstream's resources/prosody-plugins folder (jitsi-meet, the release the stack pins)
// outside the repository and name it:
//
//   JITSI_PROSODY_PLUGINS=/path/to/prosody-plugins npx vitest run test/integration/prosody.test.ts
//
// The real token modules also need Debian's lua-basexx, lua-cjson, lua-luaossl and lua-inspect,
// made visible to Lua 5.4 as the boot script does on a host. CI runs with the stand-ins.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { LOBBY_MODULE_NAME } from '../../infra/privacy/settings/prosody.ts';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { JITSI_PROSODY_PLUGIN_DIR, PROSODY_PLUGIN_DIR } from '../../infra/render/paths.ts';
import { JWT_APP_ID, LOBBY_MODULE_PATH, PROSODY_MAIN_CONFIG, prosodyHostConfigPath, renderProsody } from '../../infra/render/prosody.ts';
import { BOOT_VALUES } from '../../infra/placeholders.ts';
import { secretPlaceholder } from '../../infra/secrets.ts';
import type { AuthMode, DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { freePort, requireTool, tempDir } from '../helpers/tools.ts';
import {
  awaitOccupant,
  joinRoom,
  loadXmpp,
  MUC_USER,
  roomFeatures,
  setAffiliation,
  type XmlElement,
  type XmppClient,
  type XmppModule,
  withoutStreamManagement,
} from '../helpers/xmpp.ts';

const execFileAsync = promisify(execFile);
const PROSODY = requireTool('prosody');
const PROSODYCTL = requireTool('prosodyctl');
const RUNNING_AS_ROOT = process.getuid?.() === 0;
const PLUGIN_STUB = fileURLToPath(new URL('../fixtures/prosody/jitsi-plugins-stub/', import.meta.url));

/** Upstream's plugin folder when JITSI_PROSODY_PLUGINS names one, else the test-only stand-ins. */
const JITSI_PLUGINS = (() => {
  const named = process.env.JITSI_PROSODY_PLUGINS;
  if (!named) return { dir: PLUGIN_STUB, real: false };
  const dir = resolve(named);
  if (!existsSync(join(dir, 'mod_token_verification.lua')) || !existsSync(join(dir, 'token', 'util.lib.lua'))) {
    throw new Error(
      `JITSI_PROSODY_PLUGINS=${named} does not hold Jitsi's Prosody plugins (no mod_token_verification.lua or token/util.lib.lua): ` +
        "point it at a copy of jitsi-meet's resources/prosody-plugins folder, or unset it to use the test stand-ins",
    );
  }
  return { dir, real: true };
})();

// Lua libraries the real token modules load that Debian installs only for older Lua versions;
// on a host the boot script links them into Lua 5.4's path, here LUA_PATH points at links.
const LUA_LIBRARIES_FOR_5_4 = { 'basexx.lua': '/usr/share/lua/5.2/basexx.lua', 'inspect.lua': '/usr/share/lua/5.1/inspect.lua' };

// Modules the rendered config loads that come from Jitsi's jitsi-meet-prosody package
// (resources/prosody-plugins/mod_<name>.lua upstream), not from Prosody itself.
const JITSI_MODULES = new Set([
  'auth_jitsi-anonymous',
  'auth_token',
  'av_moderation_component',
  'client_proxy',
  'conference_duration',
  'end_conference',
  'features_identity',
  'muc_breakout_rooms',
  'muc_domain_mapper',
  'muc_filter_access',
  'muc_hide_all',
  'muc_lobby_rooms',
  'muc_meeting_id',
  'muc_password_whitelist',
  'persistent_lobby',
  'polls_component',
  'room_metadata_component',
  'token_verification',
]);

/** The app secret a test stack's tokens are signed with (on a host it comes from SSM). */
const TEST_APP_SECRET = `test-app-secret-${randomUUID()}`;

// ---------------------------------------------------------------------------------------------
// Rendering and running Prosody

function renderInto(root: string, spec: DeploymentSpec): void {
  const profile = privacyProfile(spec);
  const engine = createEngine({ settings: profile.settings });
  for (const file of renderProsody({ spec, hosts: jitsiHosts(spec), profile, engine })) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

function replaceOption(text: string, option: string, value: string): string {
  const pattern = new RegExp(`^${option} = .*$`, 'm');
  expect(text, `rendered config sets ${option}`).toMatch(pattern);
  return text.replace(pattern, `${option} = ${value}`);
}

function replaceAll(text: string, from: string, to: string): string {
  expect(text, `rendered config holds ${from}`).toContain(from);
  return text.split(from).join(to);
}

interface TestPorts {
  c2s: number;
  http: number;
  s2s: number;
}

/**
 * The few changes a test run needs: its own data dir, pid and log files, free ports, plugin
 * paths, and the secrets the boot script would fill in from SSM.
 */
function adaptRenderedConfig(root: string, spec: DeploymentSpec, work: string, ports: TestPorts): string {
  const mainPath = join(root, PROSODY_MAIN_CONFIG);
  let main = readFileSync(mainPath, 'utf8');
  main = replaceOption(main, 'pidfile', JSON.stringify(join(work, 'prosody.pid')));
  main = replaceOption(main, 'log', `{ warn = ${JSON.stringify(join(work, 'prosody.log'))} }`);
  main = replaceOption(main, 'c2s_ports', `{ ${ports.c2s} }`);
  main = replaceOption(main, 'http_ports', `{ ${ports.http} }`);
  // The host fills in its private address at boot; loopback stands in for it here.
  main = main.split(BOOT_VALUES.localIpv4).join('127.0.0.1');
  const extra = [
    `data_path = ${JSON.stringify(join(work, 'data'))}`,
    // Not rendered (federation is off); a free port here makes a listener visible if it ever came back.
    `s2s_ports = { ${ports.s2s} }`,
    ...(RUNNING_AS_ROOT ? ['run_as_root = true'] : []),
  ];
  main = main.replace(/^Include /m, `${extra.join('\n')}\nInclude `);
  writeFileSync(mainPath, main);

  const hostPath = join(root, prosodyHostConfigPath(spec.domain));
  let host = readFileSync(hostPath, 'utf8');
  host = replaceAll(host, JSON.stringify(PROSODY_PLUGIN_DIR), JSON.stringify(join(root, PROSODY_PLUGIN_DIR)));
  host = replaceAll(host, JSON.stringify(JITSI_PROSODY_PLUGIN_DIR), JSON.stringify(JITSI_PLUGINS.dir));
  if (spec.turn) host = replaceAll(host, secretPlaceholder('turn-secret'), 'test-turn-secret');
  if (spec.auth === 'jwt') host = replaceAll(host, secretPlaceholder('jwt-app-secret'), TEST_APP_SECRET);
  writeFileSync(hostPath, host);
  return mainPath;
}

/** A folder of links that makes Debian's Lua libraries for older Lua versions visible to 5.4. */
function luaPathFor54(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, target] of Object.entries(LUA_LIBRARIES_FOR_5_4)) {
    if (!existsSync(target)) throw new Error(`${target} is missing: install lua-basexx and lua-inspect (bash .ci/run installs them)`);
    symlinkSync(target, join(dir, name));
  }
  return `${dir}/?.lua;;`;
}

interface RunningProsody {
  child: ChildProcess;
  log: string;
}

/** Starts Prosody and waits until it accepts connections on every given port. */
async function startProsody(configPath: string, work: string, ports: number[]): Promise<RunningProsody> {
  mkdirSync(join(work, 'data'), { recursive: true });
  const env = { ...process.env, LUA_PATH: luaPathFor54(join(work, 'lua')) };
  let output = '';
  const child = spawn(PROSODY, ['--config', configPath, '-F'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const log = join(work, 'prosody.log');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if ((await Promise.all(ports.map(accepts))).every(Boolean)) return { child, log };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  const logText = existsSync(log) ? readFileSync(log, 'utf8') : '';
  throw new Error(`Prosody did not accept connections on 127.0.0.1 ports ${ports.join(', ')}\n${output}\n${logText}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopProsody(running: RunningProsody | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => running.child.once('exit', () => resolve()));
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** TCP sockets a process listens on, as `address:port`, read from /proc. */
function listeningSockets(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // the descriptor closed meanwhile
    }
  }
  const listening: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A' || !inodes.has(fields[9]!)) continue; // 0A: LISTEN
      const [addressHex, portHex] = fields[1]!.split(':') as [string, string];
      listening.push(`${procAddress(addressHex)}:${parseInt(portHex, 16)}`);
    }
  }
  return listening.sort();
}

/** /proc/net/tcp writes addresses as 32-bit words in host (little-endian) byte order. */
function procAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const chunk = hex.slice(word, word + 8);
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(chunk.slice(i, i + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return `[${groups.join(':')}]`;
}

/** A stack's rendered Prosody, adapted for the test and running. */
interface TestStack {
  root: string;
  ports: TestPorts;
  running: RunningProsody;
}

async function startStack(dir: string, spec: DeploymentSpec, accounts: { user: string; host: string; password: string }[] = []): Promise<TestStack> {
  const root = join(dir, 'root');
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  renderInto(root, spec);
  const ports = { c2s: await freePort(), http: await freePort(), s2s: await freePort() };
  const configPath = adaptRenderedConfig(root, spec, work, ports);
  mkdirSync(join(work, 'data'), { recursive: true });
  // XMPP accounts exist before Prosody starts, as the boot script registers them.
  for (const { user, host, password } of accounts) {
    await execFileAsync(PROSODYCTL, ['--config', configPath, 'register', user, host, password], { cwd: work });
  }
  const running = await startProsody(configPath, work, [ports.c2s, ports.http]);
  return { root, ports, running };
}

/** Errors in the log that no test provokes: a module failing to start, or a Lua error in a hook. */
function unexpectedLogErrors(stack: TestStack): string[] {
  const log = existsSync(stack.running.log) ? readFileSync(stack.running.log, 'utf8') : '';
  return log.split('\n').filter((line) => /Error initializing module|Traceback|stack traceback|attempt to/.test(line));
}

// ---------------------------------------------------------------------------------------------

describe('rendered configuration in Prosody 0.12', () => {
  const scratch = tempDir('jitsi-eu-prosody-it-');

  afterAll(() => scratch.remove());

  it('passes `prosodyctl check config` for every variant, as rendered', async () => {
    // prosodyctl, run as root, checks that the prosody user can read the files.
    chmodSync(scratch.path, 0o755);
    for (const spec of specVariants()) {
      const root = join(scratch.path, 'check', spec.stack);
      renderInto(root, spec);
      const configPath = join(root, PROSODY_MAIN_CONFIG);
      const result = await execFileAsync(PROSODYCTL, ['--config', configPath, 'check', 'config'], { cwd: root }).catch(
        (error: { stdout?: string; stderr?: string; code?: number }) => error,
      );
      const report = `${result.stdout ?? ''}${result.stderr ?? ''}`;
      expect(report, spec.stack).toContain('All checks passed');
      // Both files were read: the Include of the host file resolved.
      expect(report, spec.stack).toContain(join(root, prosodyHostConfigPath(spec.domain)));
    }
  });

  it.each(['secure', 'jwt', 'anonymous'] as const)(
    '%s: starts, listens on loopback only with no federation port, and every module it finds starts cleanly',
    async (auth) => {
      const spec = makeSpec({ topology: 'scalable', auth, lobby: auth !== 'anonymous', turn: true, p2p: true });
      const stack = await startStack(join(scratch.path, `run-${auth}`), spec);
      try {
        await new Promise((resolve) => setTimeout(resolve, 500)); // let every host finish loading
        expect(listeningSockets(stack.running.child.pid!)).toEqual([`127.0.0.1:${stack.ports.c2s}`, `127.0.0.1:${stack.ports.http}`].sort());

        const log = readFileSync(stack.running.log, 'utf8');
        const missing = new Set([...log.matchAll(/Unable to load module '([^']+)'/g)].map((m) => m[1]!));
        expect([...missing].filter((name) => !JITSI_MODULES.has(name))).toEqual([]);
        expect(missing.has(LOBBY_MODULE_NAME)).toBe(false);
        if (JITSI_PLUGINS.real) expect([...missing]).toEqual([]);
        expect(unexpectedLogErrors(stack)).toEqual([]);
        // The rendered module path is the one the test loaded it from.
        expect(existsSync(join(stack.root, LOBBY_MODULE_PATH))).toBe(true);
      } finally {
        await stopProsody(stack.running);
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Meetings

/** HS256 token as a learning platform would mint it for the deployment. */
function signToken(claims: Record<string, unknown>, secret = TEST_APP_SECRET): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function hostToken(spec: DeploymentSpec, room: string, overrides: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signToken({ iss: JWT_APP_ID, aud: JWT_APP_ID, sub: spec.domain, room, iat: now, exp: now + 3600, context: { user: { name: 'Host' } }, ...overrides });
}

/**
 * Stands in for Jicofo: logs in as focus on the auth domain, opens rooms by joining them first,
 * and grants ownership with a XEP-0045 affiliation change for the bare real JID it saw in the
 * occupant's presence, as Jicofo does for the participant it makes moderator.
 */
class JicofoStandIn {
  private readonly realJids = new Map<string, string>();

  constructor(
    private readonly xmpp: XmppModule,
    readonly client: XmppClient,
  ) {
    client.on('stanza', (stanza: XmlElement) => {
      const jid = stanza.name === 'presence' ? stanza.getChild('x', MUC_USER)?.getChild('item')?.attrs.jid : undefined;
      if (jid && stanza.attrs.from) this.realJids.set(stanza.attrs.from, jid);
    });
  }

  openRoom(roomJid: string) {
    return joinRoom(this.xmpp, this.client, roomJid, 'focus');
  }

  async grantOwner(occupantJid: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!this.realJids.has(occupantJid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const realJid = this.realJids.get(occupantJid);
    if (!realJid) throw new Error(`focus never saw ${occupantJid} with its real JID`);
    await setAffiliation(this.xmpp, this.client, occupantJid.split('/')[0]!, realJid.split('/')[0]!, 'owner');
  }
}

describe.each(['secure', 'jwt', 'anonymous'] as const)('meetings in a running Prosody, %s stack', (auth: AuthMode) => {
  const scratch = tempDir(`jitsi-eu-prosody-${auth}-`);
  const spec = makeSpec({ auth, lobby: auth !== 'anonymous', turn: false });
  const hosts = jitsiHosts(spec);
  const FOCUS_PASSWORD = `focus-${randomUUID()}`;
  const HOST_PASSWORD = `host-${randomUUID()}`;
  let stack: TestStack | undefined;
  let xmpp: XmppModule;
  let jicofo: JicofoStandIn;
  const clients: XmppClient[] = [];

  async function login(domain: string, options: { username?: string; password?: string; token?: string } = {}): Promise<XmppClient> {
    const query = options.token ? `?token=${encodeURIComponent(options.token)}` : '';
    const client = xmpp.client({
      service: `ws://127.0.0.1:${stack!.ports.http}/xmpp-websocket${query}`,
      domain,
      ...(options.username ? { username: options.username, password: options.password } : {}),
    });
    client.on('error', () => {
      // failures surface through start() or the join timeout
    });
    withoutStreamManagement(client);
    clients.push(client);
    client.reconnect.stop();
    await client.start();
    return client;
  }

  /** A host: signed in with an account or a token for the room; on anonymous stacks, anyone. */
  function loginHost(room: string): Promise<XmppClient> {
    if (auth === 'secure') return login(hosts.domain, { username: 'host', password: HOST_PASSWORD });
    if (auth === 'jwt') return login(hosts.domain, { token: hostToken(spec, room) });
    return login(hosts.domain);
  }

  /** Someone without an account or token: the guest domain where there is one. */
  function loginGuest(): Promise<XmppClient> {
    return login(auth === 'anonymous' ? hosts.domain : hosts.guest);
  }

  const newRoom = (prefix = 'weekly') => `${prefix}-${randomUUID()}@${hosts.muc}`;
  const roomName = (roomJid: string) => roomJid.split('@')[0]!;

  beforeAll(async () => {
    xmpp = await loadXmpp();
    const [focusUser, focusDomain] = hosts.focusJid.split('@') as [string, string];
    stack = await startStack(scratch.path, spec, [
      { user: focusUser, host: focusDomain, password: FOCUS_PASSWORD },
      ...(auth === 'secure' ? [{ user: 'host', host: hosts.domain, password: HOST_PASSWORD }] : []),
    ]);
    jicofo = new JicofoStandIn(xmpp, await login(focusDomain, { username: focusUser, password: FOCUS_PASSWORD }));
  });

  afterAll(async () => {
    for (const client of clients) await client.stop().catch(() => undefined);
    try {
      if (stack) expect(unexpectedLogErrors(stack)).toEqual([]);
    } finally {
      await stopProsody(stack?.running);
      scratch.remove();
    }
  });

  it('only Jicofo opens a room; the host then enters and Jicofo makes them moderator', async () => {
    const room = newRoom();
    const host = await loginHost(roomName(room));
    expect(await joinRoom(xmpp, host, room, 'host')).toEqual({ joined: false, condition: 'not-allowed' });

    expect(await jicofo.openRoom(room)).toMatchObject({ joined: true, affiliation: 'owner' });
    const entered = await joinRoom(xmpp, host, room, 'host');
    expect(entered).toMatchObject({ joined: true, role: 'participant' });

    const promoted = awaitOccupant(host, `${room}/host`, { affiliation: 'owner', role: 'moderator' });
    await jicofo.grantOwner(`${room}/host`);
    await promoted;
  });

  if (spec.lobby) {
    it('a new room has its lobby on: the host enters, a guest is sent to the lobby and enters once admitted', async () => {
      const room = newRoom();
      expect(await jicofo.openRoom(room)).toMatchObject({ joined: true });
      const host = await loginHost(roomName(room));
      expect(await joinRoom(xmpp, host, room, 'host')).toMatchObject({ joined: true });
      await jicofo.grantOwner(`${room}/host`);
      const features = await roomFeatures(xmpp, host, room);
      expect(features).toContain('muc_membersonly');
      expect(features).not.toContain('muc_open');

      // The guest is sent to the room's lobby, and can wait there.
      const guest = await loginGuest();
      const lobby = `${roomName(room)}@${hosts.lobby}`;
      expect(await joinRoom(xmpp, guest, room, 'guest')).toEqual({ joined: false, condition: 'registration-required', lobby });
      expect(await joinRoom(xmpp, guest, lobby, 'guest')).toMatchObject({ joined: true });

      // Admitting a knocker: the moderator makes them a member, as Jitsi's client does.
      await setAffiliation(xmpp, host, room, guest.jid!.bare().toString(), 'member');
      expect(await joinRoom(xmpp, guest, room, 'guest')).toEqual({ joined: true, affiliation: 'member', role: 'participant' });
    });

    it('a Jicofo health-check room gets no lobby, and only the exact prefix counts', async () => {
      const check = newRoom('__jicofo-health-check');
      expect(await jicofo.openRoom(check)).toMatchObject({ joined: true });
      expect(await roomFeatures(xmpp, jicofo.client, check)).toContain('muc_open');
      const guest = await loginGuest();
      expect(await joinRoom(xmpp, guest, check, 'guest')).toMatchObject({ joined: true });

      const lookalike = newRoom('not__jicofo-health-check');
      expect(await jicofo.openRoom(lookalike)).toMatchObject({ joined: true });
      expect(await joinRoom(xmpp, guest, lookalike, 'guest')).toMatchObject({ joined: false, condition: 'registration-required' });
    });
  } else {
    it('without a lobby, everyone enters and only Jicofo\'s grant makes a moderator', async () => {
      const room = newRoom();
      expect(await jicofo.openRoom(room)).toMatchObject({ joined: true });
      const first = await loginHost(roomName(room));
      expect(await joinRoom(xmpp, first, room, 'first')).toMatchObject({ joined: true, role: 'participant' });
      const promoted = awaitOccupant(first, `${room}/first`, { affiliation: 'owner', role: 'moderator' });
      await jicofo.grantOwner(`${room}/first`);
      await promoted;
      const second = await loginGuest();
      expect(await joinRoom(xmpp, second, room, 'second')).toEqual({ joined: true, affiliation: 'none', role: 'participant' });
      expect(await roomFeatures(xmpp, second, room)).toContain('muc_open');
    });
  }

  if (auth === 'jwt') {
    it('checks the room token before the lobby: a token for another room is refused, not sent to knock', async () => {
      const room = newRoom();
      expect(await jicofo.openRoom(room)).toMatchObject({ joined: true });
      const elsewhere = await login(hosts.domain, { token: hostToken(spec, 'another-room') });
      expect(await joinRoom(xmpp, elsewhere, room, 'elsewhere')).toEqual({ joined: false, condition: 'not-allowed' });
      const wildcard = await login(hosts.domain, { token: hostToken(spec, '*') });
      expect(await joinRoom(xmpp, wildcard, room, 'wildcard')).toMatchObject({ joined: true });
      const otherDomain = await login(hosts.domain, { token: hostToken(spec, roomName(room), { sub: 'other.example.org' }) });
      expect(await joinRoom(xmpp, otherDomain, room, 'other-domain')).toEqual({ joined: false, condition: 'not-allowed' });
    });

    it('refuses a login without a valid token on the main domain', async () => {
      await expect(login(hosts.domain)).rejects.toThrow();
      await expect(login(hosts.domain, { token: signToken({ iss: JWT_APP_ID, aud: JWT_APP_ID, sub: spec.domain, room: '*' }, 'wrong-secret') })).rejects.toThrow();
      await expect(login(hosts.domain, { token: hostToken(spec, '*', { exp: Math.floor(Date.now() / 1000) - 60 }) })).rejects.toThrow();
    });
  }
});
