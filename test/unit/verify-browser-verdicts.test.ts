// The verdicts of verify's --browser checks, from recorded observations: the transport statistics
// lib-jitsi-meet reports, the lobby as host and guest saw it, the mute state on the pre-join
// screen. No browser and no Jitsi web app needed.
import { describe, expect, it } from 'vitest';
import {
  iceServersVerdict,
  type MediaExpectation,
  type MediaObservation,
  judgeMediaPath,
  lobbyKnockVerdict,
  lobbyObservation,
  lobbyPrecondition,
  mediaUdpVerdict,
  prejoinMutedVerdict,
} from '../../scripts/verify/browser/verdicts.ts';
import { BROWSER_CHECKS } from '../../scripts/verify/checks/browser.ts';
import type { VerifyContext } from '../../scripts/verify/context.ts';
import { makeSpec } from '../helpers/spec.ts';

/** The deployment's public address (the single node runs the bridge). */
const NODE_IP = '203.0.113.10';
/** A bridge of a pool, with an address of its own. */
const POOL_BRIDGE_IP = '198.51.100.24';

/**
 * One entry of `APP.conference.getStats().transport` as lib-jitsi-meet's StatsCollector builds it
 * from the nominated ICE candidate pair (remote `ip:port`, protocol, candidate types, p2p flag).
 */
function transport(overrides: Record<string, unknown> = {}) {
  return {
    ip: `${NODE_IP}:10000`,
    localCandidateType: 'host',
    localip: '192.168.1.20:53411',
    networkType: 'ethernet',
    p2p: false,
    remoteCandidateType: 'srflx',
    rtt: 23,
    type: 'udp',
    ...overrides,
  };
}

/** Host and guest of the call, both with media flowing, with the given transports. */
function call(host: object | undefined, guest: object | undefined, flowing: [boolean, boolean] = [true, true]): MediaObservation[] {
  return [
    { who: 'host', flowing: flowing[0], ...(host ? { transport: host } : {}) },
    { who: 'guest', flowing: flowing[1], ...(guest ? { transport: guest } : {}) },
  ];
}

const single: MediaExpectation = { topology: 'single', ip: NODE_IP };
const scalable: MediaExpectation = { topology: 'scalable', ip: NODE_IP };

/** browser-media-udp-bridge for a call that got as far as media. */
const mediaVerdict = (observations: MediaObservation[], expected: MediaExpectation = single) =>
  mediaUdpVerdict({ media: judgeMediaPath(observations, expected) });

describe('browser-media-udp-bridge', () => {
  it('passes media over UDP to the single node on the bridge port, both ways', () => {
    const outcome = mediaVerdict(call(transport(), transport({ localip: '192.168.1.21:40022', remoteCandidateType: 'host' })));
    expect(outcome).toEqual({ status: 'PASS', detail: `both directions flowing over UDP to ${NODE_IP}:10000 and ${NODE_IP}:10000` });
  });

  it('passes media to a pool bridge at its own address in the scalable topology', () => {
    const outcome = mediaVerdict(call(transport({ ip: `${POOL_BRIDGE_IP}:10000` }), transport({ ip: `${POOL_BRIDGE_IP}:10000` })), scalable);
    expect(outcome.status).toBe('PASS');
    expect(outcome.detail).toContain(`${POOL_BRIDGE_IP}:10000`);
  });

  it('fails media over TCP', () => {
    // The bridge's TCP fallback, or ICE-TCP through a proxy.
    const outcome = mediaVerdict(call(transport({ type: 'tcp', ip: `${NODE_IP}:4443` }), transport()));
    expect(outcome.status).toBe('FAIL');
    expect(outcome.detail).toBe('host: media over tcp instead of UDP; host: bridge port 4443 (expected 10000)');
  });

  it('fails media relayed through TURN', () => {
    const outcome = mediaVerdict(call(transport(), transport({ remoteCandidateType: 'relay', ip: `${NODE_IP}:10000` })));
    expect(outcome).toEqual({ status: 'FAIL', detail: 'guest: relayed through TURN' });
  });

  it('fails a peer-to-peer call, and one whose p2p flag is missing', () => {
    const p2p = mediaVerdict(call(transport({ p2p: true, ip: '192.168.1.21:40022', remoteCandidateType: 'host' }), transport()));
    expect(p2p.status).toBe('FAIL');
    expect(p2p.detail).toContain('host: peer-to-peer instead of the bridge');
    expect(p2p.detail).toContain('host: bridge port 40022 (expected 10000)');
    expect(p2p.detail).toContain(`host: bridge at 192.168.1.21:40022, not ${NODE_IP}`);
    expect(p2p.detail).not.toContain('guest');
    const { p2p: _dropped, ...withoutFlag } = transport();
    expect(mediaVerdict(call(transport(), withoutFlag))).toEqual({ status: 'FAIL', detail: 'guest: peer-to-peer instead of the bridge' });
  });

  it('fails media to another address on the bridge port (single topology)', () => {
    const outcome = mediaVerdict(call(transport({ ip: '198.51.100.99:10000' }), transport()));
    expect(outcome).toEqual({ status: 'FAIL', detail: `host: bridge at 198.51.100.99:10000, not ${NODE_IP}` });
    // An address that merely starts with the node's address is another address.
    expect(mediaVerdict(call(transport(), transport({ ip: `${NODE_IP}0:10000` }))).status).toBe('FAIL');
  });

  it('fails when media did not flow or no statistics came back', () => {
    expect(mediaVerdict(call(transport(), transport(), [true, false]))).toEqual({ status: 'FAIL', detail: 'guest: no media both ways within 20 s' });
    expect(mediaVerdict(call(undefined, transport()))).toEqual({ status: 'FAIL', detail: 'host: no transport statistics' });
  });

  it('fails when the lobby never let the guest in, and skips with the reason when the call did not happen', () => {
    const lobby = lobbyObservation({ knocked: true, hostSawKnock: false, admitted: false });
    expect(mediaUdpVerdict({ lobby })).toEqual({
      status: 'FAIL',
      detail: 'the guest was never admitted: guest in lobby: true, host saw the knock: false, admitted: false',
    });
    const jwtWithoutToken = 'set JITSI_EU_VERIFY_JWT to a host token to run the call test';
    expect(mediaUdpVerdict({ skipped: jwtWithoutToken })).toEqual({ status: 'SKIP', detail: jwtWithoutToken });
    expect(mediaUdpVerdict({})).toEqual({ status: 'SKIP', detail: 'the call test did not start media' });
  });
});

