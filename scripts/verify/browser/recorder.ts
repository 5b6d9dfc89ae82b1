// Opens a page in a fresh browser context and records what it reaches for: every request and
// WebSocket, every ICE server handed to RTCPeerConnection (config.js servers and those Prosody
// hands out alike), every camera and microphone track getUserMedia hands the page, cookies and
// localStorage keys. Requests to hosts other than the deployment are
// recorded and then blocked, so verifying a site never leaks to the third parties it finds.
import type { BrowserContext, Page } from 'playwright-core';
import type { LaunchedBrowser } from './chromium.ts';

export interface RecordedRequest {
  url: string;
  host: string;
  type: string;
}

export interface RecordedIceServer {
  urls: string[];
  /** True when a username/credential came with it (the credential itself is not kept). */
  hasCredential: boolean;
}

export interface PageRecord {
  status?: number;
  /** Why the page did not load, when it did not. */
  error?: string;
  title: string;
  requests: RecordedRequest[];
  websockets: string[];
  /** Requests verify stopped before they left the browser (every host but the deployment's). */
  blocked: string[];
  iceServers: RecordedIceServer[];
  cookies: string[];
  localStorageKeys: string[];
}

/** Runs in the page before any of its scripts: wraps RTCPeerConnection to note its ICE servers. */
const ICE_RECORDER = `(() => {
  const seen = [];
  Object.defineProperty(window, '__jitsiEuIceServers', { value: seen, enumerable: false });
  const note = (configuration) => {
    const servers = (configuration && configuration.iceServers) || [];
    for (const server of servers) {
      const urls = server && server.urls !== undefined ? server.urls : server && server.url;
      seen.push({ urls: [].concat(urls || []).map(String), hasCredential: !!(server && (server.username || server.credential)) });
    }
  };
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection']) {
    const Original = window[name];
    if (typeof Original !== 'function') continue;
    const Wrapped = function (configuration, ...rest) {
      note(configuration);
      return new Original(configuration, ...rest);
    };
    Wrapped.prototype = Original.prototype;
    Object.setPrototypeOf(Wrapped, Original);
    const setConfiguration = Original.prototype.setConfiguration;
    if (typeof setConfiguration === 'function') {
      Original.prototype.setConfiguration = function (configuration) {
        note(configuration);
        return setConfiguration.call(this, configuration);
      };
    }
    window[name] = Wrapped;
  }
})();`;

/**
 * Runs in the page before any of its scripts: keeps every track getUserMedia returns (and every
 * clone of one), so verify can see what the page really captures, whatever the app reports.
 */
const MEDIA_RECORDER = `(() => {
  const tracks = [];
  Object.defineProperty(window, '__jitsiEuMediaTracks', { value: tracks, enumerable: false });
  const devices = navigator.mediaDevices;
  if (devices && typeof devices.getUserMedia === 'function') {
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints) => getUserMedia(constraints).then((stream) => {
      tracks.push(...stream.getTracks());
      return stream;
    });
  }
  const clone = MediaStreamTrack.prototype.clone;
  MediaStreamTrack.prototype.clone = function () {
    const copy = clone.call(this);
    tracks.push(copy);
    return copy;
  };
})();`;

/** A camera or microphone track the page obtained, as it is now. */
export interface CapturedTrack {
  kind: string;
  /** False once the app mutes it (lib-jitsi-meet mutes audio this way). */
  enabled: boolean;
  /** `live` while the device captures, `ended` once stopped. */
  readyState: string;
  label: string;
}

/** The tracks the page captured so far, read from the page. */
export async function capturedTracks(page: Page): Promise<CapturedTrack[]> {
  return page.evaluate(() =>
    ((window as unknown as { __jitsiEuMediaTracks?: MediaStreamTrack[] }).__jitsiEuMediaTracks ?? []).map((t) => ({
      kind: t.kind,
      enabled: t.enabled,
      readyState: t.readyState,
      label: t.label,
    })),
  );
}

export function isDeploymentHost(host: string, deploymentHost: string): boolean {
  return host === deploymentHost || host.endsWith(`.${deploymentHost}`);
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return '';
  }
}

export interface RecordingSession {
  context: BrowserContext;
  page: Page;
  /** What was recorded so far (requests keep arriving until the context closes). */
  snapshot(): Promise<PageRecord>;
  close(): Promise<void>;
}

