// The privacy notice page (GDPR Art. 13), generated from the spec and the privacy profile so it
// always describes what this deployment really does, in each language of privacy-notice-text.ts,
// each at its own path and linking to the others. The engine does not escape, so every value
// from the stack is HTML-escaped here; the page links only to the controller's contact and to
// its other languages.
import { LOG_RETENTION_DAYS } from '../privacy/settings/os.ts';
import type { PrivacyCategory, PrivacyProfile } from '../privacy/types.ts';
import { regionInfo } from '../spec/regions.ts';
import { EEA_COUNTRIES } from '../spec/places.ts';
import type { RenderInput } from './input.ts';
import { privacyNoticePaths } from './paths.ts';
import { NOTICE_TEXT, noticeLanguages, type NoticeFacts } from './privacy-notice-text.ts';
import type { BundleFile } from './types.ts';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The contact as a link: mailto for an e-mail address, the page itself for an https URL. */
function contactLink(contact: string): string {
  const href = contact.includes('@') && !contact.startsWith('https://') ? `mailto:${contact}` : contact;
  return `<a href="${escapeHtml(href)}">${escapeHtml(contact)}</a>`;
}

const CATEGORY_ORDER: PrivacyCategory[] = ['muted-entry', 'lobby', 'no-third-party', 'no-telemetry', 'data-minimisation', 'encryption', 'logging', 'exposure'];

function retentionDays(profile: PrivacyProfile): number {
  const setting = profile.settings.find((s) => s.id === 'os-logrotate');
  return typeof setting?.value === 'number' ? setting.value : LOG_RETENTION_DAYS;
}

export function renderPrivacyNotice(input: RenderInput): BundleFile[] {
  const { spec, profile, engine } = input;
  // AWS regions are described by regions.ts; elsewhere the spec carries the place it checked.
  const aws = spec.cloud === 'aws' ? regionInfo(spec.region) : undefined;
  const location = aws?.location ?? spec.regionLabel;
  const adequacyBasis = spec.residency === 'adequacy' ? (aws?.adequacyBasis ?? spec.adequacyBasis) : undefined;
  const facts: NoticeFacts = {
    organization: escapeHtml(spec.organization),
    domain: escapeHtml(spec.domain),
    contact: contactLink(spec.privacyContact),
    ...(spec.sandbox && spec.expiresAt !== undefined ? { expiresAt: escapeHtml(spec.expiresAt) } : {}),
    auth: spec.auth,
    lobby: spec.lobby,
    p2p: spec.p2p,
    legalBasis: spec.legalBasis,
    retentionDays: retentionDays(profile),
    processor: escapeHtml(spec.provider),
    region: escapeHtml(spec.region),
    location: escapeHtml(location),
    eeaOnly: (EEA_COUNTRIES as readonly string[]).includes(spec.country),
    ...(adequacyBasis ? { adequacyBasis: escapeHtml(adequacyBasis) } : {}),
    release: escapeHtml(profile.checkedAgainst),
  };
  const counts = CATEGORY_ORDER.map((category) => [category, profile.settings.filter((s) => s.category === category).length] as const).filter(([, n]) => n > 0);

  const languages = noticeLanguages(spec);
  return languages.map((lang) => {
    const text = NOTICE_TEXT[lang](facts);
    const content = engine.render('pages/privacy.html.hbs', {
      lang,
      text,
      domain: facts.domain,
      categories: counts.map(([category, n]) => ({ title: text.category(category), count: text.settingCount(n) })),
      // The same notice in the other languages, each named in its own language.
      otherLanguages: languages.filter((other) => other !== lang).map((other) => ({
        lang: other,
        name: NOTICE_TEXT[other](facts).name,
        href: privacyNoticePaths(other).urlPath,
      })),
    });
    return { path: privacyNoticePaths(lang).file.replace(/^\//, ''), component: 'privacy-notice', roles: ['signaling'], mode: '0644', content };
  });
}
