// Prosody 0.12 (Debian) with jitsi-eu's rendered configuration and its own lobby module.
//  1. `prosodyctl check config` accepts the rendered files of every variant, unchanged.
//  2. Prosody starts from the rendered files (adapted only for the test: data dir, pid and log
//     files, free ports, plugin path) and listens on loopback only, with no federation port;
//     the only modules it cannot find are Jitsi's own, which Debian does not package.
//  3. With jitsi-eu's lobby module loaded from the rendered file on a MUC component, and a
//     test-only stub standing in for Jitsi's lobby modules, a real XMPP client sees a new room
//     become members-only while a Jicofo health-check room stays open.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { LOBBY_MODULE_NAME } from '../../infra/privacy/settings/prosody.ts';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { PROSODY_PLUGIN_DIR } from '../../infra/render/paths.ts';
import { LOBBY_MODULE_PATH, PROSODY_MAIN_CONFIG, prosodyHostConfigPath, renderProsody } from '../../infra/render/prosody.ts';
import { BOOT_VALUES } from '../../infra/placeholders.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { freePort, requireTool, tempDir } from '../helpers/tools.ts';

const execFileAsync = promisify(execFile);
const PROSODY = requireTool('prosody');
const PROSODYCTL = requireTool('prosodyctl');
const FIXTURES = fileURLToPath(new URL('../fixtures/prosody/', import.meta.url));
const RUNNING_AS_ROOT = process.getuid?.() === 0;

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

interface TestPorts {
  c2s: number;
  http: number;
  s2s: number;
}

/** The few changes a test run needs: its own data dir, pid and log files, free ports, plugin path. */
function adaptRenderedConfig(root: string, domain: string, work: string, ports: TestPorts): string {
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

  const hostPath = join(root, prosodyHostConfigPath(domain));
  const host = readFileSync(hostPath, 'utf8');
  expect(host).toContain(JSON.stringify(PROSODY_PLUGIN_DIR));
  writeFileSync(hostPath, host.replace(JSON.stringify(PROSODY_PLUGIN_DIR), JSON.stringify(join(root, PROSODY_PLUGIN_DIR))));
  return mainPath;
}

interface RunningProsody {
  child: ChildProcess;
}

