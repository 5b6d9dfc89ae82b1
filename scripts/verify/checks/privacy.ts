// The privacy promise, checked against what the site serves. The expected values are the privacy
// profile's: every web-visible setting is compared generically (nothing here lists option names
// for that), forbidden keys must be absent, and no third-party host may appear in what the pages
// load. A few focused checks (STUN servers, analytics, P2P, the notice) give clearer findings.
import { isDeepStrictEqual } from 'node:util';
import { Parser } from 'htmlparser2';
import { PRIVACY_NOTICE_URL_PATH } from '../../../infra/render/paths.ts';
import type { JsonValue, PrivacySetting, ProfileComponent } from '../../../infra/privacy/types.ts';
import type { ServedScript, VerifyContext } from '../context.ts';
import { hasPath, show, stringsIn, valueAt, type JsonObject } from '../js-config.ts';
import { headerValue, isHtml, type HttpResponse } from '../net/http.ts';
import { type CheckDefinition, fail, list, onConfigJs, onServedScript, pass, reason, skip, warn } from './define.ts';
import { NGINX_RESPONSE_HEADER_SETTING_IDS } from '../../../infra/privacy/settings/nginx.ts';

/** A setting key that is a dotted option path (`p2p.stunServers`). */
const OPTION_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
/** nginx settings keyed by a response header name (`Strict-Transport-Security`) rather than a directive. */
export const HEADER_NAME = /^[A-Za-z0-9]+(-[A-Za-z0-9]+)+$/;

function settingsOf(ctx: VerifyContext, component: ProfileComponent): PrivacySetting[] {
  return ctx.profile.settings.filter((s) => s.component === component);
}

/** Compares every setting of a component with the served, evaluated file. */
export function compareSettings(settings: readonly PrivacySetting[], served: JsonObject): { mismatches: string[]; unreadable: string[]; matched: number } {
  const mismatches: string[] = [];
  const unreadable: string[] = [];
  let matched = 0;
  for (const setting of settings) {
    if (!OPTION_PATH.test(setting.key)) {
      unreadable.push(`${setting.id} (key "${setting.key}")`);
      continue;
    }
    const actual = valueAt(served, setting.key);
    if (isDeepStrictEqual(actual, setting.value)) matched += 1;
    else mismatches.push(`${setting.key} is ${show(actual, 60)}, profile says ${show(setting.value, 60)} (${setting.id})`);
  }
  return { mismatches, unreadable, matched };
}

function settingsCheck(id: string, title: string, component: 'web-config' | 'interface-config', file: string, read: (ctx: VerifyContext) => Promise<ServedScript>): CheckDefinition {
  return {
    id,
    title,
    area: 'privacy',
    mode: 'external',
    description: `Every ${component} setting of the privacy profile has its profile value in the served ${file} (deep equality on the evaluated file).`,
    async run(ctx) {
      const settings = settingsOf(ctx, component);
      if (settings.length === 0) return skip(`the privacy profile has no ${component} settings`);
      return onServedScript(file, read, (value) => {
        const { mismatches, unreadable, matched } = compareSettings(settings, value);
        if (mismatches.length > 0) return fail(`${mismatches.length} of ${settings.length} differ: ${list(mismatches, 3)}`);
        if (unreadable.length > 0) return warn(`${matched} settings match; cannot check ${list(unreadable)}`);
        return pass(`all ${matched} ${component} settings have their profile values`);
      })(ctx);
    },
  };
}

const webConfig = settingsCheck('privacy-web-config', 'config.js has every profile value', 'web-config', '/config.js', (ctx) => ctx.webConfig());
const interfaceConfig = settingsCheck(
  'privacy-interface-config',
  'interface_config.js has every profile value',
  'interface-config',
  '/interface_config.js',
  (ctx) => ctx.interfaceConfig(),
);