describe('browser-lobby-knock', () => {
  it('passes when the guest knocked, the host saw it and admitted them', () => {
    expect(lobbyKnockVerdict({ lobby: lobbyObservation({ knocked: true, hostSawKnock: true, admitted: true }) })).toEqual({
      status: 'PASS',
      detail: 'guest in lobby: true, host saw the knock: true, admitted: true',
    });
  });

  it('fails when the guest never reached the lobby, or any later step did not happen', () => {
    // Without a lobby the guest's client joins the conference directly: no knock at all.
    const never = lobbyKnockVerdict({ lobby: lobbyObservation({ knocked: false, hostSawKnock: false, admitted: false }) });
    expect(never).toEqual({ status: 'FAIL', detail: 'guest in lobby: false, host saw the knock: false, admitted: false' });
    expect(lobbyKnockVerdict({ lobby: lobbyObservation({ knocked: true, hostSawKnock: false, admitted: false }) }).status).toBe('FAIL');
    expect(lobbyKnockVerdict({ lobby: lobbyObservation({ knocked: true, hostSawKnock: true, admitted: false }) }).status).toBe('FAIL');
    // Admitted without a knock the host saw means the lobby was bypassed.
    expect(lobbyKnockVerdict({ lobby: lobbyObservation({ knocked: false, hostSawKnock: false, admitted: true }) }).status).toBe('FAIL');
    // In the conference although the host never saw a knock: something other than the host let them in.
    expect(lobbyKnockVerdict({ lobby: lobbyObservation({ knocked: true, hostSawKnock: false, admitted: true }) }).status).toBe('FAIL');
    // The guest's client never showed it was in the lobby room, whatever the host saw.
    expect(lobbyKnockVerdict({ lobby: lobbyObservation({ knocked: false, hostSawKnock: true, admitted: true }) }).status).toBe('FAIL');
  });

  it('skips with the call run\'s reason when the call did not reach the lobby', () => {
    const secure = 'on a secure-auth deployment a guest waits for a host: pass --host-credentials FILE, or --aws with --stack to read the host account from SSM';
    expect(lobbyKnockVerdict({ skipped: secure })).toEqual({ status: 'SKIP', detail: secure });
    expect(lobbyKnockVerdict({})).toEqual({ status: 'SKIP', detail: 'the call test did not reach the lobby' });
  });

  it('fails a site where the host cannot start a meeting: that is no reason to skip', () => {
    const noMeeting = 'the host did not join the conference within 20 s: meetings cannot start (is jicofo running and the host\'s login right?)';
    expect(lobbyKnockVerdict({ failed: noMeeting })).toEqual({ status: 'FAIL', detail: noMeeting });
    expect(mediaUdpVerdict({ failed: noMeeting })).toEqual({ status: 'FAIL', detail: noMeeting });
    // Reading the host account from SSM failed: the check cannot vouch for the lobby.
    const ssm = 'cannot read the host account\'s password from SSM parameter /jitsi-eu/prod/host-password in eu-central-1: AccessDeniedException';
    expect(lobbyKnockVerdict({ failed: ssm }).status).toBe('FAIL');
  });

  it('skips a stack without a lobby before any browser starts', async () => {
    expect(lobbyPrecondition({ lobby: false })).toEqual({ status: 'SKIP', detail: 'the stack has no lobby (jitsi-eu:lobby false)' });
    expect(lobbyPrecondition({ lobby: true })).toBeUndefined();
    // The check itself answers from the spec alone: a context without a browser is never touched.
    const check = BROWSER_CHECKS.find((c) => c.id === 'browser-lobby-knock')!;
    const noBrowser = { spec: makeSpec({ auth: 'anonymous', lobby: false }) } as unknown as VerifyContext;
    expect(await check.run(noBrowser)).toEqual({ status: 'SKIP', detail: 'the stack has no lobby (jitsi-eu:lobby false)' });
  });
});

