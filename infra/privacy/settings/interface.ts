// The web client's interface_config.js part of the privacy profile: links that would lead
// participants to other organisations' sites, and what the welcome page remembers. Keys are
// `interfaceConfig` property names at the pinned release.
import type { DeploymentSpec } from '../../spec/types.ts';
import type { JsonValue, PrivacyCategory, PrivacySetting } from '../types.ts';
import { PRIVACY_NOTICE_ANCHORS, PRIVACY_NOTICE_URL_PATH } from '../../render/paths.ts';

function pinned(id: string, key: string, value: JsonValue, category: PrivacyCategory, reason: string, upstreamDefault: string): PrivacySetting {
  return { id, component: 'interface-config', key, value, category, reason, upstreamDefault };
}

export function interfaceSettings(spec: DeploymentSpec): PrivacySetting[] {
  const origin = `https://${spec.domain}`;
  return [
    pinned('interface-recent-list-enabled', 'RECENT_LIST_ENABLED', false, 'data-minimisation',
      'The welcome page shows no list of meetings this browser has been in.', 'true'),
    pinned('interface-join-leave-notifications', 'DISABLE_JOIN_LEAVE_NOTIFICATIONS', false, 'lobby',
      'Everyone is told when someone joins or leaves, so nobody listens in unnoticed.', 'false'),
    pinned('interface-watermark-link', 'JITSI_WATERMARK_LINK', `${origin}/`, 'no-third-party',
      'The logo in the corner links back to this deployment, not to another site.', 'the Jitsi project\'s home page'),
    pinned('interface-support-url', 'SUPPORT_URL', `${origin}${PRIVACY_NOTICE_URL_PATH}#${PRIVACY_NOTICE_ANCHORS.help}`, 'no-third-party',
      'Error dialogs point to this deployment\'s own help section.', 'the Jitsi community forum'),
    pinned('interface-show-chrome-extension-banner', 'SHOW_CHROME_EXTENSION_BANNER', false, 'no-third-party',
      'No banner sends people to a browser vendor\'s extension store.', 'false'),
    // Left at the upstream value on purpose: with deep linking off (deeplinking.disabled) it has
    // no effect, and false on its own would tell phone users the meeting is unavailable.
    pinned('interface-mobile-app-promo', 'MOBILE_APP_PROMO', true, 'no-third-party',
      'Kept as upstream: app-store promotion is stopped by turning deep linking off, and false here would lock phone browsers out.', 'true'),
  ];
}
