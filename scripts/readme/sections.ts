// The README sections that are generated from the code, so the documentation cannot drift from
// what jitsi-eu does: the stack config reference, the privacy table and the verify checks.
import { CONFIG_KEYS } from '../../infra/spec/keys.ts';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { defaultSpec, privacyTableMarkdown } from '../../infra/privacy/table.ts';
import { CHECK_CATALOGUE } from '../verify/registry.ts';

export type SectionName = 'config-reference' | 'privacy-table' | 'verify-checks';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();

function formatDefault(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'object') return `\`${JSON.stringify(value).replace(/"/g, '').replace(/,/g, ', ').replace(/:/g, ': ')}\``;
  return `\`${String(value)}\``;
}

function configReference(): string {
  const rows = CONFIG_KEYS.map((k) => {
    const allowed = k.allowed ? ` One of: ${k.allowed.map((a) => `\`${a}\``).join(', ')}.` : '';
    const dflt = k.required ? 'required' : k.default === undefined ? '—' : formatDefault(k.default);
    return `| \`${k.key}\` | ${k.type} | ${dflt} | ${cell(k.description)}${allowed} |`;
  });
  return ['| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function verifyChecks(): string {
  const rows = CHECK_CATALOGUE.map((c) => `| \`${c.id}\` | ${c.area} | ${c.mode} | ${cell(c.description)} |`);
  return ['| Check id | Area | Runs | What it checks |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function generatedSections(): Record<SectionName, string> {
  return {
    'config-reference': configReference(),
    'privacy-table': privacyTableMarkdown(privacyProfile(defaultSpec())),
    'verify-checks': verifyChecks(),
  };
}

const marker = (name: SectionName, edge: 'start' | 'end') => `<!-- generated:${name}:${edge} -->`;

/** The README with every generated section replaced by its current text. */
export function updateReadme(readme: string): string {
  let out = readme;
  for (const [name, body] of Object.entries(generatedSections()) as [SectionName, string][]) {
    const start = marker(name, 'start');
    const end = marker(name, 'end');
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${start} … ${end}`);
    out = `${out.slice(0, from + start.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}
