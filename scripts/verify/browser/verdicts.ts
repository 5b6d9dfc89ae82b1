// Verdicts of the --browser checks, from what the browser runs observed: pure functions, so every
// outcome can be shown without a browser or a Jitsi deployment. Driving the browser lives in
// session.ts; the checks in ../checks/browser.ts fetch the runs and hand them here.
import type { DeploymentSpec } from '../../../infra/spec/types.ts';
import type { CheckOutcome } from '../types.ts';
import { fail, list, pass, skip } from '../checks/define.ts';
import type { CapturedTrack } from './recorder.ts';
import type { CallRun, GuestRun } from './session.ts';

/** The first entry of lib-jitsi-meet's `getStats().transport`: the active ICE candidate pair. */
export interface TransportStats {
  /** Remote address as `ip:port`. */
  ip?: string;
  /** `udp` or `tcp`. */
  type?: string;
  p2p?: boolean;
  remoteCandidateType?: string;
}

/** One participant of the call: whether media flowed both ways, and the transport in use. */
export interface MediaObservation {
  who: string;
  flowing: boolean;
  transport?: TransportStats;
}

/** What the lobby part of the call run saw, with the line the check reports. */
export interface LobbyObservation {
  /** The guest's client joined the lobby room. */
  knocked: boolean;
  /** The host's app listed the guest as knocking. */
  hostSawKnock: boolean;
  /** The guest joined the conference once the host approved. */
  admitted: boolean;
  detail: string;
}

export function lobbyObservation(seen: Omit<LobbyObservation, 'detail'>): LobbyObservation {
  return { ...seen, detail: `guest in lobby: ${seen.knocked}, host saw the knock: ${seen.hostSawKnock}, admitted: ${seen.admitted}` };
}

/** Where the media must go: the bridge's UDP port, and for a single node its own address. */
export interface MediaExpectation {
  topology: DeploymentSpec['topology'];
  /** The deployment's public address (the single node runs the bridge). */
  ip: string;
}

export const BRIDGE_MEDIA_PORT = '10000';

/** Media both ways over UDP to the bridge: not peer-to-peer, not relayed through TURN. */
export function judgeMediaPath(observations: readonly MediaObservation[], expected: MediaExpectation): { ok: boolean; detail: string } {
  const problems: string[] = [];
  for (const { who, flowing, transport: t } of observations) {
    if (!flowing) problems.push(`${who}: no media both ways within 20 s`);
    if (!t) {
      problems.push(`${who}: no transport statistics`);
      continue;
    }
    if (t.type !== 'udp') problems.push(`${who}: media over ${t.type ?? 'unknown'} instead of UDP`);
    if (t.p2p !== false) problems.push(`${who}: peer-to-peer instead of the bridge`);
    if (t.remoteCandidateType === 'relay') problems.push(`${who}: relayed through TURN`);
    const port = t.ip?.split(':').pop();
    if (port !== BRIDGE_MEDIA_PORT) problems.push(`${who}: bridge port ${port ?? 'unknown'} (expected ${BRIDGE_MEDIA_PORT})`);
    // Bridges of a pool have addresses of their own, unknown to verify.
    if (expected.topology === 'single' && t.ip && !t.ip.startsWith(`${expected.ip}:`)) problems.push(`${who}: bridge at ${t.ip}, not ${expected.ip}`);
  }
  return problems.length === 0
    ? { ok: true, detail: `both directions flowing over UDP to ${observations.map((o) => o.transport?.ip).join(' and ')}` }
    : { ok: false, detail: problems.join('; ') };
}

/** A device the page still captures: a live track that is not muted. */
function capturing(tracks: readonly CapturedTrack[], kind: 'audio' | 'video'): CapturedTrack[] {
  return tracks.filter((t) => t.kind === kind && t.readyState === 'live' && t.enabled);
}

/**
 * browser-prejoin-muted, once the guest's page has loaded: the app's own mute state, and what the
 * browser really captures. A live microphone or camera at pre-join fails whatever the app reports.
 */
export function prejoinMutedVerdict(run: Pick<GuestRun, 'prejoinShown' | 'muted' | 'tracks'>): CheckOutcome {
  const problems: string[] = [];
  const microphones = capturing(run.tracks, 'audio');
  const cameras = capturing(run.tracks, 'video');
  if (microphones.length > 0) problems.push(`a live microphone track from getUserMedia (${microphones.map((t) => t.label || 'unnamed').join(', ')})`);
  if (cameras.length > 0) problems.push(`a live camera track from getUserMedia (${cameras.map((t) => t.label || 'unnamed').join(', ')})`);
  if (!run.muted) return fail(['the page is not the Jitsi Meet app (no APP.store state)', ...problems].join('; '));
  if (!run.prejoinShown) problems.unshift('no pre-join screen');
  if (!run.muted.audio) problems.push('microphone on at entry in the app');
  if (!run.muted.video) problems.push('camera on at entry in the app');
  if (problems.length > 0) return fail(problems.join('; '));
  const stopped = run.tracks.length > 0 ? `; ${run.tracks.length} captured track(s), none live` : '; no device captured';
  return pass(`pre-join screen with microphone and camera muted${stopped}`);
}

/**
 * browser-ice-servers: every ICE server the pages handed to RTCPeerConnection is the deployment's;
 * when none was handed over, the reason says why no call was set up.
 */
export function iceServersVerdict(seen: {
  foreign: readonly string[];
  all: readonly string[];
  guest: Pick<GuestRun, 'isApp' | 'joined'>;
  call?: Pick<CallRun, 'skipped' | 'failed'>;
}): CheckOutcome {
  if (seen.foreign.length > 0) return fail(`third-party ICE servers: ${list([...seen.foreign], 3)}`);
  if (seen.all.length > 0) return pass(`only ${list([...seen.all], 3)}`);
  let why: string;
  if (!seen.guest.isApp) why = 'the page is not the Jitsi Meet app';
  else if (seen.call?.failed) why = `no conference started: ${seen.call.failed}`;
  else if (!seen.guest.joined) why = `no conference started: the guest was not in a conference after pressing Join${seen.call?.skipped ? `, and ${seen.call.skipped}` : ''}`;
  else why = 'the conference started without a media connection';
  return skip(`no RTCPeerConnection was created: ${why}`);
}

/** browser-lobby-knock before any browser runs: a stack without a lobby has nothing to knock on. */
export function lobbyPrecondition(spec: Pick<DeploymentSpec, 'lobby'>): CheckOutcome | undefined {
  return spec.lobby ? undefined : skip('the stack has no lobby (jitsi-eu:lobby false)');
}

/** browser-lobby-knock, from the call run. */
export function lobbyKnockVerdict(run: Pick<CallRun, 'lobby' | 'skipped' | 'failed'>): CheckOutcome {
  if (run.failed && !run.lobby) return fail(run.failed);
  if (!run.lobby) return skip(run.skipped ?? 'the call test did not reach the lobby');
  if (!run.lobby.knocked || !run.lobby.hostSawKnock || !run.lobby.admitted) return fail(run.lobby.detail);
  return pass(run.lobby.detail);
}

/** browser-media-udp-bridge, from the call run. */
export function mediaUdpVerdict(run: Pick<CallRun, 'media' | 'lobby' | 'skipped' | 'failed'>): CheckOutcome {
  if (!run.media) {
    if (run.lobby && !run.lobby.admitted) return fail(`the guest was never admitted: ${run.lobby.detail}`);
    if (run.failed) return fail(run.failed);
    return skip(run.skipped ?? 'the call test did not start media');
  }
  return run.media.ok ? pass(run.media.detail) : fail(run.media.detail);
}
