// Shapes of the privacy profile: the one place that says what "private by default" means.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Which configuration file (or server) a setting lives in. */
export type ProfileComponent =
  | 'web-config'
  | 'interface-config'
  | 'prosody'
  | 'jicofo'
  | 'jvb'
  | 'nginx'
  | 'coturn'
  | 'os';

export type PrivacyCategory =
  | 'muted-entry'
  | 'lobby'
  | 'no-telemetry'
  | 'no-third-party'
  | 'data-minimisation'
  | 'logging'
  | 'encryption'
  | 'exposure';

export interface PrivacySetting {
  /** Stable kebab-case id, e.g. `web-start-with-audio-muted`. Templates and verify refer to settings by id. */
  id: string;
  component: ProfileComponent;
  /**
   * The exact upstream option key at the pinned version:
   * - web-config / interface-config: dotted path inside `config` / `interfaceConfig` (`p2p.stunServers`);
   * - jicofo / jvb: full HOCON path (`ice4j.harvest.mapping.stun.addresses`);
   * - prosody: option or module name (`muc_lobby_whitelist`, `muc_hide_all`);
   * - nginx: directive or response header name (`Strict-Transport-Security`, `server_tokens`);
   * - coturn: turnserver.conf option; os: file and setting (`net.core.rmem_max`).
   */
  key: string;
  /** The value this deployment uses, already resolved for the spec (domain, auth mode, p2p, ...). */
  value: JsonValue;
  category: PrivacyCategory;
  /** One line: why this value protects participants. */
  reason: string;
  /** What a stock install does, for the README table. */
  upstreamDefault: string;
}

/** An option that must never appear in rendered or served configuration. */
export interface ForbiddenKey {
  component: ProfileComponent;
  key: string;
  reason: string;
}

/** A host a stock Jitsi install or its users' browsers would contact, and the setting that stops it. */
export interface ThirdPartyHost {
  host: string;
  who: 'browser' | 'server';
  when: string;
  /** Ids of the profile settings (or forbidden keys) that keep this host out. */
  stoppedBy: string[];
}

export interface PrivacyProfile {
  /** Jitsi stable release whose option names the profile was checked against. */
  checkedAgainst: string;
  settings: PrivacySetting[];
  forbidden: ForbiddenKey[];
  thirdPartyHosts: ThirdPartyHost[];
}
