// The nginx site (ports 80 and 443) and the http-wide settings it relies on.
import type { JsonValue, PrivacySetting } from '../privacy/types.ts';
import type { RenderInput } from './input.ts';
import type { BundleFile } from './types.ts';
import { PORTS } from '../ports.ts';
import { BOSH_URL_PATH, XMPP_WEBSOCKET_URL_PATH } from '../privacy/settings/web.ts';
import { rolesFor } from './roles.ts';
import { noticeLanguages } from './privacy-notice-text.ts';
import {
  ACME_WEBROOT,
  privacyNoticePaths,
  READY_FILE,
  READY_URL_PATH,
  interfaceConfigPath,
  nginxSitePath,
  tlsPaths,
  webConfigPath,
} from './paths.ts';

/** Where the Jitsi web app (package jitsi-meet-web) installs its files. */
export const JITSI_WEB_ROOT = '/usr/share/jitsi-meet';

/** The embedding API (JitsiMeetExternalAPI), as jitsi-meet-web installs it; served at /external_api.js. */
export const JITSI_EXTERNAL_API_FILE = `${JITSI_WEB_ROOT}/libs/external_api.min.js`;

/** Locations a cloud adds to the site (server context): the site includes every `*.conf` here. */
export const NGINX_SITE_SNIPPETS_DIR = '/etc/nginx/jitsi-eu-site.d';

/** http-level settings, included by Debian's nginx.conf before the sites. */
export const NGINX_HTTP_CONF_PATH = '/etc/nginx/conf.d/jitsi-eu.conf';

// Values are written inside nginx strings, where these characters would end the string or start a variable.
const UNSAFE_IN_NGINX = /["\\$\n\r{}]/;

function assertWritableInNginx(settings: readonly PrivacySetting[]): void {
  const strings = (value: JsonValue): string[] => {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
    return [];
  };
  for (const setting of settings) {
    if (setting.component !== 'nginx') continue;
    const bad = strings(setting.value).find((s) => UNSAFE_IN_NGINX.test(s));
    if (bad !== undefined) throw new Error(`privacy setting ${setting.id} has a value nginx cannot hold as written: ${JSON.stringify(bad)}`);
  }
}

export function renderNginx({ spec, engine, profile }: RenderInput): BundleFile[] {
  assertWritableInNginx(profile.settings);
  const roles = rolesFor(spec, 'web');
  const context = {
    domain: spec.domain,
    // Dual stack: the same servers on IPv6 too.
    ipv6: spec.ipv6,
    ports: PORTS,
    tls: tlsPaths(spec.domain),
    acmeWebroot: ACME_WEBROOT,
    webRoot: JITSI_WEB_ROOT,
    webConfigPath: webConfigPath(spec.domain),
    interfaceConfigPath: interfaceConfigPath(spec.domain),
    // The privacy notice in each of its languages.
    privacyNotices: noticeLanguages(spec).map((lang) => privacyNoticePaths(lang)),
    readyUrlPath: READY_URL_PATH,
    readyFile: READY_FILE,
    externalApiFile: JITSI_EXTERNAL_API_FILE,
    // Sent only when the profile has it: with an embedding allow-list there is no value that agrees.
    sendsFrameOptions: profile.settings.some((s) => s.id === 'nginx-frame-options'),
    // The paths config.js points the web app at.
    boshPath: BOSH_URL_PATH,
    websocketPath: XMPP_WEBSOCKET_URL_PATH,
    siteSnippets: NGINX_SITE_SNIPPETS_DIR,
  };
  return [
    {
      // The path the Jitsi packages use for the site, so ours replaces theirs.
      path: nginxSitePath(spec.domain).slice(1),
      component: 'nginx',
      roles,
      mode: '0644',
      content: engine.render('nginx/site.conf.hbs', context),
    },
    {
      path: NGINX_HTTP_CONF_PATH.slice(1),
      component: 'nginx',
      roles,
      mode: '0644',
      content: engine.render('nginx/jitsi-eu.conf.hbs', context),
    },
  ];
}