export interface RecordOptions {
  /** The deployment's host: requests elsewhere are recorded, then blocked. */
  host: string;
  timeoutMs: number;
  /** Scripts to run in every page of the context before its own (e.g. a host's login). */
  initScripts?: readonly string[];
}

/** A new context with the recorders installed; the caller navigates and inspects. */
export async function startRecording(launched: LaunchedBrowser, options: RecordOptions): Promise<RecordingSession> {
  const context = await launched.browser.newContext({ locale: 'en-US', ignoreHTTPSErrors: false });
  const requests: RecordedRequest[] = [];
  const websockets: string[] = [];
  const blocked: string[] = [];
  context.setDefaultTimeout(options.timeoutMs);
  await context.addInitScript({ content: ICE_RECORDER });
  await context.addInitScript({ content: MEDIA_RECORDER });
  for (const content of options.initScripts ?? []) await context.addInitScript({ content });
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    requests.push({ url, host: hostOf(url), type: request.resourceType() });
  });
  await context.route('**/*', async (route) => {
    const host = hostOf(route.request().url());
    if (isDeploymentHost(host, options.host)) {
      await route.continue();
    } else {
      blocked.push(route.request().url());
      await route.abort('blockedbyclient');
    }
  });
  const page = await context.newPage();
  page.on('websocket', (ws) => websockets.push(ws.url()));
  let status: number | undefined;
  let error: string | undefined;
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) status = response.status();
  });
  page.on('pageerror', () => undefined);
  return {
    context,
    page,
    async snapshot() {
      let iceServers: RecordedIceServer[] = [];
      let localStorageKeys: string[] = [];
      let title = '';
      try {
        iceServers = await page.evaluate(() => ((window as unknown as { __jitsiEuIceServers?: RecordedIceServer[] }).__jitsiEuIceServers ?? []).slice());
        localStorageKeys = await page.evaluate(() => Object.keys(window.localStorage));
        title = await page.title();
      } catch (e) {
        error ??= (e as Error).message.split('\n')[0];
      }
      const cookies = (await context.cookies().catch(() => [])).map((c) => `${c.name} (${c.domain})`);
      for (const ws of websockets) {
        if (!requests.some((r) => r.url === ws)) requests.push({ url: ws, host: hostOf(ws), type: 'websocket' });
      }
      return {
        ...(status !== undefined ? { status } : {}),
        ...(error ? { error } : {}),
        title,
        requests: [...requests],
        websockets: [...websockets],
        blocked: [...blocked],
        iceServers,
        cookies,
        localStorageKeys,
      };
    },
    async close() {
      await context.close().catch(() => undefined);
    },
  };
}

/** Opens `url`, waits for the load and a short settle time, and returns what was recorded. */
export async function recordPage(launched: LaunchedBrowser, url: string, options: RecordOptions & { settleMs?: number }): Promise<PageRecord> {
  const session = await startRecording(launched, options);
  try {
    let loadError: string | undefined;
    try {
      await session.page.goto(url, { waitUntil: 'load', timeout: options.timeoutMs });
    } catch (error) {
      loadError = (error as Error).message.split('\n')[0];
    }
    await session.page.waitForTimeout(options.settleMs ?? 1000);
    const record = await session.snapshot();
    return loadError ? { ...record, error: loadError } : record;
  } finally {
    await session.close();
  }
}

/** ICE server hosts (`stun:host:port`, `turns:host?transport=tcp`). */
export function iceHost(url: string): string {
  const match = /^(?:stuns?|turns?):(?:\/\/)?(\[[^\]]+\]|[^:?/]+)/i.exec(url.trim());
  return (match?.[1] ?? '').replace(/^\[|\]$/g, '').toLowerCase();
}

/** Everything a page contacted outside the deployment: request hosts and ICE server hosts. */
export function foreignContacts(record: PageRecord, deploymentHost: string): { requests: string[]; ice: string[] } {
  const requests = [...new Set(record.requests.filter((r) => r.host && !isDeploymentHost(r.host, deploymentHost)).map((r) => r.url))];
  const ice = [
    ...new Set(
      record.iceServers.flatMap((s) => s.urls).filter((u) => {
        const host = iceHost(u);
        return !host || !isDeploymentHost(host, deploymentHost);
      }),
    ),
  ];
  return { requests, ice };
}
