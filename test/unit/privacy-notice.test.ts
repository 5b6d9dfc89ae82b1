// The privacy notice page: what it must say (controller, contact, region, retention, the privacy
// settings), what it must not contain (third-party URLs or hosts, scripts, external resources),
// and that everything taken from the stack file is shown as text, never as markup.
import { describe, expect, it } from 'vitest';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { PRIVACY_NOTICE_ANCHORS, PRIVACY_NOTICE_FILE, privacyNoticePaths } from '../../infra/render/paths.ts';
import { NOTICE_LANGUAGES } from '../../infra/render/privacy-notice-text.ts';
import { regionInfo } from '../../infra/spec/regions.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeSpec, specVariants } from '../helpers/spec.ts';

function notice(spec: DeploymentSpec, lang = 'en'): string {
  const file = renderBundle(lang === 'en' ? spec : { ...spec, noticeTranslations: ['de', 'fr'] }).files.find((f) => `/${f.path}` === privacyNoticePaths(lang).file);
  if (!file) throw new Error(`no ${lang} privacy notice in the bundle`);
  expect(file.component).toBe('privacy-notice');
  expect(file.roles).toEqual(['signaling']);
  expect(file.mode).toBe('0644');
  return file.content;
}

/** Text of the element with this id (up to the next heading of the same level). */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, id).toBeGreaterThan(-1);
  const next = html.indexOf('<h2', start);
  return html.slice(start, next === -1 ? undefined : next);
}

