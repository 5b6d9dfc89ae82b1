// Hosts that a stock Jitsi install, or its participants' browsers, would contact, and what in the
// profile keeps each one out. `stoppedBy` names profile setting ids or forbidden keys (by key).
// A host written `*.name` stands for every subdomain of `name`.
//
// Not listed: 169.254.169.254 (the videobridge's cloud-metadata probe) is the instance's own
// metadata service on AWS, which the boot script reads on purpose; the probe itself is off
// (`jvb-aws-harvester`). Hosts that depend entirely on what an operator would type in (a
// self-hosted analytics server, an avatar URL in a token, an etherpad) have no fixed name; their
// options are forbidden keys instead.
import type { ThirdPartyHost } from './types.ts';

export const THIRD_PARTY_HOSTS: ThirdPartyHost[] = [
  // Contacted with no feature switched on.
  {
    host: 'meet-jit-si-turnrelay.jitsi.net',
    who: 'server',
    when: 'The videobridge asks this public STUN server for its own public address at start-up (Debian package default).',
    stoppedBy: ['jvb-stun-mapping-addresses'],
  },
  {
    host: 'meet-jit-si-turnrelay.jitsi.net',
    who: 'browser',
    when: 'Browsers in a 1:1 peer-to-peer call use it as their STUN server unless config.js or Prosody names another.',
    stoppedBy: ['web-p2p-stun-servers', 'prosody-external-services'],
  },
  {
    host: 'conference-mapper.jitsi.net',
    who: 'browser',
    when: 'Browsers fetch dial-in numbers and PINs from it when the installer\'s JaaS question was answered yes.',
    stoppedBy: ['enableJaaS', 'dialInNumbersUrl', 'dialInConfCodeUrl'],
  },
  // Contacted when a participant does something the stock configuration allows.
  {
    host: 'www.gravatar.com',
    who: 'browser',
    when: 'Every browser in the room loads an avatar for each participant who gave an e-mail address.',
    stoppedBy: ['web-gravatar-disabled', 'web-disable-third-party-requests', 'web-hide-email-in-settings', 'nginx-csp'],
  },
  {
    host: 'www.youtube.com',
    who: 'browser',
    when: 'Every browser in the room loads the video player when someone shares a video.',
    stoppedBy: ['web-disable-third-party-requests', 'web-shared-video-allowed-domains', 'nginx-csp'],
  },
  {
    host: 'img.youtube.com',
    who: 'browser',
    when: 'Thumbnails of a shared video.',
    stoppedBy: ['web-disable-third-party-requests', 'web-shared-video-allowed-domains', 'nginx-csp'],
  },
  {
    host: 'itunes.apple.com',
    who: 'browser',
    when: 'Phone browsers are sent to the app store page instead of joining on the web.',
    stoppedBy: ['web-deeplinking-disabled'],
  },
  {
    host: 'play.google.com',
    who: 'browser',
    when: 'Phone browsers are sent to the app store page instead of joining on the web.',
    stoppedBy: ['web-deeplinking-disabled'],
  },
  {
    host: 'f-droid.org',
    who: 'browser',
    when: 'Phone browsers are offered the free-software app store page instead of joining on the web.',
    stoppedBy: ['web-deeplinking-disabled'],
  },
  {
    host: 'github.com',
    who: 'browser',
    when: 'Desktop browsers are offered the desktop app download when desktop deep linking is on.',
    stoppedBy: ['web-deeplinking-disabled'],
  },
  {
    host: 'jitsi.org',
    who: 'browser',
    when: 'Links (followed on click): the watermark, the default privacy, terms and security pages.',
    stoppedBy: ['interface-watermark-link', 'web-legal-urls-privacy', 'web-legal-urls-terms', 'web-legal-urls-security', 'nginx-referrer-policy'],
  },
  {
    host: 'web-cdn.jitsi.net',
    who: 'browser',
    when: 'Link (followed on click): the default help centre.',
    stoppedBy: ['web-legal-urls-help-centre', 'nginx-referrer-policy'],
  },
  {
    host: 'community.jitsi.org',
    who: 'browser',
    when: 'Link (followed on click): the support link in error dialogs.',
    stoppedBy: ['interface-support-url', 'nginx-referrer-policy'],
  },
  // Contacted only when an operator configures a feature.
  {
    host: 'api2.amplitude.com',
    who: 'browser',
    when: 'Usage events from every browser, once a product-analytics key is configured.',
    stoppedBy: ['web-analytics-disabled', 'analytics.amplitudeAPPKey', 'nginx-csp'],
  },
  {
    host: 'rtcstats-server-pilot.jitsi.net',
    who: 'browser',
    when: 'Call statistics, logs and session descriptions, once rtcstats is switched on with this endpoint.',
    stoppedBy: ['web-analytics-rtcstats-enabled', 'analytics.rtcstatsEndpoint', 'nginx-csp'],
  },
  {
    host: 'i.giphy.com',
    who: 'browser',
    when: 'GIF images shown in chat and on tiles, once the GIF feature and its key are configured.',
    stoppedBy: ['giphy', 'web-disable-third-party-requests', 'nginx-csp'],
  },
  {
    host: 'api.giphy.com',
    who: 'browser',
    when: 'GIF search requests carrying what participants type.',
    stoppedBy: ['giphy', 'web-disable-third-party-requests', 'nginx-csp'],
  },
  {
    host: '*.cloudflare.jitsi.net',
    who: 'browser',
    when: 'Whiteboard synchronisation through the hosted collaboration backend.',
    stoppedBy: ['web-whiteboard-enabled', 'whiteboard.collabServerBaseUrl'],
  },
  {
    host: 'www.dropbox.com',
    who: 'browser',
    when: 'Sign-in for saving recordings to cloud storage, once an app key is configured.',
    stoppedBy: ['dropbox'],
  },
  {
    host: 'api.dropboxapi.com',
    who: 'browser',
    when: 'Recording uploads to cloud storage.',
    stoppedBy: ['dropbox'],
  },
  {
    host: 'apis.google.com',
    who: 'browser',
    when: 'Calendar integration loads the provider\'s script library.',
    stoppedBy: ['web-calendar-integration', 'googleApiApplicationClientID', 'nginx-csp'],
  },
  {
    host: 'accounts.google.com',
    who: 'browser',
    when: 'Calendar integration sign-in.',
    stoppedBy: ['web-calendar-integration', 'googleApiApplicationClientID'],
  },
  {
    host: 'www.googleapis.com',
    who: 'browser',
    when: 'Calendar and stream-key lookups.',
    stoppedBy: ['web-calendar-integration', 'googleApiApplicationClientID', 'nginx-csp'],
  },
  {
    host: 'login.microsoftonline.com',
    who: 'browser',
    when: 'Calendar integration sign-in with a work or school account.',
    stoppedBy: ['web-calendar-integration', 'microsoftApiApplicationClientID'],
  },
  {
    host: 'a.rtmp.youtube.com',
    who: 'server',
    when: 'A recorder would stream the meeting to this video platform\'s ingest server when live streaming is used.',
    stoppedBy: ['web-live-streaming-enabled'],
  },
  {
    host: 'chromewebstore.google.com',
    who: 'browser',
    when: 'Link (followed on click): the extension banner.',
    stoppedBy: ['interface-show-chrome-extension-banner', 'chromeExtensionBanner'],
  },
  {
    host: 'microsoftedge.microsoft.com',
    who: 'browser',
    when: 'Link (followed on click): the extension banner for another browser.',
    stoppedBy: ['interface-show-chrome-extension-banner', 'chromeExtensionBanner'],
  },
];
