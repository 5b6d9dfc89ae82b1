// The rendered Prosody configuration, for every spec variant: valid Lua that Prosody's config
// language accepts, with the hosts, components and modules each auth mode and switch needs.
// The files are read back by a Lua harness that mimics Prosody's config loader, so the checks
// see what Prosody would see, not what the template text looks like.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import type { PrivacyProfile } from '../../infra/privacy/types.ts';
import { LOBBY_MODULE_NAME, PROSODY_LOG_FILE } from '../../infra/privacy/settings/prosody.ts';
import { createEngine } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { JITSI_PROSODY_PLUGIN_DIR, PROSODY_PLUGIN_DIR } from '../../infra/render/paths.ts';
import {
  JWT_APP_ID,
  LOBBY_MODULE_PATH,
  PROSODY_MAIN_CONFIG,
  prosodyHostConfigPath,
  renderProsody,
} from '../../infra/render/prosody.ts';
import { rolesFor } from '../../infra/render/roles.ts';
import type { BundleFile } from '../../infra/render/types.ts';
import { BOOT_VALUES } from '../../infra/placeholders.ts';
import { PORTS } from '../../infra/ports.ts';
import { secretPlaceholder, secretsFor } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const HARNESS = fileURLToPath(new URL('../fixtures/prosody/config-dump.lua', import.meta.url));
const LUA = requireTool('lua5.4');
const LUAC = requireTool('luac5.4');

type LuaValue = string | number | boolean | null | LuaValue[] | { [key: string]: LuaValue };
interface Section {
  kind: 'global' | 'host' | 'component';
  name: string;
  module?: string;
  options: Record<string, LuaValue>;
}
interface LoadedConfig {
  files: string[];
  sections: Section[];
}

interface Rendered {
  spec: DeploymentSpec;
  profile: PrivacyProfile;
  files: BundleFile[];
  used: Set<string>;
  config: LoadedConfig;
}

const scratch = tempDir('jitsi-eu-prosody-unit-');
afterAll(() => scratch.remove());

function render(spec: DeploymentSpec): Rendered {
  const profile = privacyProfile(spec);
  const used = new Set<string>();
  const engine = createEngine({ settings: profile.settings, onSettingUsed: (id) => used.add(id) });
  const files = renderProsody({ spec, hosts: jitsiHosts(spec), profile, engine });
  const root = join(scratch.path, spec.stack);
  for (const file of files) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
  for (const file of files) execFileSync(LUAC, ['-p', join(root, file.path)]);
  const json = execFileSync(LUA, [HARNESS, join(root, PROSODY_MAIN_CONFIG)], { encoding: 'utf8' });
  return { spec, profile, files, used, config: JSON.parse(json) as LoadedConfig };
}

function section(config: LoadedConfig, name: string): Section {
  const found = config.sections.filter((s) => s.name === name);
  expect(found, `exactly one section named ${name}`).toHaveLength(1);
  return found[0]!;
}

function modulesOf(s: Section): string[] {
  const modules = s.options.modules_enabled ?? [];
  expect(Array.isArray(modules)).toBe(true);
  return modules as string[];
}

/** Every section whose modules_enabled lists the module. */
function sectionsLoading(config: LoadedConfig, module: string): string[] {
  return config.sections.filter((s) => modulesOf(s).includes(module)).map((s) => s.name);
}

function sectionsSetting(config: LoadedConfig, option: string): string[] {
  return config.sections.filter((s) => option in s.options).map((s) => s.name);
}

const variants = specVariants().map(render);

