// Options that must never appear in rendered or served configuration: names upstream removed or
// renamed (a file still carrying them targets an older Jitsi and silently loses the setting), and
// options that hand meeting data, or participants' browsers, to another organisation.
// Web keys are dotted paths inside `config` / `interfaceConfig`; `enableJaaS` is the global
// variable the stock config.js declares next to `config`.
import type { ForbiddenKey } from './types.ts';

function webConfig(key: string, reason: string): ForbiddenKey {
  return { component: 'web-config', key, reason };
}

function interfaceConfig(key: string, reason: string): ForbiddenKey {
  return { component: 'interface-config', key, reason };
}

const REMOVED_OR_RENAMED: ForbiddenKey[] = [
  webConfig('prejoinPageEnabled', 'Removed upstream in 2025; the pre-join screen is prejoinConfig.enabled.'),
  webConfig('disableDeepLinking', 'Legacy name; deep linking is switched off with deeplinking.disabled.'),
  webConfig('autoKnockLobby', 'Legacy name; lobby.autoKnock replaces it.'),
  webConfig('hideLobbyButton', 'Legacy name; securityUi.hideLobbyButton replaces it.'),
  webConfig('enableLobbyChat', 'Legacy name; lobby.enableChat replaces it.'),
  webConfig('liveStreamingEnabled', 'Legacy name; liveStreaming.enabled replaces it.'),
  webConfig('transcribingEnabled', 'Legacy name; transcription.enabled replaces it.'),
  webConfig('fileRecordingsEnabled', 'Legacy name; recordingService.enabled replaces it.'),
  webConfig('fileRecordingsServiceEnabled', 'Legacy name; recordingService.enabled replaces it.'),
  webConfig('fileRecordingsServiceSharingEnabled', 'Legacy name; recordingService.sharingEnabled replaces it.'),
  webConfig('disableSpeakerStatsSearch', 'Legacy name; speakerStats.disableSearch replaces it.'),
  webConfig('speakerStatsOrder', 'Legacy name; speakerStats.order replaces it.'),
  webConfig('callStatsID', 'The call-statistics vendor integration was removed upstream in 2023; its credentials send call data out.'),
  webConfig('callStatsSecret', 'The call-statistics vendor integration was removed upstream in 2023; never ship its secret.'),
  webConfig('callStatsConfigParams', 'The call-statistics vendor integration was removed upstream in 2023.'),
  webConfig('testing.callStatsThreshold', 'The call-statistics vendor integration was removed upstream in 2023.'),
  webConfig('analytics.googleAnalyticsTrackingId', 'That analytics integration was removed upstream in 2025; it tracked participants for an ad company.'),
  webConfig('disableJoinLeaveSounds', 'Deprecated upstream; join and leave sounds are silenced, or kept, through disabledSounds.'),
  webConfig('gravatarBaseURL', 'Legacy avatar-service address; avatars from e-mail hashes stay off (gravatar.disabled).'),
];

const THIRD_PARTY: ForbiddenKey[] = [
  webConfig('analytics.amplitudeAPPKey', 'Sends usage events from every browser to a product-analytics company.'),
  webConfig('analytics.matomoEndpoint', 'Loads a tracking script and sends page views to a web-analytics server.'),
  webConfig('analytics.matomoSiteID', 'Only used with a web-analytics server, which this deployment does not use.'),
  webConfig('analytics.scriptURLs', 'Loads arbitrary analytics scripts into every participant\'s browser.'),
  webConfig('analytics.rtcstatsEndpoint', 'Where browsers would stream call statistics, logs and IP-bearing session descriptions.'),
  webConfig('watchRTCConfigParams', 'Credentials for a commercial call-monitoring service.'),
  webConfig('gravatar.baseUrl', 'An avatar service receives a hash of each participant\'s e-mail address.'),
  webConfig('giphy', 'GIF search loads images and search results from the vendor\'s servers; off upstream and needs the vendor\'s key.'),
  webConfig('dropbox', 'Uploads recordings to a cloud-storage company and signs users in there.'),
  webConfig('enableJaaS', 'Makes browsers ask the Jitsi-as-a-Service conference mapper for dial-in numbers.'),
  webConfig('dialInNumbersUrl', 'Browsers fetch dial-in numbers from this address, usually the hosted conference mapper.'),
  webConfig('dialInConfCodeUrl', 'Browsers send the room name to this address to get a dial-in PIN.'),
  webConfig('whiteboard.collabServerBaseUrl', 'Whiteboard drawings are synchronised through this server, by default one outside the deployment.'),
  webConfig('etherpad_base', 'Shared notes would live on an outside document server.'),
  webConfig('googleApiApplicationClientID', 'Calendar and streaming integration loads a search company\'s scripts and sign-in pages.'),
  webConfig('microsoftApiApplicationClientID', 'Calendar integration signs users in with a software company\'s cloud.'),
  webConfig('dynamicBrandingUrl', 'Browsers fetch branding data, and every image it names, from another host.'),
  webConfig('brandingDataUrl', 'Browsers fetch branding data, and every image it names, from another host.'),
  webConfig('peopleSearchUrl', 'Invite search sends what participants type to an outside directory service.'),
  webConfig('inviteServiceUrl', 'Invitations go through an outside service that learns room names and invitees.'),
  webConfig('dialOutAuthUrl', 'Dial-out asks an outside service for permission, revealing room and number.'),
  webConfig('dialOutCodesUrl', 'Dial-out country codes come from an outside service.'),
  webConfig('dialOutRegionUrl', 'Dial-out region lookup goes to an outside service.'),
  webConfig('fileSharing.apiUrl', 'Files shared in a meeting would be uploaded to an outside service.'),
  webConfig('chromeExtensionBanner', 'Promotes a browser extension from a vendor\'s extension store.'),
  webConfig('salesforceUrl', 'Links meetings to a customer-relationship-management cloud.'),
];

const DEPRECATED_INTERFACE: ForbiddenKey[] = [
  interfaceConfig('MOBILE_DOWNLOAD_LINK_IOS', 'Deprecated; moved to config.deeplinking.ios.downloadLink, and it points at an app store.'),
  interfaceConfig('MOBILE_DOWNLOAD_LINK_ANDROID', 'Deprecated; moved to config.deeplinking.android.downloadLink, and it points at an app store.'),
  interfaceConfig('MOBILE_DOWNLOAD_LINK_F_DROID', 'Deprecated; moved to config.deeplinking.android.fDroidUrl, and it points at an app store.'),
  interfaceConfig('APP_SCHEME', 'Deprecated; moved to config.deeplinking.*.appScheme.'),
  interfaceConfig('NATIVE_APP_NAME', 'Deprecated; moved to config.deeplinking.*.appName.'),
  interfaceConfig('HIDE_DEEP_LINKING_LOGO', 'Deprecated; moved to config.deeplinking.hideLogo.'),
  interfaceConfig('ANDROID_APP_PACKAGE', 'Deprecated; moved to config.deeplinking.android.appPackage.'),
  interfaceConfig('MOBILE_DYNAMIC_LINK', 'Deprecated; app links through a search company\'s link service.'),
  interfaceConfig('LIVE_STREAMING_HELP_LINK', 'Deprecated; moved to config.liveStreaming.helpLink, and it points at the Jitsi project\'s site.'),
];

export const FORBIDDEN_KEYS: ForbiddenKey[] = [...REMOVED_OR_RENAMED, ...THIRD_PARTY, ...DEPRECATED_INTERFACE];