const nginxHeaders: CheckDefinition = {
  id: 'privacy-nginx-headers',
  title: 'Response headers match the profile',
  area: 'privacy',
  mode: 'external',
  description: 'Every nginx setting of the privacy profile that is a response header is sent with exactly its profile value, on the app page and on a 404.',
  async run(ctx) {
    const headerIds: readonly string[] = NGINX_RESPONSE_HEADER_SETTING_IDS;
    const headers = settingsOf(ctx, 'nginx').filter((s) => headerIds.includes(s.id) && typeof s.value === 'string');
    if (headers.length === 0) return skip('the privacy profile has no response-header settings');
    const problems: string[] = [];
    for (const path of ['/', ctx.missingPath]) {
      let response: HttpResponse;
      try {
        response = await ctx.https(path);
      } catch (error) {
        problems.push(`${path}: ${reason(error)}`);
        continue;
      }
      for (const setting of headers) {
        const actual = headerValue(response.headers, setting.key);
        if (actual === undefined) problems.push(`${path}: no ${setting.key}`);
        else if (actual.trim() !== String(setting.value).trim()) problems.push(`${path}: ${setting.key} is "${actual}", profile says "${setting.value}"`);
      }
    }
    if (problems.length > 0) return fail(list(problems, 3));
    return pass(`${headers.length} headers as in the profile (${headers.map((h) => h.key).join(', ')})`);
  },
};

const forbidden: CheckDefinition = {
  id: 'privacy-forbidden-keys',
  title: 'No forbidden option in the served config',
  area: 'privacy',
  mode: 'external',
  description: "None of the profile's forbidden keys (analytics, third-party services, removed options) appears in config.js, interface_config.js or the response headers.",
  async run(ctx) {
    const keys = ctx.profile.forbidden;
    if (keys.length === 0) return skip('the privacy profile lists no forbidden keys');
    const [web, iface] = await Promise.all([ctx.webConfig().catch(() => undefined), ctx.interfaceConfig().catch(() => undefined)]);
    let root: HttpResponse | undefined;
    try {
      root = await ctx.https('/');
    } catch {
      root = undefined;
    }
    const present: string[] = [];
    const unchecked = new Set<string>();
    for (const key of keys) {
      if (key.component === 'web-config' || key.component === 'interface-config') {
        const served = key.component === 'web-config' ? web : iface;
        if (!served?.value) {
          unchecked.add(key.component === 'web-config' ? 'config.js' : 'interface_config.js');
          continue;
        }
        if (OPTION_PATH.test(key.key) && hasPath(served.value, key.key)) present.push(`${key.key} (${key.reason})`);
      } else if (key.component === 'nginx' && HEADER_NAME.test(key.key)) {
        if (!root) unchecked.add('response headers');
        else if (headerValue(root.headers, key.key) !== undefined) present.push(`header ${key.key} (${key.reason})`);
      }
    }
    if (present.length > 0) return fail(`present: ${list(present, 3)}`);
    if (unchecked.size > 0) return fail(`cannot read ${[...unchecked].join(', ')}`);
    return pass(`none of ${keys.length} forbidden keys present`);
  },
};

