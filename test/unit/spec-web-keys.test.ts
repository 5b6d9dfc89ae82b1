// The stack keys behind the privacy notice's legal basis and the embedding allow-list: defaults,
// accepted values, and problems that name the key, its line, the value and what is allowed.
import { describe, expect, it } from 'vitest';
import { parseStackConfig, specFromConfig } from '../../infra/spec/index.ts';
import type { SpecResult } from '../../infra/spec/types.ts';

const base = { 'aws:region': 'eu-central-1', 'jitsi-eu:domain': 'meet.example.org', 'jitsi-eu:acmeEmail': 'ops@example.org' };
const check = (overrides: Record<string, unknown>): SpecResult => specFromConfig({ ...base, ...overrides }, { stack: 'unit' });

function specOf(result: SpecResult) {
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result.spec;
}
function problemsOf(result: SpecResult) {
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('jitsi-eu:legalBasis', () => {
  it('defaults to legitimate interests and accepts public task', () => {
    expect(specOf(check({})).legalBasis).toBe('legitimate-interest');
    expect(specOf(check({ 'jitsi-eu:legalBasis': 'public-task' })).legalBasis).toBe('public-task');
  });

  it('refuses anything else, naming the allowed values', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:legalBasis': 'consent' }));
    expect(problem!.key).toBe('jitsi-eu:legalBasis');
    expect(problem!.message).toContain('"consent"');
    expect(problem!.message).toContain('legitimate-interest, public-task');
  });
});

describe('jitsi-eu:noticeTranslations', () => {
  it('defaults to none and accepts de and fr, as a list or as Pulumi stores it, once each', () => {
    expect(specOf(check({})).noticeTranslations).toEqual([]);
    expect(specOf(check({ 'jitsi-eu:noticeTranslations': ['fr', 'de', 'fr'] })).noticeTranslations).toEqual(['fr', 'de']);
    expect(specOf(check({ 'jitsi-eu:noticeTranslations': '["de"]' })).noticeTranslations).toEqual(['de']);
  });

  it('refuses another language or a non-list, naming the key and what is allowed', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:noticeTranslations': ['de', 'nl'] }));
    expect(problem!.key).toBe('jitsi-eu:noticeTranslations');
    expect(problem!.message).toContain('"nl"');
    expect(problem!.message).toContain('de, fr');
    expect(problemsOf(check({ 'jitsi-eu:noticeTranslations': 'de' }))[0]!.message).toContain('use a list of languages');
  });
});

describe('jitsi-eu:embedOrigins', () => {
  it('defaults to no origin at all', () => {
    expect(specOf(check({})).embedOrigins).toEqual([]);
  });

  it('accepts https origins, from a YAML list or the JSON Pulumi stores, without duplicates', () => {
    expect(specOf(check({ 'jitsi-eu:embedOrigins': ['https://lms.example.org', 'https://moodle.uni.example:8443'] })).embedOrigins).toEqual([
      'https://lms.example.org',
      'https://moodle.uni.example:8443',
    ]);
    expect(specOf(check({ 'jitsi-eu:embedOrigins': '["https://lms.example.org","https://lms.example.org"]' })).embedOrigins).toEqual(['https://lms.example.org']);
  });

  it.each([
    ['http://lms.example.org', /only https:\/\//],
    ['https://lms.example.org/', /no path, query or trailing slash/],
    ['https://lms.example.org/course', /no path/],
    ['https://*.example.org', /wildcards/],
    ['https://LMS.example.org', /lowercase/],
    ['https://lms.example.org:443', /leave out :443/],
    ['https://lms.example.org:99999', /1-65535/],
    ['lms.example.org', /not an origin/],
    ["'self'", /not an origin/],
    ['https://meet.example.org', /meeting site itself/],
    [42, /not text/],
  ])('refuses %s', (origin, reason) => {
    const problems = problemsOf(check({ 'jitsi-eu:embedOrigins': ['https://ok.example.org', origin] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.key).toBe('jitsi-eu:embedOrigins');
    expect(problems[0]!.value).toBe(origin);
    expect(problems[0]!.message).toContain(JSON.stringify(origin));
    expect(problems[0]!.message).toMatch(reason);
  });

  it('refuses a value that is not a list', () => {
    const [problem] = problemsOf(check({ 'jitsi-eu:embedOrigins': 'https://lms.example.org' }));
    expect(problem!.message).toMatch(/use a list of origins such as \[https:\/\/lms\.example\.org\]/);
  });

  it('names the line of the key in the stack file', () => {
    const text = [
      'config:',
      '  aws:region: eu-central-1',
      '  jitsi-eu:domain: meet.example.org',
      '  jitsi-eu:acmeEmail: ops@example.org',
      '  jitsi-eu:embedOrigins:',
      '    - http://lms.example.org',
      '',
    ].join('\n');
    const [problem] = problemsOf(parseStackConfig(text, { stack: 'y' }));
    expect(problem).toMatchObject({ key: 'jitsi-eu:embedOrigins', line: 5, value: 'http://lms.example.org' });
  });
});
