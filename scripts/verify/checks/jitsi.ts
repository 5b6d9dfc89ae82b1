// The Jitsi endpoints a participant's browser uses (the app, config.js, BOSH, XMPP WebSocket) and
// the internal ones it must never reach (Prosody, JVB and jicofo admin and stats routes).
import { randomBytes } from 'node:crypto';
import { jitsiHosts } from '../../../infra/render/hosts.ts';
import { READY_URL_PATH } from '../../../infra/render/paths.ts';
import { SECRET_PLACEHOLDER_PATTERN } from '../../../infra/secrets.ts';
import type { VerifyContext } from '../context.ts';
import { valueAt } from '../js-config.ts';
import { headerValue, isHtml, type HttpResponse } from '../net/http.ts';
import { probeXmppWebSocket } from '../net/websocket.ts';
import { type CheckDefinition, fail, list, onConfigJs, pass, reason, skip, warn } from './define.ts';

/** Markers of the Jitsi Meet app shell (index.html after nginx's SSI includes). */
const APP_SHELL = /app\.bundle(\.min)?\.js|var config\s*=|id=["']react["']|<title>[^<]*Jitsi Meet/i;

export function looksLikeAppShell(response: HttpResponse): boolean {
  return response.status === 200 && isHtml(response) && APP_SHELL.test(response.body);
}

const webApp: CheckDefinition = {
  id: 'jitsi-web-app',
  title: 'Web app served, room URLs rewritten',
  area: 'jitsi',
  mode: 'external',
  description: 'The site root and a random room path both answer 200 with the Jitsi Meet app page.',
  async run(ctx) {
    const problems: string[] = [];
    for (const path of ['/', `/${ctx.room}`]) {
      try {
        const response = await ctx.https(path);
        if (response.status !== 200) problems.push(`${path} answered ${response.status}`);
        else if (!looksLikeAppShell(response)) problems.push(`${path} is not the Jitsi Meet app page (${headerValue(response.headers, 'content-type') ?? 'no content type'})`);
      } catch (error) {
        problems.push(`${path}: ${reason(error)}`);
      }
    }
    if (problems.length > 0) return fail(list(problems));
    return pass('app page on / and on room paths');
  },
};

/** Whether a BOSH/WebSocket URL from config.js points at the deployment (relative or absolute). */
export function pointsAtDomain(url: string, host: string, schemes: readonly string[]): boolean {
  if (url.startsWith('/') && !url.startsWith('//')) return true;
  try {
    const parsed = new URL(url.startsWith('//') ? `https:${url}` : url);
    return parsed.hostname === host && schemes.includes(parsed.protocol);
  } catch {
    return false;
  }
}

function pathOf(url: string | undefined, fallback: string): string {
  if (!url) return fallback;
  try {
    return new URL(url.startsWith('//') ? `https:${url}` : url, 'https://placeholder.invalid').pathname;
  } catch {
    return fallback;
  }
}

const configJs: CheckDefinition = {
  id: 'jitsi-config-js',
  title: 'config.js served and consistent with the domain',
  area: 'jitsi',
  mode: 'external',
  description:
    'config.js evaluates; hosts.domain and hosts.muc name this deployment; BOSH and XMPP WebSocket URLs point at it; no secret placeholder in it.',
  run: onConfigJs((config, ctx, served) => {
    const hosts = jitsiHosts({ domain: ctx.host });
    const problems: string[] = [];
    const domain = valueAt(config, 'hosts.domain');
    const muc = valueAt(config, 'hosts.muc');
    if (domain !== hosts.domain) problems.push(`hosts.domain is ${JSON.stringify(domain)}, expected "${hosts.domain}"`);
    if (muc !== hosts.muc) problems.push(`hosts.muc is ${JSON.stringify(muc)}, expected "${hosts.muc}"`);
    const bosh = valueAt(config, 'bosh');
    const websocket = valueAt(config, 'websocket');
    if (bosh === undefined && websocket === undefined) problems.push('neither bosh nor websocket is set');
    if (typeof bosh === 'string' && !pointsAtDomain(bosh, ctx.host, ['https:'])) problems.push(`bosh ${bosh} is not on ${ctx.host}`);
    if (typeof websocket === 'string' && !pointsAtDomain(websocket, ctx.host, ['wss:'])) problems.push(`websocket ${websocket} is not on ${ctx.host}`);
    if (new RegExp(SECRET_PLACEHOLDER_PATTERN.source).test(served.response.body)) problems.push('a secret placeholder is in the served file');
    if (problems.length > 0) return fail(list(problems));
    return pass(`domain ${domain}, muc ${muc}${websocket ? `, websocket ${websocket}` : ''}${bosh ? `, bosh ${bosh}` : ''}`);
  }),
};

async function connectionPaths(ctx: VerifyContext): Promise<{ bosh: string; websocket: string }> {
  try {
    const served = await ctx.webConfig();
    const bosh = served.value ? valueAt(served.value, 'bosh') : undefined;
    const websocket = served.value ? valueAt(served.value, 'websocket') : undefined;
    return {
      bosh: pathOf(typeof bosh === 'string' ? bosh : undefined, '/http-bind'),
      websocket: pathOf(typeof websocket === 'string' ? websocket : undefined, '/xmpp-websocket'),
    };
  } catch {
    return { bosh: '/http-bind', websocket: '/xmpp-websocket' };
  }
}

const bosh: CheckDefinition = {
  id: 'jitsi-bosh',
  title: 'BOSH endpoint answers',
  area: 'jitsi',
  mode: 'external',
  description: "GET /http-bind shows Prosody's BOSH page, and a BOSH session request gets a session id and stream features.",
  async run(ctx) {
    const { bosh: path } = await connectionPaths(ctx);
    let get: HttpResponse;
    try {
      get = await ctx.https(path);
    } catch (error) {
      return fail(`GET ${path}: ${reason(error)}`);
    }
    if (get.status !== 200 || !/BOSH|It works/i.test(get.body)) {
      return fail(`GET ${path} answered ${get.status} without Prosody's BOSH page: is ${path} proxied to Prosody, and is Prosody running?`);
    }
    const rid = randomBytes(4).readUInt32BE(0) % 1_000_000_000;
    const body =
      `<body rid='${rid}' to='${ctx.host}' xml:lang='en' wait='10' hold='1' ver='1.6' ` +
      `content='text/xml; charset=utf-8' xmpp:version='1.0' xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh'/>`;
    let post: HttpResponse;
    try {
      post = await ctx.https(path, { method: 'POST', body, headers: { 'content-type': 'text/xml; charset=utf-8' } });
    } catch (error) {
      return fail(`POST ${path}: ${reason(error)}`);
    }
    if (post.status !== 200) return fail(`a BOSH session request got HTTP ${post.status}`);
    const sid = /\bsid=['"]([^'"]+)['"]/.exec(post.body);
    if (!sid) {
      const condition = /condition=['"]([^'"]+)['"]/.exec(post.body)?.[1];
      return fail(condition ? `Prosody refused the session: ${condition} (is ${ctx.host} a VirtualHost?)` : `no session id in the answer: ${post.body.slice(0, 120)}`);
    }
    const features = /<(stream:)?features/.test(post.body) ? 'stream features' : 'no features yet';
    return pass(`session created (${features})`);
  },
};

const websocket: CheckDefinition = {
  id: 'jitsi-xmpp-websocket',
  title: 'XMPP WebSocket answers',
  area: 'jitsi',
  mode: 'external',
  description: 'A WebSocket to /xmpp-websocket upgrades with the xmpp subprotocol, and an XMPP stream open gets stream features back.',
  async run(ctx) {
    const { websocket: path } = await connectionPaths(ctx);
    const probe = await probeXmppWebSocket(ctx.endpoint(443), path, ctx.host, ctx.probeTimeoutMs, ctx.signal);
    if (!probe.ok) return fail(`${path}: ${probe.reason}`);
    return pass(`${path}: subprotocol ${probe.protocol}, ${probe.features}`);
  },
};

/** Internal routes of Prosody, the videobridge and jicofo that nginx must not expose. */
export function adminPaths(host: string): string[] {
  const q = `room=verify&domain=${encodeURIComponent(host)}`;
  return [
    '/about/health',
    '/about/version',
    '/colibri/stats',
    '/colibri/v2/conferences',
    '/colibri/conferences',
    '/debug',
    '/metrics',
    '/room-census',
    `/room-size?${q}`,
    `/room?${q}`,
    '/sessions',
    `/_api/room-info?${q}`,
    '/conference-request/v1',
    '/admin',
  ];
}

/** What an exposed internal route looks like: data, metrics or an upstream service's own page. */
export function exposureOf(response: HttpResponse, appShell: string | undefined): string | undefined {
  const type = headerValue(response.headers, 'content-type') ?? '';
  const body = response.body;
  if (/^# (TYPE|HELP) /m.test(body) || /openmetrics|prometheus/i.test(type)) return `${response.status} with metrics`;
  if (/json/i.test(type) || /^\s*[[{]/.test(body)) return `${response.status} with a JSON body`;
  if (/Whatever you were looking for is not here|Prosody (BOSH|WebSocket) endpoint/i.test(body)) return `answered by Prosody (${response.status})`;
  if (/Powered by Jetty|Ktor/i.test(body)) return `answered by a Java service (${response.status})`;
  if (response.status === 502 || response.status === 503 || response.status === 504) return `proxied to a backend (${response.status})`;
  if (response.status >= 300) return undefined;
  if (response.status === 200 && isHtml(response) && (body === appShell || APP_SHELL.test(body))) return undefined;
  return `${response.status} ${type || 'without content type'} (${body.trim().slice(0, 40) || 'empty'})`;
}

const adminHidden: CheckDefinition = {
  id: 'jitsi-admin-endpoints-hidden',
  title: 'Admin and stats endpoints not reachable',
  area: 'jitsi',
  mode: 'external',
  description:
    'Prosody (room, room-size, room-census, sessions, metrics), JVB (colibri, about, debug) and jicofo routes answer with a plain 404/403 or the app page, ' +
    'never with data, metrics or a backend page. Bodies are judged, not status codes.',
  async run(ctx) {
    let root: string | undefined;
    try {
      root = (await ctx.https('/')).body;
    } catch {
      root = undefined;
    }
    const paths = adminPaths(ctx.host);
    const results = await Promise.all(
      paths.map(async (path) => {
        try {
          return { path, exposure: exposureOf(await ctx.https(path), root) };
        } catch (error) {
          return { path, error: reason(error) };
        }
      }),
    );
    const exposed = results.filter((r) => r.exposure).map((r) => `${r.path.split('?')[0]}: ${r.exposure}`);
    const errors = results.filter((r) => r.error);
    if (exposed.length > 0) return fail(`${list(exposed, 3)}; answer these paths with a plain 404 in nginx`);
    if (errors.length === results.length) return fail(`no answers: ${errors[0]?.error}`);
    if (errors.length > 0) return warn(`${paths.length - errors.length} paths hidden; no answer for ${list(errors.map((e) => `${e.path.split('?')[0]} (${e.error})`))}`);
    return pass(`${paths.length} internal paths hidden`);
  },
};

const ready: CheckDefinition = {
  id: 'jitsi-ready',
  title: 'Host finished its boot',
  area: 'jitsi',
  mode: 'external',
  description: `${READY_URL_PATH} answers 200 "ok": the boot script saw every service healthy.`,
  async run(ctx) {
    let response: HttpResponse;
    try {
      response = await ctx.https(READY_URL_PATH);
    } catch (error) {
      return fail(reason(error));
    }
    if (response.status === 200 && response.body.trim() === 'ok') return pass(`${READY_URL_PATH}: ok`);
    if (response.status === 404) return fail(`${READY_URL_PATH} answers 404: the boot has not finished or failed (see the boot log through SSM)`);
    if (looksLikeAppShell(response)) return skip(`${READY_URL_PATH} serves the app page: this site has no jitsi-eu ready endpoint`);
    return fail(`${READY_URL_PATH} answered ${response.status}`);
  },
};

export const JITSI_CHECKS: CheckDefinition[] = [webApp, configJs, bosh, websocket, adminHidden, ready];
