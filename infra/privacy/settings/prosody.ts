// Prosody's part of the privacy profile: which XMPP modules run where, what listens on which
// interface, what is logged, and how every new room gets a lobby.
//
// Conventions for values, so templates and verify read them the same way:
// - a module loaded per host or component: the list of hosts it is loaded on ([] = nowhere);
// - a module that is global or nothing: true (loaded) or false (disabled);
// - a plain option: its value as written in the Prosody config.
// Settings that only exist for one auth mode (JWT) are only in that mode's profile.
import type { DeploymentSpec } from '../../spec/types.ts';
import type { JsonValue, PrivacySetting } from '../types.ts';
import { jitsiHosts } from '../../render/hosts.ts';
import { PORTS } from '../../ports.ts';
import { BOOT_VALUES } from '../../placeholders.ts';

/** jitsi-eu's own Prosody module (mod_<name>.lua) that switches the lobby on for every new room. */
export const LOBBY_MODULE_NAME = 'lobby_for_every_room';

/** Where Prosody writes its (warnings-only) log on the host. */
export const PROSODY_LOG_FILE = '/var/log/prosody/prosody.log';

/** Lifetime, in seconds, of the TURN credentials Prosody hands out (the upstream default). */
const TURN_CREDENTIAL_TTL = 86400;

const LOOPBACK = '127.0.0.1';

type SettingFields = Omit<PrivacySetting, 'component'>;

function prosody(fields: SettingFields): PrivacySetting {
  return { component: 'prosody', ...fields };
}

/** The deployment's own STUN/TURN services (its coturn answers on the meeting domain). */
function ownStunTurnServices(spec: DeploymentSpec): JsonValue {
  if (!spec.turn) return [];
  const host = spec.domain;
  const credentials = { secret: true, ttl: TURN_CREDENTIAL_TTL, algorithm: 'turn' };
  return [
    { type: 'stun', host, port: PORTS.turn, transport: 'udp' },
    { type: 'turn', host, port: PORTS.turn, transport: 'udp', ...credentials },
    { type: 'turns', host, port: PORTS.turns, transport: 'tcp', ...credentials },
  ];
}