describe.each(variants.map((r) => [r.spec.stack, r] as const))('prosody config for %s', (_name, r) => {
  const { spec, config, files } = r;
  const hosts = jitsiHosts(spec);
  const global = section(config, '*');
  const main = section(config, hosts.domain);
  const conference = section(config, hosts.muc);
  const withSignIn = spec.auth !== 'anonymous';

  it('is the main file, the host file it includes, and the lobby module, on the signaling role', () => {
    expect(files.map((f) => f.path)).toEqual([PROSODY_MAIN_CONFIG, prosodyHostConfigPath(spec.domain), LOBBY_MODULE_PATH]);
    expect(LOBBY_MODULE_PATH).toBe(`${PROSODY_PLUGIN_DIR.slice(1)}/mod_${LOBBY_MODULE_NAME}.lua`);
    for (const file of files) expect(file.roles).toEqual(rolesFor(spec, 'prosody'));
    expect(files.map((f) => f.component)).toEqual(['prosody', 'prosody', 'prosody-plugin']);
    // The config files hold secrets once the host has filled them in: not world-readable.
    expect(files.filter((f) => f.component === 'prosody').map((f) => [f.mode, f.owner])).toEqual([
      ['0640', 'root:prosody'],
      ['0640', 'root:prosody'],
    ]);
    expect(config.files.map((f) => f.slice(f.indexOf('/etc/prosody/') + 1))).toEqual([
      PROSODY_MAIN_CONFIG,
      prosodyHostConfigPath(spec.domain),
    ]);
  });

  it('keeps jitsi-meet-prosody\'s installer from adding an Include of all of conf.d', () => {
    // The installer greps the main config for this pattern and appends the Include when it is missing.
    const installerCheck = /Include "conf\.d\/\*\.cfg.lua"/;
    expect(files[0]!.content).toMatch(installerCheck);
    const active = files[0]!.content.split('\n').filter((line) => !line.trimStart().startsWith('--'));
    expect(active.filter((line) => line.includes('Include'))).toEqual([`Include "${prosodyHostConfigPath(spec.domain).slice('etc/prosody/'.length)}"`]);
  });

  it('defines exactly the hosts and components this auth mode needs', () => {
    const virtualHosts = config.sections.filter((s) => s.kind === 'host').map((s) => s.name);
    expect(virtualHosts.sort()).toEqual((withSignIn ? [hosts.domain, hosts.guest, hosts.auth] : [hosts.domain, hosts.auth]).sort());
    const components = Object.fromEntries(config.sections.filter((s) => s.kind === 'component').map((s) => [s.name, s.module]));
    expect(components).toEqual({
      [hosts.muc]: 'muc',
      [hosts.lobby]: 'muc',
      [hosts.breakout]: 'muc',
      [hosts.internalMuc]: 'muc',
      [hosts.focusComponent]: 'client_proxy',
      [hosts.avModeration]: 'av_moderation_component',
      [hosts.endConference]: 'end_conference',
      [hosts.roomMetadata]: 'room_metadata_component',
      [hosts.polls]: 'polls_component',
    });
    for (const name of [hosts.avModeration, hosts.endConference, hosts.roomMetadata]) {
      expect(section(config, name).options.muc_component).toBe(hosts.muc);
    }
    expect(section(config, hosts.focusComponent).options.target_address).toBe(hosts.focusJid);
  });

  it('authenticates the main host as the auth mode says, and guests anonymously on their own host', () => {
    const expected = { anonymous: 'jitsi-anonymous', secure: 'internal_hashed', jwt: 'token' }[spec.auth];
    expect(main.options.authentication).toBe(expected);
    if (spec.auth === 'jwt') {
      expect(main.options.app_id).toBe(JWT_APP_ID);
      expect(main.options.app_secret).toBe(secretPlaceholder('jwt-app-secret'));
      expect(main.options.allow_empty_token).toBe(false);
      expect(modulesOf(conference)).toContain('token_verification');
      expect(conference.options.token_verification_require_token_for_moderation).toBe(true);
      // Guests (no token) pass the room-token check, which runs before the lobby, and only they.
      expect(conference.options.token_verification_allowlist).toEqual([hosts.guest]);
      // Token holders keep the domain check (upstream's default; not switched off anywhere).
      expect(sectionsSetting(config, 'enable_domain_verification')).toEqual([]);
    } else {
      expect(main.options).not.toHaveProperty('app_secret');
      expect(sectionsLoading(config, 'token_verification')).toEqual([]);
    }
    if (withSignIn) {
      const guest = section(config, hosts.guest);
      expect(guest.options.authentication).toBe('jitsi-anonymous');
      expect(guest.options).not.toHaveProperty('muc_lobby_whitelist');
      expect(guest.options.main_muc).toBe(hosts.muc);
    }
    expect(section(config, hosts.auth).options.authentication).toBe('internal_hashed');
  });

  it('runs the lobby on the main VirtualHost only, and on every new room exactly when the spec asks', () => {
    expect(sectionsLoading(config, 'muc_lobby_rooms')).toEqual([hosts.domain]);
    expect(main.options.lobby_muc).toBe(hosts.lobby);
    expect(main.options.main_muc).toBe(hosts.muc);
    expect(sectionsLoading(config, 'persistent_lobby')).toEqual(spec.lobby ? [hosts.domain] : []);
    expect(sectionsLoading(config, LOBBY_MODULE_NAME)).toEqual(spec.lobby ? [hosts.muc] : []);
    expect(main.options.muc_lobby_whitelist).toEqual(spec.lobby && withSignIn ? [hosts.domain] : []);
    expect(main.options.muc_lobby_check_display_name_required).toBe(true);
    const lobby = section(config, hosts.lobby);
    expect(lobby.options.restrict_room_creation).toBe(true);
    expect(lobby.options.muc_room_locking).toBe(false);
  });

  it('hands out only its own STUN/TURN, with the TURN secret as a placeholder', () => {
    const services = global.options.external_services;
    if (!spec.turn) {
      expect(services).toBeUndefined();
      expect(global.options).not.toHaveProperty('external_service_secret');
      expect(sectionsLoading(config, 'external_services')).toEqual([]);
      return;
    }
    expect(global.options.external_service_secret).toBe(secretPlaceholder('turn-secret'));
    const list = services as Record<string, LuaValue>[];
    expect(list.map((s) => [s.type, s.host, s.port, s.transport])).toEqual([
      ['stun', spec.domain, PORTS.turn, 'udp'],
      ['turn', spec.domain, PORTS.turn, 'udp'],
      ['turns', spec.domain, PORTS.turns, 'tcp'],
    ]);
    for (const s of list.filter((s) => s.type !== 'stun')) expect(s.secret).toBe(true);
    // Guests need TURN as much as hosts do.
    expect(sectionsLoading(config, 'external_services').sort()).toEqual((withSignIn ? [hosts.domain, hosts.guest] : [hosts.domain]).sort());
  });

  it('carries no value but placeholders for secrets and host addresses', () => {
    const allowed = new Set<string>([...secretsFor(spec).map(secretPlaceholder), ...Object.values(BOOT_VALUES)]);
    for (const file of files) {
      for (const token of file.content.match(/@@[^@\s]+@@/g) ?? []) expect(allowed, `${file.path}: ${token}`).toContain(token);
    }
    const all = files.map((f) => f.content).join('\n');
    if (spec.turn) expect(all).toContain(secretPlaceholder('turn-secret'));
    else expect(all).not.toContain(secretPlaceholder('turn-secret'));
  });

  it('listens on loopback (and the private address when bridges log in from the VPC), with no federation', () => {
    expect(global.options.c2s_ports).toEqual([PORTS.xmppClient]);
    expect(global.options.c2s_interfaces).toEqual(spec.topology === 'scalable' ? ['127.0.0.1', BOOT_VALUES.localIpv4] : ['127.0.0.1']);
    expect(global.options.http_ports).toEqual([PORTS.prosodyHttp]);
    expect(global.options.http_interfaces).toEqual(['127.0.0.1']);
    expect(global.options.https_ports).toEqual([]);
    expect(global.options.component_ports).toEqual([]);
    expect(global.options.modules_disabled).toEqual(expect.arrayContaining(['s2s', 'offline']));
    expect(sectionsLoading(config, 's2s')).toEqual([]);
    expect(global.options.c2s_require_encryption).toBe(true);
  });

  it('keeps rooms hidden, in memory and gone when empty; no statistics or census modules', () => {
    for (const name of [hosts.muc, hosts.lobby, hosts.breakout, hosts.internalMuc]) {
      const muc = section(config, name);
      expect(modulesOf(muc), name).toContain('muc_hide_all');
      expect(muc.options.storage).toBe('memory');
      expect(muc.options.muc_tombstones).toBe(false);
      expect(muc.options.muc_room_allow_persistent).toBe(false);
    }
    for (const module of ['muc_census', 'muc_size', 'speakerstats', 'http_openmetrics']) {
      expect(sectionsLoading(config, module), module).toEqual([]);
    }
    expect(config.sections.filter((s) => s.module === 'speakerstats_component')).toEqual([]);
  });

  it('logs warnings and errors only, to a file', () => {
    expect(global.options.log).toEqual({ warn: PROSODY_LOG_FILE });
  });

  it('lets only Jicofo and the bridges into the internal MUC, and makes Jicofo an admin', () => {
    expect(global.options.admins).toEqual([hosts.focusJid]);
    const internal = section(config, hosts.internalMuc);
    expect(modulesOf(internal)).toContain('muc_filter_access');
    expect(internal.options.muc_filter_whitelist).toEqual([hosts.auth]);
    expect(internal.options.admins).toEqual([hosts.jvbJid]);
  });

  it('finds Jitsi\'s modules and jitsi-eu\'s own', () => {
    expect(global.options.plugin_paths).toEqual([JITSI_PROSODY_PLUGIN_DIR, PROSODY_PLUGIN_DIR]);
    expect(global.options.muc_mapper_domain_base).toBe(spec.domain);
  });

  it('reads every Prosody setting of its profile', () => {
    const prosodySettings = r.profile.settings.filter((s) => s.component === 'prosody').map((s) => s.id);
    expect(prosodySettings.length).toBeGreaterThan(10);
    expect(prosodySettings.filter((id) => !r.used.has(id))).toEqual([]);
  });
});

