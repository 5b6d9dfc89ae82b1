// Every HOCON path jitsi-eu writes into jicofo.conf and jvb.conf, with the upstream file that
// defines or reads it at the pinned Jitsi release. A path that is not listed here is a typo or
// an option upstream dropped: Jicofo and the videobridge would ignore it without a word, so the
// integration tests refuse any rendered path that is missing from this list.
//
// Path syntax: dot-separated keys; `*` stands for one key chosen by us (a connection id), and a
// key ending in `[]` is a list whose elements are objects with the keys that follow.

import type { JsonValue } from './types.ts';

/** Jitsi stable release whose sources these paths were checked against (see upstream.ts). */
export const HOCON_PATHS_CHECKED_AT_RELEASE = '10710';

export type HoconComponent = 'jicofo' | 'jvb';

export interface UpstreamSource {
  repo: string;
  /** Commit that the release tag (or the version the release pins) points at. */
  commit: string;
  /** How that commit was chosen. */
  pinnedBy: string;
}

/** Upstream repositories at the commits that make up the pinned release. */
export const UPSTREAM_SOURCES = {
  jicofo: {
    repo: 'jitsi/jicofo',
    commit: 'd8333e9c1b4e32789b00f3ec7ba148cf226ec993',
    pinnedBy: 'tag stable/jitsi-meet_10710',
  },
  jvb: {
    repo: 'jitsi/jitsi-videobridge',
    commit: '38ea5ea44041f1a8768ea5a6631b293b985dae4d',
    pinnedBy: 'tag stable/jitsi-meet_10710',
  },
  ice4j: {
    repo: 'jitsi/ice4j',
    commit: 'c2cbf61d7e6c339b78ba982df2befd3f63f18112',
    pinnedBy: 'ice4j 3.2-12-gc2cbf61 in jitsi-videobridge pom.xml at stable/jitsi-meet_10710',
  },
  jicoco: {
    repo: 'jitsi/jicoco',
    commit: 'c1ea8ca40cc1660b8788eace0c40b6a392291d10',
    pinnedBy: 'jicoco 1.1-163-gc1ea8ca in jitsi-videobridge pom.xml at stable/jitsi-meet_10710',
  },
} as const satisfies Record<string, UpstreamSource>;

export type UpstreamSourceName = keyof typeof UPSTREAM_SOURCES;

export interface KnownHoconPath {
  path: string;
  source: UpstreamSourceName;
  /** File in that repository that declares the default or reads the option. */
  file: string;
}

// Files, named once so each entry below stays short.
const JICOFO_REFERENCE = 'jicofo-selector/src/main/resources/reference.conf';
const JICOFO_XMPP_CONFIG = 'jicofo-common/src/main/kotlin/org/jitsi/jicofo/xmpp/XmppConfig.kt';
const JICOFO_BRIDGE_CONFIG = 'jicofo-selector/src/main/kotlin/org/jitsi/jicofo/bridge/BridgeConfig.kt';
const JICOFO_AUTH_CONFIG = 'jicofo/src/main/kotlin/org/jitsi/jicofo/auth/AuthConfig.kt';
const JVB_REFERENCE = 'jvb/src/main/resources/reference.conf';
const JMT_REFERENCE = 'jitsi-media-transform/src/main/resources/reference.conf';
const ICE4J_REFERENCE = 'src/main/resources/reference.conf';
const ICE4J_HARVEST_CONFIG = 'src/main/kotlin/org/ice4j/ice/harvest/HarvestConfig.kt';
const JICOCO_MUC_CLIENT = 'jicoco-mucclient/src/main/java/org/jitsi/xmpp/mucclient/MucClientConfiguration.java';
const JICOCO_JETTY = 'jicoco-jetty/src/main/kotlin/org/jitsi/rest/JettyBundleActivatorConfig.kt';

