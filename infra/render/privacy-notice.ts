// The privacy notice page (GDPR Art. 13), generated from the spec and the privacy profile so it
// always describes what this deployment really does. The engine does not escape, so every value
// is HTML-escaped here; the page links only to the controller's contact.
import { LOG_RETENTION_DAYS } from '../privacy/settings/os.ts';
import type { PrivacyCategory, PrivacyProfile } from '../privacy/types.ts';
import { regionInfo } from '../spec/regions.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import type { RenderInput } from './input.ts';
import { PRIVACY_NOTICE_FILE } from './paths.ts';
import type { BundleFile } from './types.ts';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The contact as a link: mailto for an e-mail address, the page itself for an https URL. */
function contactLink(contact: string): string {
  const href = contact.includes('@') && !contact.startsWith('https://') ? `mailto:${contact}` : contact;
  return `<a href="${escapeHtml(href)}">${escapeHtml(contact)}</a>`;
}

// Plain-language summary of each profile category, in the order the page shows them.
function categorySummary(category: PrivacyCategory, spec: DeploymentSpec, retentionDays: number): { title: string; summary: string } {
  switch (category) {
    case 'muted-entry':
      return { title: 'You join muted', summary: 'Microphone and camera are off when you enter, after a screen where you check your devices and choose a name.' };
    case 'lobby':
      return spec.lobby
        ? { title: 'Nobody enters unannounced', summary: 'Every new room starts with a lobby: guests knock and a host lets them in.' }
        : { title: 'Lobby on request', summary: 'Rooms open without a lobby; a host can switch one on during the meeting.' };
    case 'no-telemetry':
      return { title: 'No tracking', summary: 'No analytics, usage statistics or call statistics are collected or sent anywhere.' };
    case 'no-third-party':
      return { title: 'No third parties', summary: 'Your browser talks only to this service: no avatars, videos, images, app stores or scripts from other companies.' };
    case 'data-minimisation':
      return spec.p2p
        ? { title: 'Less data', summary: 'Features that collect more than a meeting needs are off. In calls of exactly two people, media may flow directly between the two browsers, which then learn each other\'s IP address.' }
        : { title: 'Less data', summary: 'Features that collect more than a meeting needs are off. Media always pass through the server, so participants never learn each other\'s IP address.' };
    case 'logging':
      return { title: 'Short logs', summary: `Servers log as little as they can and delete their logs after ${retentionDays} days.` };
    case 'encryption':
      return { title: 'Encrypted connections', summary: 'The page, the signalling and the media are encrypted on their way between your browser and the servers.' };
    case 'exposure':
      return { title: 'Hardened servers', summary: 'Internal service ports are closed to the Internet and security updates are installed daily.' };
  }
}

const CATEGORY_ORDER: PrivacyCategory[] = ['muted-entry', 'lobby', 'no-third-party', 'no-telemetry', 'data-minimisation', 'encryption', 'logging', 'exposure'];

function retentionDays(profile: PrivacyProfile): number {
  const setting = profile.settings.find((s) => s.id === 'os-logrotate');
  return typeof setting?.value === 'number' ? setting.value : LOG_RETENTION_DAYS;
}

export function renderPrivacyNotice(input: RenderInput): BundleFile[] {
  const { spec, profile, engine } = input;
  const region = regionInfo(spec.region);
  const days = retentionDays(profile);
  const categories = CATEGORY_ORDER.flatMap((category) => {
    const count = profile.settings.filter((s) => s.category === category).length;
    if (count === 0) return [];
    const { title, summary } = categorySummary(category, spec, days);
    return [{ title: escapeHtml(title), summary: escapeHtml(summary), count, single: count === 1 }];
  });
  const hosts = profile.thirdPartyHosts;
  const lobbyHelp = spec.lobby
    ? 'If the room has a lobby, wait there until a host lets you in.'
    : 'A host may have switched on the lobby: then wait until you are let in.';
  const media = spec.p2p
    ? 'relayed through this service\'s servers, or in calls of two people sent directly between the two browsers.'
    : 'relayed through this service\'s servers.';

  const content = engine.render('pages/privacy.html.hbs', {
    domain: escapeHtml(spec.domain),
    organization: escapeHtml(spec.organization),
    contact: contactLink(spec.privacyContact),
    sandbox: spec.sandbox && spec.expiresAt !== undefined,
    expiresAt: escapeHtml(spec.expiresAt ?? ''),
    media: escapeHtml(media),
    retentionDays: days,
    region: escapeHtml(spec.region),
    location: escapeHtml(region?.location ?? spec.region),
    adequacy: region?.residency === 'adequacy',
    adequacyBasis: escapeHtml(region?.adequacyBasis ?? ''),
    // Counted, not named: the page itself must not mention any third-party host.
    thirdPartyBrowser: new Set(hosts.filter((h) => h.who === 'browser').map((h) => h.host)).size,
    thirdPartyServer: new Set(hosts.filter((h) => h.who === 'server').map((h) => h.host)).size,
    categories,
    lobbyHelp: escapeHtml(lobbyHelp),
    release: escapeHtml(profile.checkedAgainst),
  });
  return [{ path: PRIVACY_NOTICE_FILE.replace(/^\//, ''), component: 'privacy-notice', roles: ['signaling'], mode: '0644', content }];
}
