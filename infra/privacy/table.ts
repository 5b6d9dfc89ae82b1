// The README's privacy table, generated from the profile of a deployment that sets nothing but
// the required keys, so it shows exactly what jitsi-eu does by default.
import { specFromConfig } from '../spec/validate.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import { privacyProfile } from './profile.ts';
import type { JsonValue, PrivacyCategory, PrivacyProfile } from './types.ts';

const CATEGORY_LABELS: Record<PrivacyCategory, string> = {
  'muted-entry': 'Muted entry',
  lobby: 'Lobby',
  'no-telemetry': 'No telemetry',
  'no-third-party': 'No third parties',
  'data-minimisation': 'Data minimisation',
  logging: 'Logging',
  encryption: 'Encryption',
  exposure: 'Exposure',
};
const CATEGORY_ORDER = Object.keys(CATEGORY_LABELS) as PrivacyCategory[];

/** The spec of a stack file with only the required keys (every other key at its default). */
export function defaultSpec(): DeploymentSpec {
  const result = specFromConfig(
    {
      'aws:region': 'eu-central-1',
      'jitsi-eu:domain': 'meet.example.org',
      'jitsi-eu:acmeEmail': 'ops@example.org',
      'jitsi-eu:organization': 'Example Organisation',
      'jitsi-eu:privacyContact': 'privacy@example.org',
    },
    { stack: 'defaults' },
  );
  if (!result.ok) throw new Error(`the default spec is invalid: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.spec;
}

/** One table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();
}

function code(text: string): string {
  // A backtick inside code needs a longer fence.
  const fence = text.includes('`') ? '``' : '`';
  const padding = text.includes('`') ? ' ' : '';
  return `${fence}${padding}${cell(text)}${padding}${fence}`;
}

function valueCell(value: JsonValue): string {
  return code(typeof value === 'string' ? value : JSON.stringify(value));
}

export function privacyTableMarkdown(profile: PrivacyProfile): string {
  const rows = [...profile.settings].sort(
    (a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) || a.id.localeCompare(b.id),
  );
  const lines = [
    '| Category | Setting | Component | Option | jitsi-eu | Stock Jitsi | Why |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((s) =>
      `| ${CATEGORY_LABELS[s.category]} | ${code(s.id)} | ${s.component} | ${code(s.key)} | ${valueCell(s.value)} | ${cell(s.upstreamDefault)} | ${cell(s.reason)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** The table as the README shows it. */
export function readmePrivacyTable(): string {
  return privacyTableMarkdown(privacyProfile(defaultSpec()));
}