describe('privacy notice', () => {
  it('names controller, contact, region and its location, and the log retention of the profile', () => {
    const spec = makeSpec({ organization: 'Universität Musterstadt', privacyContact: 'dpo@uni-musterstadt.example', region: 'eu-north-1' });
    const html = notice(spec);
    const retention = privacyProfile(spec).settings.find((s) => s.id === 'os-logrotate')!.value;
    expect(section(html, 'controller')).toContain('Universität Musterstadt');
    expect(section(html, 'controller')).toContain('<a href="mailto:dpo@uni-musterstadt.example">dpo@uni-musterstadt.example</a>');
    expect(section(html, 'recipients')).toContain('eu-north-1');
    expect(section(html, 'recipients')).toContain(regionInfo('eu-north-1')!.location);
    expect(section(html, 'recipients')).toContain('stay in the European Union');
    expect(section(html, 'retention')).toContain(`after ${retention} days`);
  });

  it('names the company the servers are rented from and where, on every cloud', () => {
    const aws = section(notice(makeSpec()), 'recipients');
    expect(aws).toContain('Processor: Amazon Web Services EMEA SARL (Luxembourg)');
    const hetzner = section(notice(makeSpec({ cloud: 'hetzner', region: 'hel1', country: 'FI', regionLabel: 'Helsinki, Finland', provider: 'Hetzner Online GmbH (Gunzenhausen, Germany)' })), 'recipients');
    expect(hetzner).toContain('Processor: Hetzner Online GmbH (Gunzenhausen, Germany), hel1 (Helsinki, Finland).');
    expect(hetzner).not.toContain('Amazon');
    const norway = makeSpec({ cloud: 'openstack', region: 'osl1', country: 'NO', regionLabel: 'osl1 (NO)', provider: 'Example Cloud AS <Oslo>' });
    const recipients = section(notice(norway), 'recipients');
    expect(recipients).toContain('Processor: Example Cloud AS &lt;Oslo&gt;, osl1 (osl1 (NO)).');
    expect(recipients).toContain('stay in the European Economic Area, where the GDPR applies');
    expect(recipients).not.toContain('stay in the European Union');
  });

  it('gives the adequacy basis of an OpenStack region outside the EU the stack opted in to', () => {
    const zurich = makeSpec({ cloud: 'openstack', region: 'zrh1', country: 'CH', regionLabel: 'zrh1 (CH)', residency: 'adequacy', allowNonEuRegion: true, adequacyBasis: 'the adequacy decision for Switzerland', provider: 'Example AG' });
    const recipients = section(notice(zurich), 'recipients');
    expect(recipients).toContain('outside the European Union; transfers rely on the adequacy decision for Switzerland');
  });

  it('links an https contact as given', () => {
    const html = notice(makeSpec({ privacyContact: 'https://example.org/data-protection' }));
    expect(section(html, 'controller')).toContain('<a href="https://example.org/data-protection">https://example.org/data-protection</a>');
  });

  it('says when a region is outside the EU and on what basis data go there', () => {
    const spec = makeSpec({ region: 'eu-west-2', residency: 'adequacy', allowNonEuRegion: true });
    const recipients = section(notice(spec), 'recipients');
    expect(recipients).toContain('outside the European Union');
    expect(recipients).toContain(regionInfo('eu-west-2')!.adequacyBasis);
    expect(recipients).not.toContain('stay in the European Union');
  });

  it('has the terms and help sections that config.js legalUrls point at', () => {
    const html = notice(makeSpec());
    for (const id of Object.values(PRIVACY_NOTICE_ANCHORS)) expect(html).toMatch(new RegExp(`<h2 id="${id}">`));
    expect(html.match(/ id="([^"]+)"/g)!.length).toBe(new Set(html.match(/ id="([^"]+)"/g)).size);
  });

  it('describes peer-to-peer media as the spec has it', () => {
    expect(section(notice(makeSpec({ p2p: true, turn: true })), 'data')).toContain('directly between the two browsers');
    expect(section(notice(makeSpec({ p2p: false })), 'data')).toContain('never learn each other\'s IP address');
  });

  it('summarises every privacy category of the profile, with its number of settings', () => {
    for (const spec of specVariants().slice(0, 4)) {
      const settings = section(notice(spec), 'settings');
      const categories = new Map<string, number>();
      for (const s of privacyProfile(spec).settings) categories.set(s.category, (categories.get(s.category) ?? 0) + 1);
      const items = settings.match(/<li>/g) ?? [];
      expect(items.length).toBe(categories.size);
      const counts = [...settings.matchAll(/\((\d+) settings?\)/g)].map((m) => Number(m[1]));
      expect(counts.sort()).toEqual([...categories.values()].sort());
    }
  });

  it('loads nothing and links nowhere but the controller contact, in every variant', () => {
    for (const spec of specVariants()) {
      const html = notice(spec);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|@import|url\(|\ssrc=/i);
      const urls = html.match(/\b(?:https?:|wss?:)?\/\/[^\s"'<>)]+/gi) ?? [];
      expect(urls, spec.stack).toEqual([]);
      const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
      const languages = NOTICE_LANGUAGES.filter((l) => l !== 'en').map((l) => privacyNoticePaths(l).urlPath);
      for (const href of hrefs) expect([`mailto:${spec.privacyContact}`, ...languages]).toContain(href);
      for (const host of privacyProfile(spec).thirdPartyHosts.map((h) => h.host.replace(/^\*\./, ''))) {
        expect(html, host).not.toContain(host);
      }
    }
  });

  it('shows values from the stack file as text, never as markup', () => {
    const spec = makeSpec({
      organization: '<script>alert("x")</script> & Söhne <b>GmbH</b>',
      privacyContact: 'dpo+"<i>x</i>"@example.org',
    });
    const html = notice(spec);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>GmbH</b>');
    expect(html).not.toContain('<i>x</i>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Söhne &lt;b&gt;GmbH&lt;/b&gt;');
    expect(html).toContain('href="mailto:dpo+&quot;&lt;i&gt;x&lt;/i&gt;&quot;@example.org"');
    // Only the page's own tags remain.
    const tags = new Set([...html.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1]!.toLowerCase()));
    for (const tag of tags) expect(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'ul', 'li', 'b', 'a', 'small', 'br', 'code']).toContain(tag);
  });

  it('names the app\'s first-party storage items and that participants see a host\'s account address', () => {
    for (const lang of NOTICE_LANGUAGES) {
      const data = section(notice(makeSpec({ auth: 'secure' }), lang), 'data');
      expect(data, lang).toContain('<code>jitsiMeetId</code>');
      expect(data, lang).toContain('<code>callStatsUserName</code>');
    }
    expect(section(notice(makeSpec({ auth: 'secure' })), 'data')).toMatch(/participants can see the account address a host logged in with/);
    expect(section(notice(makeSpec({ auth: 'jwt' })), 'data')).toMatch(/account address a host logged in with/);
    // Nobody logs in on an anonymous deployment.
    expect(section(notice(makeSpec({ auth: 'anonymous', lobby: false })), 'data')).not.toMatch(/account address/);
  });

  it('names the legal basis of the stack, in every language', () => {
    const basis = (legalBasis: DeploymentSpec['legalBasis'], lang: string) => {
      const html = notice(makeSpec({ legalBasis }), lang);
      return html.slice(html.indexOf('id="legal-basis"'), html.indexOf('</p>', html.indexOf('id="legal-basis"')));
    };
    expect(basis('legitimate-interest', 'en')).toMatch(/Art\. 6\(1\)\(f\) GDPR/);
    expect(basis('legitimate-interest', 'en')).not.toMatch(/6\(1\)\(e\)/);
    expect(basis('public-task', 'en')).toMatch(/Art\. 6\(1\)\(e\) GDPR/);
    // A public body may not rely on legitimate interests for its tasks: the page must not say it does.
    expect(basis('public-task', 'en')).not.toMatch(/6\(1\)\(f\)|legitimate interest/);
    expect(basis('legitimate-interest', 'de')).toMatch(/Art\. 6 Abs\. 1 lit\. f DSGVO/);
    expect(basis('public-task', 'de')).toMatch(/Art\. 6 Abs\. 1 lit\. e DSGVO/);
    expect(basis('legitimate-interest', 'fr')).toMatch(/art\. 6, par\. 1, f\) RGPD/);
    expect(basis('public-task', 'fr')).toMatch(/art\. 6, par\. 1, e\) RGPD/);
  });
});

