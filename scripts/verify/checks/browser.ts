// --browser: what a participant's browser really does. One Chromium per run; the guest run and
// the call run are shared by the checks below.
import type { VerifyContext } from '../context.ts';
import type { CheckOutcome } from '../types.ts';
import type { LaunchedBrowser } from '../browser/chromium.ts';
import { foreignContacts, type PageRecord } from '../browser/recorder.ts';
// playwright-core loads only when --browser is used: it is a large import.
import type { CallRun, GuestRun } from '../browser/session.ts';

const session = () => import('../browser/session.ts');
import { type CheckDefinition, afterFetching, fail, list, pass, skip } from './define.ts';
import { iceServersVerdict, lobbyKnockVerdict, lobbyPrecondition, mediaUdpVerdict, prejoinMutedVerdict } from '../browser/verdicts.ts';

const BROWSER_TIMEOUT_MS = 90_000;

function browser(ctx: VerifyContext): Promise<LaunchedBrowser> {
  return ctx.once('browser', async () => {
    const launched = await (await session()).openBrowser(ctx, 30_000);
    ctx.signal.addEventListener('abort', () => void launched.close(), { once: true });
    return launched;
  });
}

function guest(ctx: VerifyContext): Promise<GuestRun> {
  return ctx.once('browser guest', async () => (await session()).guestRun(ctx, await browser(ctx), 30_000));
}

function call(ctx: VerifyContext): Promise<CallRun> {
  // After the guest run, so the two do not share the machine's two cores.
  return ctx.once('browser call', async () => {
    await guest(ctx).catch(() => undefined);
    return (await session()).callRun(ctx, await browser(ctx), 30_000);
  });
}

/** Closes the shared browser; the runner calls it when every check is done. */
export async function closeBrowser(ctx: VerifyContext): Promise<void> {
  const launched = await browser(ctx).catch(() => undefined);
  await launched?.close();
}

function loadProblem(record: PageRecord): string | undefined {
  if (record.error) {
    if (/ERR_CERT|certificate/i.test(record.error)) return `the browser refused the certificate (${record.error}); with a test CA pass --ca`;
    return `the page did not load: ${record.error}`;
  }
  if (record.status !== undefined && record.status >= 400) return `the page answered ${record.status}`;
  return undefined;
}

/** A check on the guest's page: FAIL when the browser cannot run or the page does not load. */
function onGuestPage(judge: (run: GuestRun, ctx: VerifyContext) => CheckOutcome | Promise<CheckOutcome>): CheckDefinition['run'] {
  return afterFetching(guest, (run, ctx) => {
    const problem = loadProblem(run.record);
    return problem ? fail(problem) : judge(run, ctx);
  }, 'cannot run the browser');
}

/** A check on the two-party call: FAIL when the browser cannot run. */
function onCall(judge: (run: CallRun) => CheckOutcome): CheckDefinition['run'] {
  return afterFetching(call, judge, 'cannot run the browser');
}

/** Every page recorded: the guest's and, when the call test ran, both parties'. */
async function recordedPages(ctx: VerifyContext, run: GuestRun): Promise<{ records: PageRecord[]; calls: CallRun | undefined }> {
  const calls = await call(ctx).catch(() => undefined);
  return { records: [run.record, ...(calls?.records ?? [])], calls };
}

const firstParty: CheckDefinition = {
  id: 'browser-first-party-only',
  title: 'The browser contacts only the deployment',
  area: 'browser',
  mode: 'browser',
  timeoutMs: BROWSER_TIMEOUT_MS,
  description:
    'Headless Chromium opens a random room (and joins it): every request and WebSocket goes to the deployment\'s host, and no cookie is set. Other hosts are recorded, blocked and reported.',
  run: onGuestPage(async (run, ctx) => {
    const { records } = await recordedPages(ctx, run);
    const foreign = [...new Set(records.flatMap((r) => foreignContacts(r, ctx.host).requests))];
    const cookies = [...new Set(records.flatMap((r) => r.cookies))];
    if (foreign.length > 0) return fail(`requests to other hosts: ${list(foreign, 3)}`);
    if (cookies.length > 0) return fail(`cookies set: ${list(cookies)}`);
    const total = records.reduce((n, r) => n + r.requests.length, 0);
    return pass(`${total} requests, all to ${ctx.host}; no cookies`);
  }),
};

const iceServers: CheckDefinition = {
  id: 'browser-ice-servers',
  title: "ICE servers are the deployment's own",
  area: 'browser',
  mode: 'browser',
  timeoutMs: BROWSER_TIMEOUT_MS,
  description:
    "Every STUN/TURN server handed to RTCPeerConnection (from config.js or from Prosody) is on the deployment's host. SKIP, saying why, when no call could be set up.",
  run: onGuestPage(async (run, ctx) => {
    const { records, calls } = await recordedPages(ctx, run);
    const foreign = [...new Set(records.flatMap((r) => foreignContacts(r, ctx.host).ice))];
    const all = [...new Set(records.flatMap((r) => r.iceServers.flatMap((s) => s.urls)))];
    return iceServersVerdict({ foreign, all, guest: run, ...(calls ? { call: calls } : {}) });
  }),
};

const prejoinMuted: CheckDefinition = {
  id: 'browser-prejoin-muted',
  title: 'Pre-join screen shown, participant starts muted',
  area: 'browser',
  mode: 'browser',
  timeoutMs: BROWSER_TIMEOUT_MS,
  description:
    'Opening a room shows the pre-join screen, with microphone and camera muted in the app state, and no live microphone or camera track from getUserMedia in the page.',
  run: onGuestPage(prejoinMutedVerdict),
};

const lobbyKnock: CheckDefinition = {
  id: 'browser-lobby-knock',
  title: 'A guest knocks in the lobby and the host admits them',
  area: 'browser',
  mode: 'browser',
  timeoutMs: BROWSER_TIMEOUT_MS,
  description: 'Two browser contexts: a guest opening a hosted room lands in the lobby, the host sees the knock and admits them. Needs a full deployment.',
  async run(ctx) {
    // Decided before any browser starts.
    return lobbyPrecondition(ctx.spec) ?? onCall(lobbyKnockVerdict)(ctx);
  },
};

const mediaUdp: CheckDefinition = {
  id: 'browser-media-udp-bridge',
  title: 'Media flows through the bridge over UDP',
  area: 'browser',
  mode: 'browser',
  timeoutMs: BROWSER_TIMEOUT_MS,
  description: "In a two-party call, media flows both ways over UDP port 10000 to the deployment's bridge (not peer-to-peer, not relayed). Needs a full deployment.",
  run: onCall(mediaUdpVerdict),
};

export const BROWSER_CHECKS: CheckDefinition[] = [firstParty, iceServers, prejoinMuted, lobbyKnock, mediaUdp];