async function startProsody(configPath: string, work: string, c2sPort: number): Promise<RunningProsody> {
  mkdirSync(join(work, 'data'), { recursive: true });
  let output = '';
  const child = spawn(PROSODY, ['--config', configPath, '-F'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await accepts(c2sPort)) return { child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  const log = existsSync(join(work, 'prosody.log')) ? readFileSync(join(work, 'prosody.log'), 'utf8') : '';
  throw new Error(`Prosody did not accept connections on 127.0.0.1:${c2sPort}\n${output}\n${log}`);
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

// ---------------------------------------------------------------------------------------------
// A small typed view of @xmpp/client (the package ships no type declarations)

interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  children: (XmlElement | string)[];
}
interface XmppClient {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: XmlElement): Promise<void>;
  on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  removeListener(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  iqCaller: { request(stanza: XmlElement, timeout?: number): Promise<XmlElement> };
  reconnect: { stop(): void };
}
interface XmppModule {
  client(options: { service: string; domain: string; resource?: string }): XmppClient;
  xml(name: string, attrs?: Record<string, string>, ...children: XmlElement[]): XmlElement;
}

const MUC = 'http://jabber.org/protocol/muc';
const MUC_USER = 'http://jabber.org/protocol/muc#user';
const DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

async function loadXmpp(): Promise<XmppModule> {
  const specifier: string = '@xmpp/client';
  return (await import(specifier)) as XmppModule;
}

type JoinResult = { joined: true } | { joined: false; condition: string };

/** Sends MUC join presence and waits for the room's answer: self-presence or an error. */
function joinRoom(xmpp: XmppModule, client: XmppClient, roomJid: string, nick: string): Promise<JoinResult> {
  const occupantJid = `${roomJid}/${nick}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('stanza', onStanza);
      reject(new Error(`no answer from ${occupantJid}`));
    }, 10_000);
    function onStanza(stanza: XmlElement): void {
      if (stanza.name !== 'presence' || stanza.attrs.from !== occupantJid) return;
      if (stanza.attrs.type === 'error') {
        finish({ joined: false, condition: errorCondition(stanza.getChild('error')) });
      } else {
        const self = stanza.getChild('x', MUC_USER)?.getChildren('status').some((s) => s.attrs.code === '110');
        if (self) finish({ joined: true });
      }
    }
    function finish(result: JoinResult): void {
      clearTimeout(timer);
      client.removeListener('stanza', onStanza);
      resolve(result);
    }
    client.on('stanza', onStanza);
    client.send(xmpp.xml('presence', { to: occupantJid }, xmpp.xml('x', { xmlns: MUC }))).catch(reject);
  });
}

/** The defined condition of a stanza error (RFC 6120 8.3.3), e.g. `registration-required`. */
function errorCondition(error: XmlElement | undefined): string {
  const condition = error?.children.find((child): child is XmlElement => typeof child !== 'string' && child.attrs.xmlns === STANZAS);
  return condition?.name ?? 'none';
}

async function roomFeatures(xmpp: XmppModule, client: XmppClient, roomJid: string): Promise<string[]> {
  const reply = await client.iqCaller.request(xmpp.xml('iq', { type: 'get', to: roomJid }, xmpp.xml('query', { xmlns: DISCO_INFO })));
  return (reply.getChild('query', DISCO_INFO)?.getChildren('feature') ?? []).map((f) => f.attrs.var ?? '');
}

// ---------------------------------------------------------------------------------------------

describe('rendered configuration in Prosody 0.12', () => {
  const scratch = tempDir('jitsi-eu-prosody-it-');
  let running: RunningProsody | undefined;

  afterAll(async () => {
    await stopProsody(running);
    scratch.remove();
  });

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

  it('starts, listens on loopback only with no federation port, and lacks only Jitsi\'s own modules', async () => {
    const spec = makeSpec({ topology: 'scalable', auth: 'secure', lobby: true, turn: true, p2p: true });
    const root = join(scratch.path, 'run');
    const work = join(scratch.path, 'run-work');
    mkdirSync(work, { recursive: true });
    renderInto(root, spec);
    const ports = { c2s: await freePort(), http: await freePort(), s2s: await freePort() };
    const configPath = adaptRenderedConfig(root, spec.domain, work, ports);

    running = await startProsody(configPath, work, ports.c2s);
    await new Promise((resolve) => setTimeout(resolve, 500)); // let every host finish loading

    expect(listeningSockets(running.child.pid!)).toEqual([`127.0.0.1:${ports.c2s}`, `127.0.0.1:${ports.http}`].sort());

    const log = readFileSync(join(work, 'prosody.log'), 'utf8');
    const missing = new Set([...log.matchAll(/Unable to load module '([^']+)'/g)].map((m) => m[1]!));
    expect([...missing].filter((name) => !JITSI_MODULES.has(name))).toEqual([]);
    expect(missing.has(LOBBY_MODULE_NAME)).toBe(false);
    expect(log).not.toMatch(/Error initializing module/);
    // The rendered module path is the one the test loaded it from.
    expect(existsSync(join(root, LOBBY_MODULE_PATH))).toBe(true);

    await stopProsody(running);
    running = undefined;
  });
});

describe('lobby for every room, in a running Prosody', () => {
  const scratch = tempDir('jitsi-eu-prosody-lobby-');
  const MUC_HOST = 'conference.localhost';
  let running: RunningProsody | undefined;
  let xmpp: XmppModule;
  const clients: XmppClient[] = [];

  async function connectClient(port: number): Promise<XmppClient> {
    const client = xmpp.client({ service: `xmpp://127.0.0.1:${port}`, domain: 'localhost' });
    client.on('error', () => {
      // connection errors surface through start() or the join timeout
    });
    await client.start();
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    xmpp = await loadXmpp();
    const root = join(scratch.path, 'root');
    renderInto(root, makeSpec({ auth: 'secure', lobby: true }));
    const pluginDir = join(root, PROSODY_PLUGIN_DIR);
    expect(existsSync(join(pluginDir, `mod_${LOBBY_MODULE_NAME}.lua`))).toBe(true);

    const port = await freePort();
    const work = join(scratch.path, 'work');
    mkdirSync(work, { recursive: true });
    const config = [
      '-- Test configuration: jitsi-eu\'s rendered lobby module on a MUC component, plus a test-only stub.',
      `data_path = ${JSON.stringify(join(work, 'data'))}`,
      `pidfile = ${JSON.stringify(join(work, 'prosody.pid'))}`,
      `log = { warn = ${JSON.stringify(join(work, 'prosody.log'))} }`,
      ...(RUNNING_AS_ROOT ? ['run_as_root = true'] : []),
      `plugin_paths = { ${JSON.stringify(pluginDir)}; ${JSON.stringify(FIXTURES)} }`,
      'modules_enabled = { "saslauth"; "disco"; "ping"; }',
      'modules_disabled = { "s2s"; "offline"; }',
      `c2s_ports = { ${port} }`,
      'c2s_interfaces = { "127.0.0.1" }',
      'http_interfaces = { "127.0.0.1" }',
      'https_ports = {}',
      'component_ports = {}',
      'c2s_require_encryption = false',
      '',
      'VirtualHost "localhost"',
      '    authentication = "anonymous"',
      '    -- where Jitsi loads persistent_lobby',
      '    modules_enabled = { "test_stub_persistent_lobby"; }',
      '',
      `Component "${MUC_HOST}" "muc"`,
      `    modules_enabled = { "${LOBBY_MODULE_NAME}"; }`,
      '    muc_room_locking = false',
      '',
    ].join('\n');
    const configPath = join(work, 'prosody.cfg.lua');
    writeFileSync(configPath, config);
    running = await startProsody(configPath, work, port);
    await connectClient(port);
    await connectClient(port);
  });

  afterAll(async () => {
    for (const client of clients) {
      client.reconnect.stop();
      await client.stop().catch(() => undefined);
    }
    await stopProsody(running);
    scratch.remove();
  });

  it('a new room starts members-only: its creator is in, the next joiner must knock', async () => {
    const [alice, bob] = clients as [XmppClient, XmppClient];
    const room = `weekly-${randomUUID()}@${MUC_HOST}`;
    expect(await joinRoom(xmpp, alice, room, 'alice')).toEqual({ joined: true });
    const features = await roomFeatures(xmpp, alice, room);
    expect(features).toContain('muc_membersonly');
    expect(features).not.toContain('muc_open');
    expect(await joinRoom(xmpp, bob, room, 'bob')).toEqual({ joined: false, condition: 'registration-required' });
  });

  it('a Jicofo health-check room gets no lobby', async () => {
    const [alice, bob] = clients as [XmppClient, XmppClient];
    const room = `__jicofo-health-check-${randomUUID()}@${MUC_HOST}`;
    expect(await joinRoom(xmpp, alice, room, 'focus')).toEqual({ joined: true });
    expect(await roomFeatures(xmpp, alice, room)).toContain('muc_open');
    expect(await joinRoom(xmpp, bob, room, 'bob')).toEqual({ joined: true });
  });

  it('only a room that starts with the health-check prefix is exempt', async () => {
    const [alice, bob] = clients as [XmppClient, XmppClient];
    const room = `not__jicofo-health-check-${randomUUID()}@${MUC_HOST}`;
    expect(await joinRoom(xmpp, alice, room, 'alice')).toEqual({ joined: true });
    expect(await joinRoom(xmpp, bob, room, 'bob')).toEqual({ joined: false, condition: 'registration-required' });
  });
});
