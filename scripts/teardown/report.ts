// Orphans as a table for people; --json prints the same data as objects.
import { renderTable, style } from '../lib/cli.ts';
import type { Orphan, OrphanScope } from './orphans.ts';
import type { PurgeOutcome } from './purge.ts';

export function orphanTable(orphans: readonly Orphan[]): string {
  return renderTable(
    ['kind', 'id', 'found by', 'purge', 'note'],
    orphans.map((o) => [o.kind, o.resourceId, o.foundBy.join(', '), o.purgeable ? 'yes' : 'no', o.note ?? '']),
  );
}

/**
 * The command that checks a stack for orphans (and with `purge`, removes them), complete: the
 * region and host name are spelled out, since the stack file that names them is usually gone.
 */
export function teardownCommand(scope: OrphanScope, purge: boolean): string {
  const cloud = scope.cloud && scope.cloud !== 'aws' ? ` --cloud ${scope.cloud}` : '';
  const region = scope.cloud === 'hetzner' || !scope.region ? '' : ` --region ${scope.region}`;
  return `npm run teardown -- --stack ${scope.stack} --orphans${purge ? ' --purge' : ''}${cloud}${region}${scope.domain ? ` --domain ${scope.domain}` : ''}`;
}

export function orphanSummary(scope: OrphanScope, orphans: readonly Orphan[]): string {
  const { stack } = scope;
  const mark = scope.cloud === 'hetzner' ? `the label jitsi-eu/stack=${stack}` : `jitsi-eu:stack=${stack}`;
  if (orphans.length === 0) return `${style.ok('✓')} nothing carries ${mark} any more: no orphans\n`;
  const purgeable = orphans.filter((o) => o.purgeable).length;
  const manual = orphans.length - purgeable;
  const hint =
    purgeable === 0
      ? 'none of them can be removed by --purge: look at each by hand'
      : `${teardownCommand(scope, true)} removes the ${purgeable} marked "yes"${manual ? `; the other ${manual} need a look by hand` : ''}`;
  return `${style.fail('✗')} ${orphans.length} resource${orphans.length === 1 ? '' : 's'} left for stack ${stack}:\n${orphanTable(orphans)}\n${hint}\n`;
}

export function purgeSummary(outcomes: readonly PurgeOutcome[]): string {
  if (outcomes.length === 0) return 'nothing to purge\n';
  const mark = (o: PurgeOutcome) => (!o.removed ? style.fail('failed ') : o.alreadyGone ? style.ok('gone   ') : style.ok('removed'));
  const lines = outcomes.map((o) => `  ${mark(o)}  ${o.kind} ${o.resourceId}${o.error ? `: ${o.error}` : o.alreadyGone ? ' (was already gone)' : ''}`);
  return `${lines.join('\n')}\n`;
}

/**
 * What a teardown is about to remove, said before it asks. The stack file is named on its own:
 * it is git-ignored, so removing the stack leaves no copy of its settings anywhere.
 */
export function teardownPreview(stack: string, region: string, backend: string, stackFile: string | undefined, keepState: boolean): string[] {
  const lines = [
    `teardown of stack ${stack} removes:`,
    `  every resource of the stack in ${region} (pulumi destroy)`,
    `  its host accounts (npm run accounts -- list --stack ${stack} shows them): they are kept in SSM, not by Pulumi`,
  ];
  if (keepState) {
    lines.push(`  nothing else: the stack, its history in ${backend}${stackFile ? ` and its stack file ${stackFile}` : ''} stay (--keep-state)`);
    return lines;
  }
  lines.push(`  the stack and its history in ${backend}`);
  if (stackFile) lines.push(`  its stack file ${stackFile}, which git ignores: no copy stays, so copy it first to deploy the same settings again (or use --keep-state)`);
  return lines;
}
