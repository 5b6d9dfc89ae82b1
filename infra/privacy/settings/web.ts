// The web client's part of the privacy profile: every config.js option jitsi-eu pins, with the
// value a participant's browser receives. Keys are dotted paths inside `config` at the pinned
// release (checked against infra/privacy/upstream-web-keys.ts by the tests).
//
// Muted entry: at the pinned release the app ranks URL parameters over the visitor's stored
// settings over config.js, and the stored settings always hold startWithAudioMuted and
// startWithVideoMuted (false by default; the pre-join screen saves the last choice). The config.js
// keys alone therefore mute nobody. The template also writes the two web-start-with-* values into
// the stored settings on every visit (or into the URL fragment where the page has no storage);
// `verify --browser` checks the result in a real browser, down to the captured tracks.
//
// Deliberately not pinned here:
// - disableInitialGUM: with muted entry the app opens no camera and stops the microphone it
//   opens for its level meter at once (conference.js, handleInitialTracks); turning device access
//   off as well would leave the pre-join screen without its device check.
// - a start-muted policy in jicofo: at the pinned release the room-wide policy is applied by
//   lib-jitsi-meet in each client once it joins (the startAudioMuted / startVideoMuted threshold
//   below, or a moderator's choice carried in the room's metadata), never at the pre-join screen,
//   and it only mutes. It stays as a second line for clients that ignore config.js.
// - securityUi.hideLobbyButton: the lobby is switched on for every room by the server; moderators
//   keep the button so they can decide for their own meeting.
// - giphy.*: off upstream and useless without the vendor's key; the whole block is a forbidden key
//   (infra/privacy/forbidden.ts), and disableThirdPartyRequests blocks it as well.
import type { DeploymentSpec } from '../../spec/types.ts';
import type { JsonValue, PrivacyCategory, PrivacySetting } from '../types.ts';
import { jitsiHosts } from '../../render/hosts.ts';
import { PRIVACY_NOTICE_ANCHORS, PRIVACY_NOTICE_URL_PATH } from '../../render/paths.ts';
import { PORTS } from '../../ports.ts';

/** Path nginx proxies to Prosody's BOSH endpoint (the Debian and docker layout). */
export const BOSH_URL_PATH = '/http-bind';
/** Path nginx proxies to Prosody's XMPP-over-WebSocket endpoint. */
export const XMPP_WEBSOCKET_URL_PATH = '/xmpp-websocket';

function pinned(id: string, key: string, value: JsonValue, category: PrivacyCategory, reason: string, upstreamDefault: string): PrivacySetting {
  return { id, component: 'web-config', key, value, category, reason, upstreamDefault };
}

/** Auth modes where the main XMPP domain needs a login, so guests use the guest domain. */
function hasGuestDomain(spec: Pick<DeploymentSpec, 'auth'>): boolean {
  return spec.auth === 'secure' || spec.auth === 'jwt';
}

/**
 * STUN for 1:1 peer-to-peer calls: only the deployment's own coturn, never a public server. An
 * empty list (P2P off, or no coturn to point at) keeps browsers from using any STUN server.
 */
export function p2pStunServers(spec: Pick<DeploymentSpec, 'domain' | 'p2p' | 'turn'>): { urls: string }[] {
  return spec.p2p && spec.turn ? [{ urls: `stun:${spec.domain}:${PORTS.turn}` }] : [];
}

