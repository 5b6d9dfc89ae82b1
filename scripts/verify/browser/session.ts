// The browser runs behind the --browser checks, shared per verify run:
// - a guest run: one participant opens a random room, stops at the pre-join screen (state read
//   there), then joins; every request and ICE server is recorded;
// - a call run (full deployments only): a host and a guest in two separate contexts; the host
//   logs in (secure auth) or brings a token (JWT), the guest knocks on the lobby, the host admits
//   them, both unmute and the media path is read from lib-jitsi-meet's statistics. A host who
//   cannot get into a conference is a failure: meetings cannot start on that site.
// The in-app probes use Jitsi Meet's test hooks (APP.conference, APP.store), as Jitsi's own
// browser suites do.
import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity } from 'node:tls';
import type { Page } from 'playwright-core';
import type { VerifyContext } from '../context.ts';
import { launchChromium, type LaunchedBrowser } from './chromium.ts';
import { hostCredentialsFromSsm, hostLoginScript, type HostCredentials } from './host-login.ts';
import { capturedTracks, startRecording, type CapturedTrack, type PageRecord } from './recorder.ts';
import { type LobbyObservation, type TransportStats, judgeMediaPath, lobbyObservation } from './verdicts.ts';

/** Environment variable holding a host token for JWT deployments (never printed). */
export const HOST_JWT_ENV = 'JITSI_EU_VERIFY_JWT';

/** How long a participant may take to be in the conference once they joined. */
export const JOIN_WAIT_S = 20;

export interface GuestRun {
  record: PageRecord;
  /** The page defines APP: it is the Jitsi Meet app. */
  isApp: boolean;
  /** Pre-join screen shown on arrival. */
  prejoinShown: boolean;
  /** Mute state from the app's store on the pre-join screen (undefined: not the Jitsi app). */
  muted?: { audio: boolean; video: boolean };
  /** Camera and microphone tracks the page held on the pre-join screen, as the browser reports them. */
  tracks: CapturedTrack[];
  /** The guest was in a conference after pressing Join. */
  joined: boolean;
  /** config values the page itself runs with. */
  pageConfig?: { startWithAudioMuted?: unknown; startWithVideoMuted?: unknown };
}

export interface CallRun {
  /** Why the call run could not happen (SKIP), when it did not. */
  skipped?: string;
  /** What went wrong when a call could have happened and did not (FAIL). */
  failed?: string;
  records: PageRecord[];
  lobby?: LobbyObservation;
  media?: { ok: boolean; detail: string };
}

/** Time the app gets on the pre-join screen to obtain (and stop) its devices. */
const PREJOIN_SETTLE_MS = 2500;
/** A guest on an open room is in the conference within seconds; in a lobby they never are. */
const GUEST_JOIN_WAIT_MS = 8000;

/**
 * The app's test hooks, as the probes below read them. The probes are functions, not strings:
 * the deployment's Content-Security-Policy forbids eval, which string predicates need.
 */
interface AppHooks {
  store: { getState(): Record<string, { knockingParticipants?: unknown[] } | undefined> };
  conference?: {
    isJoined?(): boolean;
    getConnectionState?(): string | null;
    getStats?(): { bitrate?: { upload?: number; download?: number } };
    _room?: { room?: { getLobby?(): { lobbyRoom?: { joined?: boolean } } | undefined } };
  };
}
type Probe = () => boolean;
const IS_JOINED: Probe = () => Boolean((window as unknown as { APP?: AppHooks }).APP?.conference?.isJoined?.());
const IN_LOBBY: Probe = () => (window as unknown as { APP?: AppHooks }).APP?.conference?._room?.room?.getLobby?.()?.lobbyRoom?.joined === true;
const SEES_KNOCK: Probe = () => ((window as unknown as { APP?: AppHooks }).APP?.store.getState()['features/lobby']?.knockingParticipants ?? []).length > 0;
const ICE_CONNECTED: Probe = () => (window as unknown as { APP?: AppHooks }).APP?.conference?.getConnectionState?.() === 'connected';
const MEDIA_BOTH_WAYS: Probe = () => {
  const bitrate = (window as unknown as { APP?: AppHooks }).APP?.conference?.getStats?.().bitrate;
  return Boolean(bitrate && (bitrate.upload ?? 0) > 0 && (bitrate.download ?? 0) > 0);
};

const TEST_HASH = 'config.testing.testMode=true&config.pcStatsInterval=1500&config.gatherStats=true&config.p2p.enabled=false';

