// A secure sandbox's host accounts (SSM parameters made by `npm run accounts`, not by Pulumi) go
// with it on sandbox destroy, as with teardown; the orphan check after the removal lists any left.
import { describe, expect, it } from 'vitest';
import { accountParameterName } from '../../infra/accounts.ts';
import type { StackConfig } from '../../scripts/lib/workspace.ts';
import { sandboxMain } from '../../scripts/sandbox/main.ts';
import type { Orphan } from '../../scripts/teardown/orphans.ts';
import { memoryDeps, orphan } from '../fixtures/fake-pulumi/memory-deps.ts';

const NOW = new Date('2026-05-04T08:00:00Z');
const config: StackConfig = { 'aws:region': 'eu-north-1', 'jitsi-eu:domain': 'c.sandbox.example.org', 'jitsi-eu:auth': 'secure', 'jitsi-eu:sandbox': true, 'jitsi-eu:expiresAt': '2026-06-01T00:00:00Z' };

function accountParameter(stack: string, name: string, tagged = true): Orphan {
  const parameter = accountParameterName(stack, name);
  return {
    id: `arn:aws:ssm:eu-north-1:123456789012:parameter${parameter}`,
    kind: 'ssm:parameter',
    resourceId: parameter,
    region: 'eu-north-1',
    tags: tagged ? { 'jitsi-eu:stack': stack, 'jitsi-eu:project': 'jitsi-eu' } : {},
    foundBy: ['ssm-path'],
    purgeable: tagged,
  };
}

describe('sandbox destroy and host accounts', () => {
  it('removes the tagged host accounts after the destroy and exits 0 when nothing else is left', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('c', config, { resources: 12 });
    deps.leftovers.set('c', [accountParameter('c', 'alice'), accountParameter('c', 'bob')]);
    expect(await sandboxMain(['destroy', 'c', '--yes', '--json'], deps)).toBe(0);
    expect(JSON.parse(deps.stdout.join('')).orphans).toEqual([]);
    expect(deps.messages).toContain("removing the stack's host accounts under /jitsi-eu/c/accounts/");
    expect(deps.orphanChecks).toHaveLength(2);
  });

  it('leaves an untagged one and everything else to the orphan list (exit 1), and removes nothing when the destroy failed', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('c', config, { resources: 12 });
    deps.leftovers.set('c', [accountParameter('c', 'alice'), accountParameter('c', 'byhand', false), orphan('c')]);
    expect(await sandboxMain(['destroy', 'c', '--yes', '--json'], deps)).toBe(1);
    const left = (JSON.parse(deps.stdout.join('')).orphans as Orphan[]).map((o) => o.resourceId);
    expect(left).toEqual([accountParameterName('c', 'byhand'), 'i-0123456789abcdef0']);

    const failing = memoryDeps(NOW);
    failing.workspace.seed('d', config, { resources: 12 });
    failing.workspace.failOn('d', 'destroy');
    failing.leftovers.set('d', [accountParameter('d', 'alice')]);
    expect(await sandboxMain(['destroy', 'd', '--yes', '--json'], failing)).toBe(1);
    expect((JSON.parse(failing.stdout.join('')).orphans as Orphan[]).map((o) => o.resourceId)).toEqual([accountParameterName('d', 'alice')]);
  });
});
