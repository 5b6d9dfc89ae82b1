// The privacy profile for one deployment: every setting with its resolved value, the keys that
// must never appear, and the third-party hosts they keep out.
import type { DeploymentSpec } from '../spec/types.ts';
import type { PrivacyProfile, PrivacySetting } from './types.ts';
import { PINNED_JITSI_RELEASE } from './upstream.ts';
import { webSettings } from './settings/web.ts';
import { interfaceSettings } from './settings/interface.ts';
import { prosodySettings } from './settings/prosody.ts';
import { jicofoSettings } from './settings/jicofo.ts';
import { jvbSettings } from './settings/jvb.ts';
import { nginxSettings } from './settings/nginx.ts';
import { coturnSettings } from './settings/coturn.ts';
import { osSettings } from './settings/os.ts';
import { FORBIDDEN_KEYS } from './forbidden.ts';
import { THIRD_PARTY_HOSTS } from './third-party-hosts.ts';

export function privacySettings(spec: DeploymentSpec): PrivacySetting[] {
  return [
    ...webSettings(spec),
    ...interfaceSettings(spec),
    ...prosodySettings(spec),
    ...jicofoSettings(spec),
    ...jvbSettings(spec),
    ...nginxSettings(spec),
    ...coturnSettings(spec),
    ...osSettings(spec),
  ];
}

export function privacyProfile(spec: DeploymentSpec): PrivacyProfile {
  return {
    checkedAgainst: PINNED_JITSI_RELEASE,
    settings: privacySettings(spec),
    forbidden: FORBIDDEN_KEYS,
    thirdPartyHosts: THIRD_PARTY_HOSTS,
  };
}