export function prosodySettings(spec: DeploymentSpec): PrivacySetting[] {
  const hosts = jitsiHosts(spec);
  const hostsCanBypassLobby = spec.lobby && spec.auth !== 'anonymous';

  const settings: PrivacySetting[] = [
    // --- no third party -------------------------------------------------------------------
    prosody({
      id: 'prosody-external-services',
      key: 'external_services',
      value: ownStunTurnServices(spec),
      category: 'no-third-party',
      reason:
        'Clients ask Prosody which STUN/TURN servers to use and that answer replaces their built-in list, so it names only this deployment\'s own coturn (none when TURN is off).',
      upstreamDefault:
        'Debian: the host\'s own coturn on 3478/5349; docker: nothing unless TURN_HOST is set, so clients fall back to a public STUN server run by the Jitsi project',
    }),

    // --- lobby ----------------------------------------------------------------------------
    prosody({
      id: 'prosody-muc-lobby-rooms',
      key: 'muc_lobby_rooms',
      value: [hosts.domain],
      category: 'lobby',
      reason: 'Provides the lobby (waiting room); it must run on the main VirtualHost only, next to the lobby MUC component.',
      upstreamDefault: 'loaded on the main VirtualHost (Debian and docker)',
    }),
    prosody({
      id: 'prosody-persistent-lobby',
      key: 'persistent_lobby',
      value: spec.lobby ? [hosts.domain] : [],
      category: 'lobby',
      reason:
        'Keeps a lobby that the server opened alive while people wait in it, even when nobody is in the meeting yet.',
      upstreamDefault: 'not loaded',
    }),
    prosody({
      id: 'prosody-lobby-autostart',
      key: LOBBY_MODULE_NAME,
      value: spec.lobby ? [hosts.muc] : [],
      category: 'lobby',
      reason:
        'jitsi-eu\'s own module: every new room starts with its lobby switched on, so nobody joins a meeting without being admitted.',
      upstreamDefault: 'no such option: rooms start without a lobby until a moderator switches it on',
    }),
    prosody({
      id: 'prosody-muc-lobby-whitelist',
      key: 'muc_lobby_whitelist',
      value: hostsCanBypassLobby ? [hosts.domain] : [],
      category: 'lobby',
      reason:
        'Signed-in hosts (main domain) go straight in and can admit guests, who connect on the separate guest domain and must knock.',
      upstreamDefault: '{} (nobody bypasses the lobby)',
    }),
    prosody({
      id: 'prosody-lobby-display-name',
      key: 'muc_lobby_check_display_name_required',
      value: true,
      category: 'lobby',
      reason: 'A guest knocking at the lobby has to give a name, so moderators admit only people they recognise.',
      upstreamDefault: 'true',
    }),
    prosody({
      id: 'prosody-guest-domain',
      key: 'VirtualHost',
      value: spec.auth === 'anonymous' ? [] : [hosts.guest],
      category: 'lobby',
      reason:
        'With sign-in, guests join from their own anonymous VirtualHost, which keeps them apart from hosts: they are never whitelisted and never moderators by sign-in.',
      upstreamDefault: 'no guest VirtualHost: everyone is anonymous on the main domain',
    }),

    // --- muted entry ----------------------------------------------------------------------
    prosody({
      id: 'prosody-av-moderation-component',
      key: 'av_moderation_component',
      value: [hosts.avModeration],
      category: 'muted-entry',
      reason: 'Lets moderators keep participants muted until they are allowed to speak or show video.',
      upstreamDefault: 'loaded (Debian and docker)',
    }),

    // --- data minimisation ----------------------------------------------------------------
    prosody({
      id: 'prosody-muc-hide-all',
      key: 'muc_hide_all',
      value: [hosts.muc, hosts.lobby, hosts.breakout, hosts.internalMuc],
      category: 'data-minimisation',
      reason: 'Room names cannot be listed or probed: rooms are hidden from service discovery and only occupants may query them.',
      upstreamDefault: 'loaded on the MUC components in current Debian and docker templates',
    }),
    prosody({
      id: 'prosody-muc-storage',
      key: 'storage',
      value: 'memory',
      category: 'data-minimisation',
      reason: 'Rooms, their settings and affiliations live in memory only and are never written to disk.',
      upstreamDefault: '"memory" on the Jitsi MUC components',
    }),
    prosody({
      id: 'prosody-muc-tombstones',
      key: 'muc_tombstones',
      value: false,
      category: 'data-minimisation',
      reason: 'A closed room leaves no record behind (Prosody otherwise keeps a destroyed room\'s name for 31 days).',
      upstreamDefault: 'true (Prosody); false in docker',
    }),
    prosody({
      id: 'prosody-muc-allow-persistent',
      key: 'muc_room_allow_persistent',
      value: false,
      category: 'data-minimisation',
      reason: 'Moderators cannot make a room outlive its meeting; rooms disappear once everyone has left.',
      upstreamDefault: 'true (Prosody); false in docker',
    }),
    prosody({
      id: 'prosody-speakerstats-component',
      key: 'speakerstats_component',
      value: [],
      category: 'data-minimisation',
      reason: 'Not loaded: speaker statistics keep per-person speaking time (and face expressions) on the server during the meeting.',
      upstreamDefault: 'loaded (Debian and docker)',
    }),
    prosody({
      id: 'prosody-offline-messages',
      key: 'offline',
      value: false,
      category: 'data-minimisation',
      reason: 'Disabled: messages to someone who has left are dropped, not stored for later delivery.',
      upstreamDefault: 'loaded automatically by Prosody; disabled in docker',
    }),

    // --- logging --------------------------------------------------------------------------
    prosody({
      id: 'prosody-logging',
      key: 'log',
      value: { warn: PROSODY_LOG_FILE },
      category: 'logging',
      reason: 'Only warnings and errors are logged; info and debug lines would record who joined which room and when.',
      upstreamDefault: 'info level to prosody.log, errors to prosody.err',
    }),

    // --- encryption -----------------------------------------------------------------------
    prosody({
      id: 'prosody-c2s-require-encryption',
      key: 'c2s_require_encryption',
      value: true,
      category: 'encryption',
      reason:
        'Direct XMPP logins (Jicofo, and the videobridges from the VPC when scaled out) must use TLS; browsers arrive through nginx over HTTPS.',
      upstreamDefault: 'true (Prosody); the Debian Jitsi template sets false on the main VirtualHost',
    }),

    // --- exposure -------------------------------------------------------------------------
    prosody({
      id: 'prosody-federation',
      key: 's2s',
      value: false,
      category: 'exposure',
      reason: 'No server-to-server federation: no other XMPP server can reach rooms or users, and port 5269 stays closed.',
      upstreamDefault: 'loaded automatically by Prosody (listens on 5269)',
    }),
    prosody({
      id: 'prosody-c2s-interfaces',
      key: 'c2s_interfaces',
      value: spec.topology === 'scalable' ? [LOOPBACK, BOOT_VALUES.localIpv4] : [LOOPBACK],
      category: 'exposure',
      reason:
        'XMPP client logins are accepted on loopback (Jicofo, a local bridge) and, when scaled out, on the private address the bridges use; never on a public address.',
      upstreamDefault: 'every interface',
    }),
    prosody({
      id: 'prosody-http-interfaces',
      key: 'http_interfaces',
      value: [LOOPBACK],
      category: 'exposure',
      reason: 'Prosody\'s HTTP server (BOSH, WebSocket) is reachable only through nginx on the same host.',
      upstreamDefault: 'every interface',
    }),
    prosody({
      id: 'prosody-https-ports',
      key: 'https_ports',
      value: [],
      category: 'exposure',
      reason: 'Prosody\'s own HTTPS listener (5281) is off; nginx terminates TLS.',
      upstreamDefault: '{ 5281 } on every interface',
    }),
    prosody({
      id: 'prosody-component-ports',
      key: 'component_ports',
      value: [],
      category: 'exposure',
      reason: 'No external components connect (Jicofo logs in as a client), so the component port 5347 is not opened.',
      upstreamDefault: '{ 5347 } on loopback',
    }),
    prosody({
      id: 'prosody-http-cors',
      key: 'http_cors_override',
      value: { bosh: { enabled: false }, websocket: { enabled: false } },
      category: 'exposure',
      reason: 'The meeting page talks to Prosody from its own origin; no other website may script a visitor\'s browser into it.',
      upstreamDefault: 'CORS headers sent for BOSH and WebSocket (Prosody 0.12)',
    }),
    prosody({
      id: 'prosody-muc-census',
      key: 'muc_census',
      value: [],
      category: 'exposure',
      reason: 'Not loaded: its HTTP endpoint lists every room with its participant count.',
      upstreamDefault: 'not loaded (the module ships with jitsi-meet-prosody)',
    }),
    prosody({
      id: 'prosody-muc-size',
      key: 'muc_size',
      value: [],
      category: 'exposure',
      reason: 'Not loaded: its HTTP endpoints return a room\'s occupants with display names and e-mail addresses.',
      upstreamDefault: 'not loaded (the module ships with jitsi-meet-prosody)',
    }),
    prosody({
      id: 'prosody-internal-muc-filter',
      key: 'muc_filter_whitelist',
      value: [hosts.auth],
      category: 'exposure',
      reason:
        'Only Jicofo and the videobridges (accounts on the auth domain) may enter the internal MUC where bridges publish their addresses and load.',
      upstreamDefault: 'the auth domain in docker; no filter in the Debian template',
    }),
  ];

  if (spec.auth === 'jwt') {
    settings.push(
      prosody({
        id: 'prosody-jwt-allow-empty-token',
        key: 'allow_empty_token',
        value: false,
        category: 'lobby',
        reason:
          'Nobody signs in to the main domain without a valid token, so the lobby whitelist of that domain covers token holders only.',
        upstreamDefault: 'false (jitsi-meet-tokens); docker JWT_ALLOW_EMPTY=0',
      }),
      prosody({
        id: 'prosody-jwt-token-for-moderation',
        key: 'token_verification_require_token_for_moderation',
        value: true,
        category: 'lobby',
        reason: 'A guest without a token cannot change room settings, such as switching the lobby off, even if made moderator.',
        upstreamDefault: 'false',
      }),
      prosody({
        id: 'prosody-jwt-guest-token-allowlist',
        key: 'token_verification_allowlist',
        value: [hosts.guest],
        category: 'lobby',
        reason:
          'Guests have no token: their domain skips the room-token check, which runs before the lobby, so they can knock and enter once admitted; token holders keep the full check of room and domain.',
        upstreamDefault: '{} (every joiner without a token is refused while enable_domain_verification is on, its default)',
      }),
    );
  }
  return settings;
}