describe('the privacy notice in English, German and French', () => {
  const spec = makeSpec({ p2p: true, noticeTranslations: ['de', 'fr'] });

  it('is in English only unless the stack asks for translations, and then links only those', () => {
    const paths = (s: DeploymentSpec) => renderBundle(s).files.filter((f) => f.component === 'privacy-notice').map((f) => `/${f.path}`);
    expect(paths(makeSpec())).toEqual([PRIVACY_NOTICE_FILE]);
    expect(notice(makeSpec())).not.toContain('hreflang');
    const german = makeSpec({ noticeTranslations: ['de'] });
    expect(paths(german).sort()).toEqual([PRIVACY_NOTICE_FILE, privacyNoticePaths('de').file].sort());
    expect([...notice(german).matchAll(/hreflang="([a-z]+)"/g)].map((m) => m[1])).toEqual(['de']);
  });

  const pages = new Map(NOTICE_LANGUAGES.map((lang) => [lang, notice(spec, lang)] as const));
  const ids = (html: string) => [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);

  it('is one file per language, at its own path, declaring its language', () => {
    expect(new Set(NOTICE_LANGUAGES.map((l) => privacyNoticePaths(l).file)).size).toBe(3);
    expect(privacyNoticePaths('en').file).toBe(PRIVACY_NOTICE_FILE);
    for (const [lang, html] of pages) expect(html, lang).toContain(`<html lang="${lang}">`);
    expect(pages.get('de')).toContain('Datenschutzhinweise');
    expect(pages.get('fr')).toContain('Politique de confidentialité');
  });

  it('has the same sections, with the same ids in the same order, in every language', () => {
    const english = ids(pages.get('en')!);
    expect(english).toEqual(expect.arrayContaining(['languages', 'controller', 'data', 'legal-basis', 'retention', 'recipients', 'settings', 'rights', ...Object.values(PRIVACY_NOTICE_ANCHORS)]));
    for (const [lang, html] of pages) {
      expect(ids(html), lang).toEqual(english);
      expect(section(html, 'settings').match(/<li>/g)!.length, lang).toBe(section(pages.get('en')!, 'settings').match(/<li>/g)!.length);
      expect(section(html, 'data').match(/<li>/g)!.length, lang).toBe(section(pages.get('en')!, 'data').match(/<li>/g)!.length);
    }
  });

  it('links each language to the other two, and to nothing else but the contact', () => {
    for (const [lang, html] of pages) {
      const links = [...html.matchAll(/<a href="([^"]+)" hreflang="([a-z]+)"/g)].map((m) => [m[1], m[2]]);
      const others = NOTICE_LANGUAGES.filter((l) => l !== lang);
      expect(links, lang).toEqual(others.map((l) => [privacyNoticePaths(l).urlPath, l]));
    }
  });

  it('states the same facts of the deployment in every language', () => {
    for (const [lang, html] of pages) {
      expect(section(html, 'controller'), lang).toContain(spec.organization);
      expect(section(html, 'controller'), lang).toContain(`mailto:${spec.privacyContact}`);
      expect(section(html, 'recipients'), lang).toContain(spec.region);
      expect(section(html, 'retention'), lang).toContain(String(privacyProfile(spec).settings.find((s) => s.id === 'os-logrotate')!.value));
      expect(section(html, 'help'), lang).toContain(spec.privacyContact);
    }
  });
});