// At release 10710 Jicofo still ships one reference.conf (in jicofo-selector); later commits
// split it into jicofo, jicofo-common and jicofo-selector. Options that reference.conf only
// mentions in a comment are cited by the code that reads them.
const JICOFO_PATHS: KnownHoconPath[] = [
  { path: 'jicofo.authentication.enabled', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.authentication.type', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.authentication.login-url', source: 'jicofo', file: JICOFO_AUTH_CONFIG },
  { path: 'jicofo.bridge.brewery-jid', source: 'jicofo', file: JICOFO_BRIDGE_CONFIG },
  { path: 'jicofo.conference.max-audio-senders', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.conference.max-video-senders', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.conference.shared-document.use-random-name', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.health.enabled', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.rest.host', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.rest.port', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.sctp.enabled', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.xmpp.client.hostname', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.xmpp.client.port', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.xmpp.client.domain', source: 'jicofo', file: JICOFO_XMPP_CONFIG },
  { path: 'jicofo.xmpp.client.xmpp-domain', source: 'jicofo', file: JICOFO_XMPP_CONFIG },
  { path: 'jicofo.xmpp.client.username', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.xmpp.client.password', source: 'jicofo', file: JICOFO_XMPP_CONFIG },
  { path: 'jicofo.xmpp.client.conference-muc-jid', source: 'jicofo', file: JICOFO_XMPP_CONFIG },
  { path: 'jicofo.xmpp.client.client-proxy', source: 'jicofo', file: JICOFO_XMPP_CONFIG },
  { path: 'jicofo.xmpp.client.use-tls', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.xmpp.client.disable-certificate-verification', source: 'jicofo', file: JICOFO_REFERENCE },
  { path: 'jicofo.xmpp.trusted-domains', source: 'jicofo', file: JICOFO_REFERENCE },
];

// The videobridge merges its own reference.conf with those of jitsi-media-transform (same
// repository), ice4j and jicoco, so jvb.conf may hold paths from all four.
const JVB_PATHS: KnownHoconPath[] = [
  // One XMPP connection per entry under `configs`; the keys inside are MucClientConfiguration's.
  ...['HOSTNAME', 'PORT', 'DOMAIN', 'USERNAME', 'PASSWORD', 'MUC_JIDS', 'MUC_NICKNAME', 'DISABLE_CERTIFICATE_VERIFICATION', 'SECURITY_MODE'].map(
    (key): KnownHoconPath => ({ path: `videobridge.apis.xmpp-client.configs.*.${key}`, source: 'jicoco', file: JICOCO_MUC_CLIENT }),
  ),
  { path: 'videobridge.apis.rest.enabled', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.rest.shutdown.enabled', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.shutdown.graceful-shutdown-max-duration', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.http-servers.private.host', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.http-servers.private.port', source: 'jicoco', file: JICOCO_JETTY },
  { path: 'videobridge.http-servers.public.port', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.http-servers.public.tls-port', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.websockets.enabled', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.sctp.enabled', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.ice.udp.port', source: 'jvb', file: JVB_REFERENCE },
  { path: 'videobridge.redact-remote-addresses', source: 'jvb', file: JVB_REFERENCE },
  { path: 'jmt.debug.pcap.enabled', source: 'jvb', file: JMT_REFERENCE },
  { path: 'ice4j.harvest.mapping.stun.addresses', source: 'ice4j', file: ICE4J_REFERENCE },
  { path: 'ice4j.harvest.mapping.aws.enabled', source: 'ice4j', file: ICE4J_REFERENCE },
  { path: 'ice4j.harvest.mapping.static-mappings[].local-address', source: 'ice4j', file: ICE4J_HARVEST_CONFIG },
  { path: 'ice4j.harvest.mapping.static-mappings[].public-address', source: 'ice4j', file: ICE4J_HARVEST_CONFIG },
];

export const KNOWN_HOCON_PATHS: Record<HoconComponent, readonly KnownHoconPath[]> = {
  jicofo: JICOFO_PATHS,
  jvb: JVB_PATHS,
};

function segmentsMatch(pattern: string, actual: string): boolean {
  return pattern === '*' ? !actual.endsWith('[]') : pattern === actual;
}

/** The known path a rendered leaf path (as produced by `leafPaths`) matches, if any. */
export function findKnownHoconPath(component: HoconComponent, leafPath: string): KnownHoconPath | undefined {
  const actual = leafPath.split('.');
  return KNOWN_HOCON_PATHS[component].find((known) => {
    const pattern = known.path.split('.');
    return pattern.length === actual.length && pattern.every((p, i) => segmentsMatch(p, actual[i]));
  });
}

/**
 * Every leaf of a parsed HOCON tree, in the path syntax above. A list of scalars (or an empty
 * list) is one leaf; a list of objects contributes `key[].child` for each child key.
 */
export function leafPaths(tree: JsonValue, prefix = ''): string[] {
  if (Array.isArray(tree)) {
    const objects = tree.filter((item) => item !== null && typeof item === 'object' && !Array.isArray(item));
    if (objects.length === 0) return [prefix];
    const children = new Set(objects.flatMap((item) => leafPaths(item, `${prefix}[]`)));
    return [...children];
  }
  if (tree !== null && typeof tree === 'object') {
    const keys = Object.keys(tree);
    if (keys.length === 0) return [prefix];
    return keys.flatMap((key) => leafPaths(tree[key], prefix === '' ? key : `${prefix}.${key}`));
  }
  return [prefix];
}