describe('browser-prejoin-muted', () => {
  /** A track as the page's getUserMedia returned it, read at the pre-join screen. */
  const track = (kind: 'audio' | 'video', readyState: 'live' | 'ended', enabled = true) => ({
    kind,
    enabled,
    readyState,
    label: kind === 'audio' ? 'Fake Default Audio Input' : 'fake_device_0',
  });
  const muted = { audio: true, video: true };

  it('passes the pre-join screen with microphone and camera muted, and no device still capturing', () => {
    expect(prejoinMutedVerdict({ prejoinShown: true, muted, tracks: [] })).toEqual({
      status: 'PASS',
      detail: 'pre-join screen with microphone and camera muted; no device captured',
    });
    // The pinned app opens the microphone for its level meter, then stops it for a muted entry.
    expect(prejoinMutedVerdict({ prejoinShown: true, muted, tracks: [track('audio', 'ended')] })).toEqual({
      status: 'PASS',
      detail: 'pre-join screen with microphone and camera muted; 1 captured track(s), none live',
    });
    // A microphone muted by lib-jitsi-meet (enabled false) captures nothing the page can use.
    expect(prejoinMutedVerdict({ prejoinShown: true, muted, tracks: [track('audio', 'live', false)] }).status).toBe('PASS');
  });

  it('fails a participant who arrives unmuted, or without the pre-join screen', () => {
    expect(prejoinMutedVerdict({ prejoinShown: true, muted: { audio: false, video: true }, tracks: [] })).toEqual({ status: 'FAIL', detail: 'microphone on at entry in the app' });
    expect(prejoinMutedVerdict({ prejoinShown: true, muted: { audio: true, video: false }, tracks: [] })).toEqual({ status: 'FAIL', detail: 'camera on at entry in the app' });
    expect(prejoinMutedVerdict({ prejoinShown: false, muted: { audio: false, video: false }, tracks: [] })).toEqual({
      status: 'FAIL',
      detail: 'no pre-join screen; microphone on at entry in the app; camera on at entry in the app',
    });
  });

  it('fails a live microphone or camera at pre-join, whatever the app says its state is', () => {
    expect(prejoinMutedVerdict({ prejoinShown: true, muted, tracks: [track('audio', 'live')] })).toEqual({
      status: 'FAIL',
      detail: 'a live microphone track from getUserMedia (Fake Default Audio Input)',
    });
    expect(prejoinMutedVerdict({ prejoinShown: true, muted, tracks: [track('audio', 'ended'), track('video', 'live')] })).toEqual({
      status: 'FAIL',
      detail: 'a live camera track from getUserMedia (fake_device_0)',
    });
  });

  it('fails a page that is not the Jitsi Meet app, naming any device it captures', () => {
    expect(prejoinMutedVerdict({ prejoinShown: false, tracks: [] })).toEqual({ status: 'FAIL', detail: 'the page is not the Jitsi Meet app (no APP.store state)' });
    expect(prejoinMutedVerdict({ prejoinShown: false, tracks: [track('audio', 'live')] }).detail).toBe(
      'the page is not the Jitsi Meet app (no APP.store state); a live microphone track from getUserMedia (Fake Default Audio Input)',
    );
  });
});

describe('browser-ice-servers', () => {
  const app = { isApp: true, joined: true };

  it('passes own servers and fails third-party ones', () => {
    expect(iceServersVerdict({ foreign: [], all: ['stun:meet.example.org:3478'], guest: app })).toEqual({ status: 'PASS', detail: 'only stun:meet.example.org:3478' });
    expect(iceServersVerdict({ foreign: ['stun:stun.l.google.com:19302'], all: ['stun:stun.l.google.com:19302'], guest: app }).status).toBe('FAIL');
  });

  it('says why no RTCPeerConnection was created: no conference started, not a missing login', () => {
    const noJicofo = 'the host did not join the conference within 20 s: meetings cannot start (is jicofo running and the host\'s login right?)';
    expect(iceServersVerdict({ foreign: [], all: [], guest: { isApp: true, joined: false }, call: { failed: noJicofo } })).toEqual({
      status: 'SKIP',
      detail: `no RTCPeerConnection was created: no conference started: ${noJicofo}`,
    });
    const waits = 'on a secure-auth deployment a guest waits for a host: pass --host-credentials FILE, or --aws with --stack to read the host account from SSM';
    expect(iceServersVerdict({ foreign: [], all: [], guest: { isApp: true, joined: false }, call: { skipped: waits } }).detail).toBe(
      `no RTCPeerConnection was created: no conference started: the guest was not in a conference after pressing Join, and ${waits}`,
    );
    expect(iceServersVerdict({ foreign: [], all: [], guest: { isApp: false, joined: false } }).detail).toBe('no RTCPeerConnection was created: the page is not the Jitsi Meet app');
  });
});
