// The browser runs behind the --browser checks, shared per verify run:
// - a guest run: one participant opens a random room, stops at the pre-join screen (state read
//   there), then joins; every request and ICE server is recorded;
// - a call run (full deployments only): a host and a guest in two separate contexts; the guest
//   knocks on the lobby, the host admits them, both unmute and the media path is read from
//   lib-jitsi-meet's statistics.
// The in-app probes use Jitsi Meet's test hooks (APP.conference, APP.store), as Jitsi's own
// browser suites do.
import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity } from 'node:tls';
import type { Page } from 'playwright-core';
import type { VerifyContext } from '../context.ts';
import { launchChromium, type LaunchedBrowser } from './chromium.ts';
import { startRecording, type PageRecord } from './recorder.ts';
import { type LobbyObservation, type TransportStats, judgeMediaPath, lobbyObservation } from './verdicts.ts';

/** Environment variable holding a host token for JWT deployments (never printed). */
export const HOST_JWT_ENV = 'JITSI_EU_VERIFY_JWT';

export interface GuestRun {
  record: PageRecord;
  /** Pre-join screen shown on arrival. */
  prejoinShown: boolean;
  /** Mute state from the app's store on the pre-join screen (undefined: not the Jitsi app). */
  muted?: { audio: boolean; video: boolean };
  /** config values the page itself runs with. */
  pageConfig?: { startWithAudioMuted?: unknown; startWithVideoMuted?: unknown };
}

export interface CallRun {
  /** Why the call run could not happen (SKIP), when it did not. */
  skipped?: string;
  records: PageRecord[];
  lobby?: LobbyObservation;
  media?: { ok: boolean; detail: string };
}

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
      return { record: { ...(await session.snapshot()), error: (error as Error).message.split('\n')[0] }, prejoinShown: false };
    }
    // The app bundle defines APP while the page loads; without it this is not Jitsi Meet.
    const isApp = await page.evaluate(() => typeof (window as unknown as { APP?: unknown }).APP === 'object').catch(() => false);
    const prejoinShown = isApp
      ? await page
          .waitForSelector('[data-testid="prejoin.screen"]', { timeout: Math.min(15_000, timeoutMs) })
          .then(() => true)
          .catch(() => false)
      : false;
    const muted = await appState(page);
    const pageConfig = await page
      .evaluate(() => {
        const config = (window as unknown as { config?: Record<string, unknown> }).config;
        return config ? { startWithAudioMuted: config.startWithAudioMuted, startWithVideoMuted: config.startWithVideoMuted } : undefined;
      })
      .catch(() => undefined);
    // Join, so the signalling (and any ICE servers Prosody hands out) is recorded too.
    const join = page.locator('[data-testid="prejoin.joinMeeting"]');
    if (await join.isVisible().catch(() => false)) {
      await join.click({ timeout: 5000 }).catch(() => undefined);
      await page.waitForTimeout(4000);
    } else {
      await page.waitForTimeout(1500);
    }
    const record = await session.snapshot();
    return { record, prejoinShown, ...(muted ? { muted } : {}), ...(pageConfig ? { pageConfig } : {}) };
  } finally {
    await session.close();
  }
}

async function waitTrue(page: Page, expression: string, timeoutMs: number): Promise<boolean> {
  return page
    .waitForFunction(expression, undefined, { timeout: timeoutMs, polling: 250 })
    .then(() => true)
    .catch(() => false);
}

async function joinFromPrejoin(page: Page): Promise<void> {
  const join = page.locator('[data-testid="prejoin.joinMeeting"]');
  if (await join.isVisible({ timeout: 10_000 }).catch(() => false)) await join.click({ timeout: 5000 }).catch(() => undefined);
}

/** Two participants: lobby knock and admission, then media through the bridge. */
export async function callRun(ctx: VerifyContext, launched: LaunchedBrowser, timeoutMs: number): Promise<CallRun> {
  const jwt = process.env[HOST_JWT_ENV];
  if (ctx.spec.auth === 'secure') return { skipped: 'a host must log in on a secure-auth deployment; the call test runs on anonymous or JWT deployments', records: [] };
  if (ctx.spec.auth === 'jwt' && !jwt) return { skipped: `set ${HOST_JWT_ENV} to a host token to run the call test`, records: [] };
  const host = await startRecording(launched, { host: ctx.host, timeoutMs });
  const guest = await startRecording(launched, { host: ctx.host, timeoutMs });
  const result: CallRun = { records: [] };
  try {
    const query = ctx.spec.auth === 'jwt' ? `?jwt=${encodeURIComponent(jwt!)}` : '';
    const url = (name: string) => `${ctx.origin}/${ctx.room}call${query}#${TEST_HASH}&userInfo.displayName=%22${name}%22`;
    await host.page.goto(url('verify-host'), { waitUntil: 'load', timeout: timeoutMs });
    await joinFromPrejoin(host.page);
    if (!(await waitTrue(host.page, 'window.APP && APP.conference && APP.conference.isJoined()', 20_000))) {
      return { ...result, skipped: 'the host did not join the conference within 20 s (is jicofo running?)' };
    }
    await guest.page.goto(url('verify-guest'), { waitUntil: 'load', timeout: timeoutMs });
    await joinFromPrejoin(guest.page);
    if (ctx.spec.lobby) {
      const knocked = await waitTrue(guest.page, 'window.APP && APP.conference._room && APP.conference._room.room && APP.conference._room.room.getLobby() && APP.conference._room.room.getLobby().lobbyRoom && APP.conference._room.room.getLobby().lobbyRoom.joined === true', 15_000);
      const hostSawKnock = await waitTrue(host.page, "(APP.store.getState()['features/lobby'].knockingParticipants || []).length > 0", 10_000);
      let admitted = false;
      if (hostSawKnock) {
        await host.page
          .evaluate(() => {
            const app = (window as unknown as { APP: { store: { getState(): Record<string, { knockingParticipants?: { id: string }[] }> }; conference: { _room: { lobbyApproveAccess(id: string): void } } } }).APP;
            const knocking = app.store.getState()['features/lobby']?.knockingParticipants ?? [];
            for (const p of knocking) app.conference._room.lobbyApproveAccess(p.id);
          })
          .catch(() => undefined);
        admitted = await waitTrue(guest.page, 'APP.conference.isJoined()', 15_000);
      }
      result.lobby = lobbyObservation({ knocked, hostSawKnock, admitted });
      if (!admitted) return result;
    } else if (!(await waitTrue(guest.page, 'window.APP && APP.conference && APP.conference.isJoined()', 20_000))) {
      return { ...result, skipped: 'the second participant did not join within 20 s' };
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
        (await waitTrue(p, "APP.conference.getConnectionState() === 'connected'", 15_000)) &&
        waitTrue(p, '(b => b && b.upload > 0 && b.download > 0)(APP.conference.getStats().bitrate)', 20_000),
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
    return { ...result, skipped: `the call test stopped: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    for (const s of [host, guest]) {
      await s.page.evaluate(() => (window as unknown as { APP?: { conference?: { hangup?(): void } } }).APP?.conference?.hangup?.()).catch(() => undefined);
      result.records.push(await s.snapshot());
      await s.close();
    }
  }
}