/** SPKI hash of the served leaf, when Node trusts it (with --ca) or it is a staging certificate for this stack. */
export async function browserPins(ctx: VerifyContext): Promise<string[]> {
  if (ctx.extraCa.length === 0 && ctx.spec.tls !== 'letsencrypt-staging') return [];
  const probe = await ctx.tls();
  if (!probe.ok || !probe.certificate?.raw) return [];
  if (checkServerIdentity(ctx.host, probe.certificate)) return [];
  const staging = ctx.spec.tls === 'letsencrypt-staging';
  if (!probe.trusted && !staging) return [];
  const key = new X509Certificate(probe.certificate.raw).publicKey.export({ type: 'spki', format: 'der' });
  return [createHash('sha256').update(key).digest('base64')];
}

export async function openBrowser(ctx: VerifyContext, timeoutMs: number): Promise<LaunchedBrowser> {
  return launchChromium({
    host: ctx.host,
    ip: ctx.ip,
    pinnedSpki: await browserPins(ctx),
    ...(ctx.options.chromiumPath ? { executablePath: ctx.options.chromiumPath } : {}),
    timeoutMs,
  });
}

async function appState(page: Page): Promise<{ audio: boolean; video: boolean } | undefined> {
  return page
    .evaluate(() => {
      const app = (window as unknown as { APP?: { store?: { getState(): Record<string, { audio?: { muted?: unknown }; video?: { muted?: unknown } }> } } }).APP;
      const media = app?.store?.getState()['features/base/media'];
      if (!media) return undefined;
      return { audio: Boolean(media.audio?.muted), video: Boolean(media.video?.muted) };
    })
    .catch(() => undefined);
}

export async function guestRun(ctx: VerifyContext, launched: LaunchedBrowser, timeoutMs: number): Promise<GuestRun> {
  const session = await startRecording(launched, { host: ctx.host, timeoutMs });
  try {
    const page = session.page;
    try {
      await page.goto(`${ctx.origin}/${ctx.room}`, { waitUntil: 'load', timeout: timeoutMs });
    } catch (error) {
      return { record: { ...(await session.snapshot()), error: (error as Error).message.split('\n')[0] }, isApp: false, prejoinShown: false, tracks: [], joined: false };
    }
    // The app bundle defines APP while the page loads; without it this is not Jitsi Meet.
    const isApp = await page.evaluate(() => typeof (window as unknown as { APP?: unknown }).APP === 'object').catch(() => false);
    const prejoinShown = isApp
      ? await page
          .waitForSelector('[data-testid="prejoin.screen"]', { timeout: Math.min(15_000, timeoutMs) })
          .then(() => true)
          .catch(() => false)
      : false;
    // The app asks for devices while the pre-join screen comes up; give it time to get and stop them.
    await page.waitForTimeout(PREJOIN_SETTLE_MS);
    const muted = await appState(page);
    const tracks = await capturedTracks(page).catch(() => []);
    const pageConfig = await page
      .evaluate(() => {
        const config = (window as unknown as { config?: Record<string, unknown> }).config;
        return config ? { startWithAudioMuted: config.startWithAudioMuted, startWithVideoMuted: config.startWithVideoMuted } : undefined;
      })
      .catch(() => undefined);
    // Join, so the signalling (and any ICE servers Prosody hands out) is recorded too.
    const join = page.locator('[data-testid="prejoin.joinMeeting"]');
    let joined = false;
    if (await join.isVisible().catch(() => false)) {
      await join.click({ timeout: 5000 }).catch(() => undefined);
      joined = await waitTrue(page, IS_JOINED, GUEST_JOIN_WAIT_MS);
      await page.waitForTimeout(joined ? 2000 : 0);
    } else {
      await page.waitForTimeout(1500);
    }
    const record = await session.snapshot();
    return { record, isApp, prejoinShown, tracks, joined, ...(muted ? { muted } : {}), ...(pageConfig ? { pageConfig } : {}) };
  } finally {
    await session.close();
  }
}

async function waitTrue(page: Page, probe: Probe, timeoutMs: number): Promise<boolean> {
  return page
    .waitForFunction(probe, undefined, { timeout: timeoutMs, polling: 250 })
    .then(() => true)
    .catch(() => false);
}

/** Presses Join on the pre-join screen once it shows (a page without one joins by itself). */
async function joinFromPrejoin(page: Page): Promise<void> {
  const join = page.locator('[data-testid="prejoin.joinMeeting"]');
  const shown = await join.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
  if (shown) await join.click({ timeout: 5000 }).catch(() => undefined);
}

/** How the host gets in: a login on secure-auth stacks, a token on JWT stacks, nothing on anonymous ones. */
type HostAccess = { login?: HostCredentials; jwt?: string } | { skipped: string };

