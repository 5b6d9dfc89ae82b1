// What the packaged interface_config.js sets at the pinned release: every key it assigns and the
// value it assigns (keys it only mentions in comments are not set, so they are not listed). The
// site serves its own interface_config.js instead of the packaged one, so the rendered file starts
// from these values and changes only what the project decides; a key missing here would be
// undefined in the browser.
//
// Provenance (jitsi/jitsi-meet, read through the public code index): the file as stored at
// 5ac4abb0b5103d7ca133f59bab8d77d8081fee95, brought to the state at 6549d472 (2025-12-19, the
// 10710 cycle) with the changes the project's notes record for that commit: the deep-linking keys
// (HIDE_DEEP_LINKING_LOGO, MOBILE_DOWNLOAD_LINK_*, NATIVE_APP_NAME) moved to the deprecated part
// (see DEPRECATED_INTERFACE_CONFIG_KEYS); DISABLE_RINGING, ENABLE_FEEDBACK_ANIMATION and
// SHOW_DEEP_LINKING_IMAGE no longer set (the line numbers recorded at 6549d472 for
// JITSI_WATERMARK_LINK, MOBILE_APP_PROMO, RECENT_LIST_ENABLED, SHOW_CHROME_EXTENSION_BANNER and
// SUPPORT_URL leave no room for them); the browser lists name WebKit instead of NW.js.
import type { JsonValue } from './types.ts';
import { PINNED_JITSI_RELEASE } from './upstream.ts';

export const UPSTREAM_INTERFACE_DEFAULTS_CHECKED = {
  release: PINNED_JITSI_RELEASE,
  repository: 'jitsi/jitsi-meet',
  path: 'interface_config.js',
  readAt: '5ac4abb0b5103d7ca133f59bab8d77d8081fee95',
  reconciledWith: '6549d47233326f5755b32c77b8e8801838021a0a',
} as const;

/** Key → value of the packaged interface_config.js at the pinned release, in upstream's order. */
export const UPSTREAM_INTERFACE_DEFAULTS: Readonly<Record<string, JsonValue>> = Object.freeze({
  APP_NAME: 'Jitsi Meet',
  AUDIO_LEVEL_PRIMARY_COLOR: 'rgba(255,255,255,0.4)',
  AUDIO_LEVEL_SECONDARY_COLOR: 'rgba(255,255,255,0.2)',
  AUTO_PIN_LATEST_SCREEN_SHARE: 'remote-only',
  BRAND_WATERMARK_LINK: '',
  CLOSE_PAGE_GUEST_HINT: false,
  DEFAULT_BACKGROUND: '#040404',
  DEFAULT_WELCOME_PAGE_LOGO_URL: 'images/watermark.svg',
  DISABLE_DOMINANT_SPEAKER_INDICATOR: false,
  DISABLE_JOIN_LEAVE_NOTIFICATIONS: false,
  DISABLE_PRESENCE_STATUS: false,
  DISABLE_TRANSCRIPTION_SUBTITLES: false,
  DISABLE_VIDEO_BACKGROUND: false,
  DISPLAY_WELCOME_FOOTER: true,
  DISPLAY_WELCOME_PAGE_ADDITIONAL_CARD: false,
  DISPLAY_WELCOME_PAGE_CONTENT: false,
  DISPLAY_WELCOME_PAGE_TOOLBAR_ADDITIONAL_CONTENT: false,
  ENABLE_DIAL_OUT: true,
  FILM_STRIP_MAX_HEIGHT: 120,
  GENERATE_ROOMNAMES_ON_WELCOME_PAGE: true,
  HIDE_INVITE_MORE_HEADER: false,
  JITSI_WATERMARK_LINK: 'https://jitsi.org',
  LANG_DETECTION: true,
  // Written upstream as the expression 16 / 9.
  LOCAL_THUMBNAIL_RATIO: 16 / 9,
  MAXIMUM_ZOOMING_COEFFICIENT: 1.3,
  MOBILE_APP_PROMO: true,
  OPTIMAL_BROWSERS: ['chrome', 'chromium', 'firefox', 'electron', 'safari', 'webkit'],
  POLICY_LOGO: null,
  PROVIDER_NAME: 'Jitsi',
  RECENT_LIST_ENABLED: true,
  REMOTE_THUMBNAIL_RATIO: 1,
  SETTINGS_SECTIONS: ['devices', 'language', 'moderator', 'profile', 'calendar', 'sounds', 'more'],
  SHOW_BRAND_WATERMARK: false,
  SHOW_CHROME_EXTENSION_BANNER: false,
  SHOW_JITSI_WATERMARK: true,
  SHOW_POWERED_BY: false,
  SHOW_PROMOTIONAL_CLOSE_PAGE: false,
  SUPPORT_URL: 'https://community.jitsi.org/',
  UNSUPPORTED_BROWSERS: [],
  VERTICAL_FILMSTRIP: true,
  VIDEO_LAYOUT_FIT: 'both',
  VIDEO_QUALITY_LABEL_DISABLED: false,
  // Upstream ends the object with a dummy key (makeJsonParserHappy) that only lets the literal end
  // in a comma; the app never reads it, so it is not a default.
});