describe('prosody config across variants', () => {
  it('covers every auth mode, both topologies, and the lobby, TURN and P2P switches', () => {
    const specs = variants.map((r) => r.spec);
    expect(new Set(specs.map((s) => s.auth))).toEqual(new Set(['anonymous', 'secure', 'jwt']));
    expect(new Set(specs.map((s) => s.topology))).toEqual(new Set(['single', 'scalable']));
    expect(new Set(specs.map((s) => s.lobby))).toEqual(new Set([true, false]));
    expect(new Set(specs.map((s) => s.turn))).toEqual(new Set([true, false]));
  });

  it('follows the profile: a different whitelist in the profile is what the file says', () => {
    // The templates take values from the profile, not from their own copy of the rules.
    const spec = makeSpec({ auth: 'secure', lobby: true });
    const profile = privacyProfile(spec);
    const settings = profile.settings.map((s) =>
      s.id === 'prosody-muc-lobby-whitelist' ? { ...s, value: ['recorder.example.org'] } : s,
    );
    const engine = createEngine({ settings });
    const host = renderProsody({ spec, hosts: jitsiHosts(spec), profile: { ...profile, settings }, engine })[1]!;
    expect(host.content).toContain('muc_lobby_whitelist = { "recorder.example.org" }');
  });

  it('renders byte-identical files for the same spec', () => {
    const spec = makeSpec({ auth: 'jwt', topology: 'scalable' });
    const once = render({ ...spec, stack: 'twice-a' }).files.map((f) => f.content);
    const again = render({ ...spec, stack: 'twice-b' }).files.map((f) => f.content);
    expect(again).toEqual(once);
  });
});
