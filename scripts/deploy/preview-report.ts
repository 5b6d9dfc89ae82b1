// The preview as deploy prints it: a table of what changes, then what that means for people in
// meetings, then the policy pack's findings; and the same as one JSON document.
import { renderTable } from '../lib/cli.ts';
import type { Impact, Severity } from './impact.ts';
import type { ChangeKind, DeployPreview, ResourceChange } from './preview.ts';

export interface ShownPreview extends DeployPreview {
  stack: string;
  impact: Impact[];
}

const LABEL: Record<Severity, string> = { interrupts: 'ends meetings', notice: 'noticeable', none: 'unnoticed' };
const VERB: Record<ChangeKind, string> = { create: 'create', update: 'change', replace: 'replace', delete: 'delete' };

function whatChanges(c: ResourceChange): string {
  switch (c.kind) {
    case 'create':
      return 'new';
    case 'delete':
      return 'removed';
    case 'replace': {
      const also = c.changed.filter((p) => !c.replacedBy.includes(p));
      return `${c.replacedBy.length ? `${c.replacedBy.join(', ')} forces it` : 'replaced'}${also.length ? `; also ${also.join(', ')}` : ''}`;
    }
    default:
      return c.changed.length ? c.changed.join(', ') : 'in place';
  }
}

export function countLine(preview: DeployPreview): string {
  const counts = (['replace', 'update', 'create', 'delete'] as const).map((kind) => `${preview.changes.filter((c) => c.kind === kind).length} to ${VERB[kind]}`);
  return `${counts.join(', ')}, ${preview.unchanged} unchanged`;
}

export function previewText(shown: ShownPreview): string {
  const lines = [`Preview of ${shown.stack}: ${countLine(shown)}`];
  if (shown.changes.length) {
    lines.push('', renderTable(['resource', 'type', 'action', 'what changes'], shown.changes.map((c) => [c.name, c.type, VERB[c.kind], whatChanges(c)])));
  }
  lines.push('', 'What this means for people in meetings:');
  for (const impact of shown.impact) lines.push(`  [${LABEL[impact.severity]}] ${impact.text}`);
  if (shown.policy.length) {
    lines.push('', 'Policy pack findings:');
    for (const p of shown.policy) lines.push(`  [${p.level}] ${p.policy}: ${p.message}${p.resource ? ` (${p.resource})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