/** Resources an HTML page makes the browser fetch (not plain links). */
export function loadedResources(html: string): string[] {
  const urls: string[] = [];
  const add = (value: string | undefined) => {
    if (value && value.trim()) urls.push(value.trim());
  };
  let inStyle = false;
  const parser = new Parser({
    onopentag(name, attrs) {
      const tag = name.toLowerCase();
      if (['script', 'img', 'iframe', 'frame', 'audio', 'video', 'source', 'track', 'embed', 'input'].includes(tag)) add(attrs.src);
      if (tag === 'link' && !/^(alternate|canonical|author|help|license|next|prev|search|me)$/i.test(attrs.rel ?? '')) add(attrs.href);
      if (tag === 'object') add(attrs.data);
      if (tag === 'video') add(attrs.poster);
      if ((tag === 'img' || tag === 'source') && attrs.srcset) attrs.srcset.split(',').forEach((part) => add(part.trim().split(/\s+/)[0]));
      if (tag === 'meta' && /refresh/i.test(attrs['http-equiv'] ?? '')) add(/url=(.+)$/i.exec(attrs.content ?? '')?.[1]);
      if (attrs.style) for (const m of attrs.style.matchAll(/url\(\s*['"]?([^'")]+)/g)) add(m[1]);
      if (tag === 'style') inStyle = true;
    },
    ontext(text) {
      if (!inStyle) return;
      for (const m of text.matchAll(/url\(\s*['"]?([^'")]+)/g)) add(m[1]);
      for (const m of text.matchAll(/@import\s+['"]([^'"]+)/g)) add(m[1]);
    },
    onclosetag(name) {
      if (name.toLowerCase() === 'style') inStyle = false;
    },
  });
  parser.write(html);
  parser.end();
  return urls;
}

/** The host a URL-like string points at, when it names one (absolute, protocol-relative, stun/turn). */
export function hostOfUrl(value: string): string | undefined {
  const text = value.trim();
  const hostOf = (authority: string) => {
    const bare = authority.replace(/^[^@]*@/, '');
    const bracketed = /^\[([^\]]+)\]/.exec(bare);
    return (bracketed ? bracketed[1]! : bare.replace(/:\d*$/, '')).toLowerCase();
  };
  const ice = /^(?:stuns?|turns?):(?:\/\/)?([^?/]+)/i.exec(text);
  if (ice) return hostOf(ice[1]!);
  const absolute = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]+)/i.exec(text);
  return absolute ? hostOf(absolute[1]!) : undefined;
}

/**
 * Whether a text names a host (or, for `*.example.net`, any name under it). The host must stand
 * alone: `notjitsi.org` does not name `jitsi.org`, `www.jitsi.org` does.
 */
export function mentionsHost(text: string, host: string): boolean {
  const lower = text.toLowerCase();
  const wildcard = host.startsWith('*.');
  const name = (wildcard ? host.slice(2) : host).toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = wildcard ? new RegExp(`[a-z0-9-]\\.${name}(?![a-z0-9-])`) : new RegExp(`(?<![a-z0-9-])${name}(?![a-z0-9-])`);
  return pattern.test(lower);
}

export function isOwnHost(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

const thirdParty: CheckDefinition = {
  id: 'privacy-third-party-hosts',
  title: 'No third-party host in what the pages load',
  area: 'privacy',
  mode: 'external',
  description:
    "The app page, config.js, interface_config.js and the privacy notice name no host outside the deployment: no resource from another host, no URL to one in the configuration, and none of the profile's known third-party hosts.",
  async run(ctx) {
    const known = ctx.profile.thirdPartyHosts.map((h) => h.host.toLowerCase());
    const findings: string[] = [];
    const unreadable: string[] = [];
    const noteHost = (where: string, host: string, what: string) => {
      if (!isOwnHost(host, ctx.host)) findings.push(`${where}: ${what}`);
    };
    // HTML pages: loaded resources and any mention of a known third-party host.
    for (const path of ['/', `/${ctx.room}`, PRIVACY_NOTICE_URL_PATH]) {
      let response: HttpResponse;
      try {
        response = await ctx.https(path);
      } catch (error) {
        unreadable.push(`${path} (${reason(error)})`);
        continue;
      }
      if (response.status !== 200 || !isHtml(response)) continue;
      for (const url of loadedResources(response.body)) {
        const host = hostOfUrl(url);
        if (host) noteHost(path, host, `loads ${url}`);
        else if (/^http:/i.test(url)) findings.push(`${path}: loads ${url} over plain HTTP`);
      }
      for (const host of known) if (mentionsHost(response.body, host)) findings.push(`${path}: names ${host}`);
    }
    // Config files: every string value the app reads.
    for (const [file, served] of [
      ['config.js', await ctx.webConfig().catch((e: unknown) => ({ error: reason(e) }) as Partial<ServedScript>)],
      ['interface_config.js', await ctx.interfaceConfig().catch((e: unknown) => ({ error: reason(e) }) as Partial<ServedScript>)],
    ] as const) {
      if (!served.value) {
        unreadable.push(`${file} (${served.error ?? 'unreadable'})`);
        continue;
      }
      for (const { path, value } of stringsIn(served.value)) {
        const host = hostOfUrl(value);
        if (host) noteHost(file, host, `${path} = ${value}`);
        for (const knownHost of known) if (mentionsHost(value, knownHost) && !host) findings.push(`${file}: ${path} names ${knownHost}`);
      }
    }
    const unique = [...new Set(findings)];
    if (unique.length > 0) return fail(list(unique, 3));
    if (unreadable.length > 0) return fail(`could not read ${list(unreadable)}`);
    return pass(`only ${ctx.host} in the pages and configuration (${known.length} known third-party hosts looked for)`);
  },
};

/** ICE server URLs from config.js (`p2p.stunServers`: [{ urls }]). */
export function iceUrls(value: JsonValue | undefined): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((server) => {
    if (!server || typeof server !== 'object' || Array.isArray(server)) return [];
    const urls = (server as JsonObject).urls;
    if (typeof urls === 'string') return [urls];
    return Array.isArray(urls) ? urls.filter((u): u is string => typeof u === 'string') : [];
  });
}

const stunServers: CheckDefinition = {
  id: 'privacy-stun-servers',
  title: 'No third-party STUN/TURN servers',
  area: 'privacy',
  mode: 'external',
  description: "config.js p2p.stunServers names only the deployment's own STUN server (or none); Jitsi's and Google's public servers fail.",
  run: onConfigJs((config, ctx) => {
    const urls = iceUrls(valueAt(config, 'p2p.stunServers'));
    const foreign = urls.filter((u) => {
      const host = hostOfUrl(u);
      return !host || !isOwnHost(host, ctx.host);
    });
    if (foreign.length > 0) return fail(`browsers would contact ${list(foreign)}: list only stun:${ctx.host}:3478`);
    if (urls.length === 0) return pass('no STUN servers configured for P2P');
    return pass(`only ${urls.join(', ')}`);
  }),
};

/** Keys that switch on analytics or telemetry in the Jitsi web app. */
const ANALYTICS_KEYS = [
  'analytics.amplitudeAPPKey',
  'analytics.googleAnalyticsTrackingId',
  'analytics.matomoEndpoint',
  'analytics.matomoSiteID',
  'analytics.scriptURLs',
  'analytics.watchRTCEnabled',
  'callStatsID',
  'callStatsSecret',
  'googleAnalyticsTrackingId',
];

const analytics: CheckDefinition = {
  id: 'privacy-analytics-off',
  title: 'No analytics or telemetry',
  area: 'privacy',
  mode: 'external',
  description:
    'config.js sets no analytics key (Amplitude, Matomo, Google, script URLs, watchRTC, callstats), rtcstats is off or first-party, and display names and e-mails stay out of statistics.',
  run: onConfigJs((config, ctx) => {
    const problems: string[] = [];
    for (const key of ANALYTICS_KEYS) {
      const value = valueAt(config, key);
      const empty = value === undefined || value === null || value === false || value === '' || (Array.isArray(value) && value.length === 0);
      if (!empty) problems.push(`${key} = ${show(value, 40)}`);
    }
    const rtcstats = valueAt(config, 'analytics.rtcstatsEnabled');
    const rtcstatsEndpoint = valueAt(config, 'analytics.rtcstatsEndpoint');
    if (rtcstats === true) {
      const host = typeof rtcstatsEndpoint === 'string' ? hostOfUrl(rtcstatsEndpoint) : undefined;
      if (!host || !isOwnHost(host, ctx.host)) problems.push(`rtcstats on, sending to ${show(rtcstatsEndpoint, 50)}`);
    }
    for (const key of ['enableDisplayNameInStats', 'enableEmailInStats']) if (valueAt(config, key) === true) problems.push(`${key} = true`);
    if (problems.length > 0) return fail(list(problems, 3));
    const disabled = valueAt(config, 'analytics.disabled') === true;
    return pass(disabled ? 'analytics.disabled, no analytics keys' : 'no analytics keys (analytics.disabled not set)');
  }),
};

const p2pPolicy: CheckDefinition = {
  id: 'privacy-p2p-policy',
  title: 'Peer-to-peer as the stack says',
  area: 'privacy',
  mode: 'external',
  description: "config.js p2p.enabled equals the stack's jitsi-eu:p2p (off by default: participants never learn each other's IP address).",
  run: onConfigJs((config, ctx) => {
    const enabled = valueAt(config, 'p2p.enabled');
    // Jitsi treats a missing p2p.enabled as on.
    const effective = enabled === undefined ? true : enabled === true;
    if (effective !== ctx.spec.p2p) {
      return fail(`p2p.enabled is ${show(enabled)}, expected ${ctx.spec.p2p}${effective ? ": 1:1 calls would expose participants' IP addresses to each other" : ''}`);
    }
    return pass(effective ? "P2P on as the stack says (1:1 participants see each other's IP address)" : 'P2P off: all media goes through the bridge');
  }),
};

/** Whether an HTML page names the organisation, written plainly or with HTML escapes. */
export function namesOrganization(html: string, organization: string): boolean {
  const escaped = organization.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return html.includes(organization) || html.includes(escaped) || html.includes(escaped.replace(/&#39;/g, '&#x27;'));
}

const notice: CheckDefinition = {
  id: 'privacy-notice',
  title: 'Privacy notice served and linked',
  area: 'privacy',
  mode: 'external',
  description: `${PRIVACY_NOTICE_URL_PATH} answers with an HTML page naming the controller, and config.js legalUrls.privacy links to it.`,
  async run(ctx) {
    let page: HttpResponse;
    try {
      page = await ctx.https(PRIVACY_NOTICE_URL_PATH);
    } catch (error) {
      return fail(`${PRIVACY_NOTICE_URL_PATH}: ${reason(error)}`);
    }
    const problems: string[] = [];
    if (page.status !== 200 || !isHtml(page)) problems.push(`${PRIVACY_NOTICE_URL_PATH} answered ${page.status} ${headerValue(page.headers, 'content-type') ?? ''}`.trim());
    else if (/app\.bundle|id=["']react["']/.test(page.body)) problems.push(`${PRIVACY_NOTICE_URL_PATH} serves the app page, not the notice`);
    else if (ctx.fromStack && !namesOrganization(page.body, ctx.spec.organization)) problems.push(`the notice does not name ${ctx.spec.organization}`);
    let served: ServedScript | undefined;
    try {
      served = await ctx.webConfig();
    } catch {
      served = undefined;
    }
    const link = served?.value ? valueAt(served.value, 'legalUrls.privacy') : undefined;
    let linked = false;
    if (typeof link === 'string') {
      try {
        const url = new URL(link, `https://${ctx.host}/`);
        linked = url.hostname === ctx.host && url.pathname === PRIVACY_NOTICE_URL_PATH;
      } catch {
        linked = false;
      }
    }
    if (!linked) problems.push(`config.js legalUrls.privacy is ${show(link)}, not https://${ctx.host}${PRIVACY_NOTICE_URL_PATH}`);
    if (problems.length > 0) return fail(list(problems));
    return pass(`served and linked from legalUrls.privacy`);
  },
};

export const PRIVACY_CHECKS: CheckDefinition[] = [webConfig, interfaceConfig, nginxHeaders, forbidden, thirdParty, stunServers, analytics, p2pPolicy, notice];