export function webSettings(spec: DeploymentSpec): PrivacySetting[] {
  const hosts = jitsiHosts(spec);
  const origin = `https://${spec.domain}`;
  const notice = `${origin}${PRIVACY_NOTICE_URL_PATH}`;

  const connection: PrivacySetting[] = [
    pinned('web-hosts-domain', 'hosts.domain', hosts.domain, 'no-third-party',
      'Participants sign in to the deployment\'s own XMPP server and no other.', 'a placeholder domain the installer replaces'),
    pinned('web-hosts-muc', 'hosts.muc', hosts.muc, 'no-third-party',
      'Meeting rooms live on the deployment\'s own conference component.', 'a placeholder conference domain the installer replaces'),
    ...(hasGuestDomain(spec)
      ? [pinned('web-hosts-anonymous-domain', 'hosts.anonymousdomain', hosts.guest, 'lobby',
          'People without an account join as guests on a separate domain, so they can be told apart and held in the lobby.', 'unset (guest domain off)')]
      : []),
    pinned('web-xmpp-bosh', 'bosh', `${origin}${BOSH_URL_PATH}`, 'no-third-party',
      'Signalling fallback goes to the deployment\'s own host over HTTPS.', 'a placeholder BOSH address the installer replaces'),
    pinned('web-xmpp-websocket', 'websocket', `wss://${spec.domain}${XMPP_WEBSOCKET_URL_PATH}`, 'no-third-party',
      'Signalling goes to the deployment\'s own host over an encrypted WebSocket.', 'unset (BOSH only)'),
  ];

  const mutedEntry: PrivacySetting[] = [
    pinned('web-start-with-audio-muted', 'startWithAudioMuted', true, 'muted-entry',
      'Each participant joins with the microphone off and unmutes on purpose.', 'false'),
    pinned('web-start-with-video-muted', 'startWithVideoMuted', true, 'muted-entry',
      'Each participant joins with the camera off and turns it on on purpose.', 'false'),
    pinned('web-start-audio-muted', 'startAudioMuted', 0, 'muted-entry',
      'Conference policy: every participant from the first on is asked to start with audio muted.', 'unset (no conference-wide policy)'),
    pinned('web-start-video-muted', 'startVideoMuted', 0, 'muted-entry',
      'Conference policy: every participant from the first on is asked to start with video muted.', 'unset (no conference-wide policy)'),
    pinned('web-prejoin-enabled', 'prejoinConfig.enabled', true, 'muted-entry',
      'A pre-join screen lets people check devices and name before anyone can see or hear them.', 'true'),
  ];

  // Join and leave cues are what tell a room that someone new is listening; these keys are the
  // ones that could silence them, so they are written out with the values that keep them on.
  // (The older switch for join and leave sounds is deprecated upstream: disabledSounds covers them.)
  const announcements: PrivacySetting[] = [
    pinned('web-disabled-sounds', 'disabledSounds', [], 'lobby',
      'No sound is silenced: join, leave and lobby-knock sounds all play.', '[]'),
    pinned('web-disabled-notifications', 'disabledNotifications', [], 'lobby',
      'No notification is hidden: everyone sees who joined, left or is waiting in the lobby.', '[]'),
    pinned('web-lobby-auto-knock', 'lobby.autoKnock', true, 'lobby',
      'Guests reaching a room with a lobby ask to be let in at once instead of waiting unseen.', 'false'),
  ];

  const telemetry: PrivacySetting[] = [
    pinned('web-analytics-disabled', 'analytics.disabled', true, 'no-telemetry',
      'No analytics handler is loaded in any participant\'s browser.', 'false'),
    pinned('web-analytics-rtcstats-enabled', 'analytics.rtcstatsEnabled', false, 'no-telemetry',
      'Browsers do not stream call statistics, logs or session descriptions (which hold IP addresses) to a stats server.', 'false'),
    pinned('web-analytics-watchrtc-enabled', 'analytics.watchRTCEnabled', false, 'no-telemetry',
      'No call-quality monitoring service receives data from participants.', 'false'),
    pinned('web-display-name-in-stats', 'enableDisplayNameInStats', false, 'no-telemetry',
      'Statistics never carry a participant\'s display name.', 'false'),
    pinned('web-email-in-stats', 'enableEmailInStats', false, 'no-telemetry',
      'Statistics never carry a participant\'s e-mail address.', 'false'),
    pinned('web-face-landmarks-rtcstats', 'faceLandmarks.enableRTCStats', false, 'no-telemetry',
      'No face-expression data is added to call statistics.', 'false'),
  ];

  const attention: PrivacySetting[] = [
    pinned('web-face-centering', 'faceLandmarks.enableFaceCentering', false, 'data-minimisation',
      'Video frames are not analysed to track where a face is.', 'false'),
    pinned('web-face-expressions-detection', 'faceLandmarks.enableFaceExpressionsDetection', false, 'data-minimisation',
      'No facial-expression detection runs on anyone\'s camera.', 'false'),
    pinned('web-display-face-expressions', 'faceLandmarks.enableDisplayFaceExpressions', false, 'data-minimisation',
      'Nobody is shown other participants\' detected expressions.', 'false'),
    pinned('web-speaker-stats-disabled', 'speakerStats.disabled', true, 'data-minimisation',
      'No table of how long each person spoke is kept or shown: a meeting does not need a record of who talked how much.', 'false'),
  ];

  const thirdParty: PrivacySetting[] = [
    pinned('web-disable-third-party-requests', 'disableThirdPartyRequests', true, 'no-third-party',
      'Master switch: no avatar services, shared videos, GIF search or analytics scripts from other sites.', 'false'),
    pinned('web-gravatar-disabled', 'gravatar.disabled', true, 'no-third-party',
      'No browser asks an avatar service for a hash of a participant\'s e-mail address.', 'false'),
    pinned('web-hide-email-in-settings', 'hideEmailInSettings', true, 'data-minimisation',
      'Participants are not asked for an e-mail address, which would be shown to everyone in the room.', 'false'),
    pinned('web-whiteboard-enabled', 'whiteboard.enabled', false, 'no-third-party',
      'The whiteboard stays off: it needs a collaboration server outside this deployment.', 'false (no collaboration server configured)'),
    pinned('web-shared-video-allowed-domains', 'sharedVideoAllowedURLDomains', [], 'no-third-party',
      'No extra video sites may be embedded; with third-party requests off, video sharing is off altogether.', 'unset (one public video site always allowed)'),
    pinned('web-deeplinking-disabled', 'deeplinking.disabled', true, 'no-third-party',
      'Phones and desktops open meetings in the browser instead of being sent to app stores.', 'false'),
    pinned('web-calendar-integration', 'enableCalendarIntegration', false, 'no-third-party',
      'No calendar provider\'s scripts or sign-in pages load in the browser.', 'false'),
    pinned('web-p2p-stun-servers', 'p2p.stunServers', p2pStunServers(spec), 'no-third-party',
      spec.p2p
        ? 'Peer-to-peer calls use only the deployment\'s own STUN server, so no outside server learns participants\' addresses.'
        : 'Peer-to-peer is off, so no STUN server is listed at all.',
      'a public STUN server run by the Jitsi project'),
    pinned('web-legal-urls-privacy', 'legalUrls.privacy', notice, 'no-third-party',
      'The privacy link shows this deployment\'s own notice, not another organisation\'s policy.', 'the Jitsi project\'s privacy page'),
    pinned('web-legal-urls-terms', 'legalUrls.terms', `${notice}#${PRIVACY_NOTICE_ANCHORS.terms}`, 'no-third-party',
      'The terms link stays on the deployment\'s own site.', 'the Jitsi project\'s terms page'),
    pinned('web-legal-urls-help-centre', 'legalUrls.helpCentre', `${notice}#${PRIVACY_NOTICE_ANCHORS.help}`, 'no-third-party',
      'The help link stays on the deployment\'s own site.', 'the Jitsi project\'s FAQ page'),
    pinned('web-legal-urls-security', 'legalUrls.security', notice, 'no-third-party',
      'The link in the insecure-room-name warning stays on the deployment\'s own site.', 'the Jitsi project\'s security page'),
  ];

  const minimisation: PrivacySetting[] = [
    pinned('web-p2p-enabled', 'p2p.enabled', spec.p2p, 'data-minimisation',
      spec.p2p
        ? 'Peer-to-peer 1:1 calls are on for this deployment: the two participants learn each other\'s IP address.'
        : 'All media goes through the deployment\'s own videobridge, so participants never learn each other\'s IP address.',
      'true'),
    pinned('web-do-not-store-room', 'doNotStoreRoom', true, 'data-minimisation',
      'Room names are not kept in the browser\'s list of recent meetings.', 'false'),
    pinned('web-disable-show-more-stats', 'disableShowMoreStats', true, 'data-minimisation',
      'The connection details table with IP addresses and ports is not offered.', 'false'),
    pinned('web-connection-indicator-details', 'connectionIndicators.disableDetails', true, 'data-minimisation',
      'Connection indicators show quality only, not the remote address behind it.', 'false'),
    pinned('web-recording-service-enabled', 'recordingService.enabled', false, 'data-minimisation',
      'No server-side recording is offered: no recording service is deployed.', 'false'),
    pinned('web-local-recording-disabled', 'localRecording.disable', true, 'data-minimisation',
      'Participants cannot record the meeting in their browser without the others\' knowledge.', 'false'),
    pinned('web-live-streaming-enabled', 'liveStreaming.enabled', false, 'no-third-party',
      'No live streaming to outside platforms is offered.', 'false'),
    pinned('web-transcription-enabled', 'transcription.enabled', false, 'data-minimisation',
      'No speech is sent for transcription.', 'false'),
  ];

  return [...connection, ...mutedEntry, ...announcements, ...telemetry, ...attention, ...thirdParty, ...minimisation];
}