async function hostAccess(ctx: VerifyContext): Promise<HostAccess> {
  if (ctx.spec.auth === 'jwt') {
    const jwt = process.env[HOST_JWT_ENV];
    return jwt ? { jwt } : { skipped: `on a JWT deployment a guest waits for a host: set ${HOST_JWT_ENV} to a host token to run the call test` };
  }
  if (ctx.spec.auth !== 'secure') return {};
  if (ctx.options.hostCredentials) return { login: ctx.options.hostCredentials };
  if (ctx.options.aws && ctx.fromStack) {
    const login = await hostCredentialsFromSsm({
      stack: ctx.spec.stack,
      region: ctx.spec.region,
      ...(ctx.options.awsEndpoint ? { endpoint: ctx.options.awsEndpoint } : {}),
      signal: ctx.signal,
    });
    return { login };
  }
  return { skipped: 'on a secure-auth deployment a guest waits for a host: pass --host-credentials FILE, or --aws with --stack to read the host account from SSM' };
}

/** Two participants: lobby knock and admission, then media through the bridge. */
export async function callRun(ctx: VerifyContext, launched: LaunchedBrowser, timeoutMs: number): Promise<CallRun> {
  let access: HostAccess;
  try {
    access = await hostAccess(ctx);
  } catch (error) {
    return { failed: (error as Error).message, records: [] };
  }
  if ('skipped' in access) return { skipped: access.skipped, records: [] };
  const host = await startRecording(launched, { host: ctx.host, timeoutMs, initScripts: access.login ? [hostLoginScript(access.login)] : [] });
  const guest = await startRecording(launched, { host: ctx.host, timeoutMs });
  const result: CallRun = { records: [] };
  try {
    const query = access.jwt ? `?jwt=${encodeURIComponent(access.jwt)}` : '';
    const url = (name: string, withToken: boolean) => `${ctx.origin}/${ctx.room}call${withToken ? query : ''}#${TEST_HASH}&userInfo.displayName=%22${name}%22`;
    await host.page.goto(url('verify-host', true), { waitUntil: 'load', timeout: timeoutMs });
    await joinFromPrejoin(host.page);
    if (!(await waitTrue(host.page, IS_JOINED, JOIN_WAIT_S * 1000))) {
      return { ...result, failed: `the host did not join the conference within ${JOIN_WAIT_S} s: meetings cannot start (is jicofo running and the host's login right?)` };
    }
    await guest.page.goto(url('verify-guest', false), { waitUntil: 'load', timeout: timeoutMs });
    await joinFromPrejoin(guest.page);
    if (ctx.spec.lobby) {
      const knocked = await waitTrue(guest.page, IN_LOBBY, 15_000);
      const hostSawKnock = await waitTrue(host.page, SEES_KNOCK, 10_000);
      let admitted = false;
      if (hostSawKnock) {
        await host.page
          .evaluate(() => {
            const app = (window as unknown as { APP: { store: { getState(): Record<string, { knockingParticipants?: { id: string }[] }> }; conference: { _room: { lobbyApproveAccess(id: string): void } } } }).APP;
            const knocking = app.store.getState()['features/lobby']?.knockingParticipants ?? [];
            for (const p of knocking) app.conference._room.lobbyApproveAccess(p.id);
          })
          .catch(() => undefined);
        admitted = await waitTrue(guest.page, IS_JOINED, 15_000);
      }
      result.lobby = lobbyObservation({ knocked, hostSawKnock, admitted });
      if (!admitted) return result;
    } else if (!(await waitTrue(guest.page, IS_JOINED, JOIN_WAIT_S * 1000))) {
      return { ...result, failed: `the second participant did not join the conference within ${JOIN_WAIT_S} s` };
    }
    for (const p of [host.page, guest.page]) {
      await p.evaluate(() => {
        const conference = (window as unknown as { APP: { conference: { muteAudio(m: boolean): void; muteVideo(m: boolean): void } } }).APP.conference;
        conference.muteAudio(false);
        conference.muteVideo(false);
      }).catch(() => undefined);
    }
    const flowing = await Promise.all(
      [host.page, guest.page].map(async (p) =>
        (await waitTrue(p, ICE_CONNECTED, 15_000)) && waitTrue(p, MEDIA_BOTH_WAYS, 20_000),
      ),
    );
    await host.page.waitForTimeout(1600);
    const transports = await Promise.all(
      [host.page, guest.page].map((p) =>
        p.evaluate(() => (window as unknown as { APP: { conference: { getStats(): { transport?: TransportStats[] } } } }).APP.conference.getStats().transport?.[0]).catch(() => undefined),
      ),
    );
    result.media = judgeMediaPath(
      (['host', 'guest'] as const).map((who, i) => ({ who, flowing: flowing[i] ?? false, ...(transports[i] ? { transport: transports[i] } : {}) })),
      { topology: ctx.spec.topology, ip: ctx.ip },
    );
    return result;
  } catch (error) {
    return { ...result, failed: `the call test stopped: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    for (const s of [host, guest]) {
      await s.page.evaluate(() => (window as unknown as { APP?: { conference?: { hangup?(): void } } }).APP?.conference?.hangup?.()).catch(() => undefined);
      result.records.push(await s.snapshot());
      await s.close();
    }
  }
}
