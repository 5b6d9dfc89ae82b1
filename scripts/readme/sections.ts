// The documentation sections that are generated from the code, so the documentation cannot drift
// from what jitsi-eu does: the stack config reference, the privacy table, the verify checks and
// the passphrase setup lines. Each lives between two markers in one file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { instanceTypeFacts } from '../../infra/cost/instance-types.ts';
import { FAMILY_SHAPES } from '../../infra/cost/prices.ts';
import { CONFIG_KEYS } from '../../infra/spec/keys.ts';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { defaultSpec, privacyTableMarkdown } from '../../infra/privacy/table.ts';
import { PASSPHRASE_SETUP_LINES } from '../lib/passphrase.ts';
import { CHECK_CATALOGUE } from '../verify/registry.ts';

export type SectionName = 'config-reference' | 'instance-types' | 'privacy-table' | 'verify-checks' | 'passphrase-setup';

/** Which file (relative to the project) holds which generated sections. */
export const GENERATED_FILES: Readonly<Record<string, readonly SectionName[]>> = {
  'README.md': ['passphrase-setup'],
  'docs/configuration.md': ['config-reference', 'instance-types'],
  'docs/privacy.md': ['privacy-table'],
  'docs/verification.md': ['verify-checks'],
};

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

function instanceTypes(): string {
  const rows = Object.entries(FAMILY_SHAPES).map(([family, shape]) => {
    const sizes = shape.sizes.map((size) => {
      const facts = instanceTypeFacts(`${family}.${size}`)!;
      return `${size} (${facts.vcpus}/${facts.memoryGib})`;
    });
    return `| \`${family}\` | ${sizes.join(', ')} |`;
  });
  return ['| Family | Sizes (vCPU/GiB) |', '| --- | --- |', ...rows].join('\n');
}

function verifyChecks(): string {
  const rows = CHECK_CATALOGUE.map((c) => `| \`${c.id}\` | ${c.area} | ${c.mode} | ${cell(c.description)} |`);
  return ['| Check id | Area | Runs | What it checks |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function generatedSections(): Record<SectionName, string> {
  return {
    'config-reference': configReference(),
    'instance-types': instanceTypes(),
    'privacy-table': privacyTableMarkdown(privacyProfile(defaultSpec())),
    'verify-checks': verifyChecks(),
    'passphrase-setup': ['```bash', ...PASSPHRASE_SETUP_LINES, '```'].join('\n'),
  };
}

const marker = (name: SectionName, edge: 'start' | 'end') => `<!-- generated:${name}:${edge} -->`;

/** The text with each of the named generated sections replaced by its current content. */
export function updateSections(text: string, names: readonly SectionName[], file = 'the file'): string {
  const bodies = generatedSections();
  let out = text;
  for (const name of names) {
    const start = marker(name, 'start');
    const end = marker(name, 'end');
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${file} lacks the markers ${start} … ${end}`);
    out = `${out.slice(0, from + start.length)}\n${bodies[name]}\n${out.slice(to)}`;
  }
  return out;
}

export interface DocumentState {
  /** Path relative to the project. */
  file: string;
  current: string;
  updated: string;
}

/** Every documentation file with generated sections: its text now and as the code says it should be. */
export function documentStates(projectDir: string): DocumentState[] {
  return Object.entries(GENERATED_FILES).map(([file, names]) => {
    const current = readFileSync(join(projectDir, file), 'utf8');
    return { file, current, updated: updateSections(current, names, file) };
  });
}
