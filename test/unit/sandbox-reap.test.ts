import { describe, expect, it } from 'vitest';
import { reapSandboxes } from '../../scripts/sandbox/destroy.ts';
import { reapDecision, sandboxFacts, sandboxState } from '../../scripts/sandbox/facts.ts';
import { sandboxMain } from '../../scripts/sandbox/main.ts';
import type { StackConfig } from '../../scripts/lib/workspace.ts';
import { memoryDeps, orphan } from '../fixtures/fake-pulumi/memory-deps.ts';

const NOW = new Date('2026-05-04T08:00:00Z');
const sandbox = (expiresAt: string | undefined, extra: StackConfig = {}): StackConfig => ({
  'aws:region': 'eu-central-1',
  'jitsi-eu:domain': 'x.sandbox.example.org',
  'jitsi-eu:sandbox': true,
  ...(expiresAt ? { 'jitsi-eu:expiresAt': expiresAt } : {}),
  ...extra,
});
const PAST = '2026-05-04T07:59:00Z';
const FUTURE = '2026-05-05T08:00:00Z';

describe('reap decision', () => {
  const deployed = { name: 'x', resourceCount: 12 };

  it('reaps a sandbox whose expiry has passed', () => {
    expect(reapDecision('x', sandbox(PAST), deployed, NOW)).toEqual({ reap: true, expiredFor: 60_000 });
    // Exactly at the expiry instant it is due.
    expect(reapDecision('x', sandbox('2026-05-04T08:00:00Z'), deployed, NOW).reap).toBe(true);
  });

  it('leaves alone a sandbox with time left, and says how long', () => {
    const d = reapDecision('x', sandbox(FUTURE), deployed, NOW);
    expect(d).toEqual({ reap: false, reason: 'expires in 1d (2026-05-05T08:00:00.000Z)' });
  });

  it('refuses a stack that is not a sandbox, even with an expiry in the past', () => {
    const d = reapDecision('prod', { ...sandbox(PAST), 'jitsi-eu:sandbox': false }, deployed, NOW);
    expect(d.reap).toBe(false);
    expect(!d.reap && d.reason).toMatch(/not a sandbox/);
    expect(reapDecision('prod', { 'aws:region': 'eu-west-3', 'jitsi-eu:expiresAt': PAST }, deployed, NOW).reap).toBe(false);
  });

  it('refuses a stack without a stack file, a sandbox without expiry, and an unreadable expiry', () => {
    expect(reapDecision('ghost', undefined, deployed, NOW)).toMatchObject({ reap: false, reason: expect.stringMatching(/no stack file Pulumi\.ghost\.yaml/) });
    expect(reapDecision('x', sandbox(undefined), deployed, NOW)).toMatchObject({ reap: false, reason: expect.stringMatching(/without jitsi-eu:expiresAt/) });
    expect(reapDecision('x', sandbox('next tuesday'), deployed, NOW)).toMatchObject({ reap: false, reason: expect.stringMatching(/not an ISO 8601 instant/) });
  });

  it('waits for a running update to finish', () => {
    expect(reapDecision('x', sandbox(PAST), { name: 'x', updateInProgress: true }, NOW)).toMatchObject({ reap: false, reason: expect.stringMatching(/update is running/) });
  });

  it('reads the sandbox mark as Pulumi writes it too (a string after pulumi config set)', () => {
    expect(sandboxFacts({ 'jitsi-eu:sandbox': 'true', 'jitsi-eu:expiresAt': PAST }).isSandbox).toBe(true);
    expect(sandboxFacts({ 'jitsi-eu:sandbox': 'yes' }).isSandbox).toBe(false);
  });

  it('names the state shown by sandbox list', () => {
    const facts = sandboxFacts(sandbox(PAST));
    expect(sandboxState(facts, { name: 'x', resourceCount: 12 }, NOW)).toBe('expired');
    expect(sandboxState(sandboxFacts(sandbox(FUTURE)), { name: 'x', resourceCount: 12 }, NOW)).toBe('running');
    expect(sandboxState(facts, { name: 'x', resourceCount: 0 }, NOW)).toBe('not deployed');
    expect(sandboxState(facts, { name: 'x', updateInProgress: true }, NOW)).toBe('updating');
  });
});

describe('sandbox reap', () => {
  function seeded() {
    const deps = memoryDeps(NOW);
    const ws = deps.workspace;
    ws.seed('old-a', sandbox(PAST, { 'jitsi-eu:domain': 'old-a.sandbox.example.org' }), { resources: 12 });
    ws.seed('old-b', sandbox('2026-05-01T00:00:00Z', { 'aws:region': 'eu-north-1' }), { resources: 12 });
    ws.seed('fresh', sandbox(FUTURE), { resources: 12 });
    ws.seed('prod', { 'aws:region': 'eu-west-3', 'jitsi-eu:domain': 'meet.example.org', 'jitsi-eu:expiresAt': PAST }, { resources: 30 });
    ws.seed('elsewhere', undefined, { resources: 5 });
    return deps;
  }

  it('destroys and removes exactly the expired sandboxes, then checks each for orphans', async () => {
    const deps = seeded();
    const report = await reapSandboxes(deps, { dryRun: false, parallel: 2 });
    const actions = Object.fromEntries(report.entries.map((e) => [e.stack, e.action]));
    expect(actions).toEqual({ elsewhere: 'skipped', fresh: 'skipped', 'old-a': 'reaped', 'old-b': 'reaped', prod: 'skipped' });
    expect([...deps.workspace.stacks.keys()].sort()).toEqual(['elsewhere', 'fresh', 'prod']);
    expect(deps.workspace.opsFor('old-a')).toEqual(['destroy', 'removeStack']);
    for (const untouched of ['fresh', 'prod', 'elsewhere']) expect(deps.workspace.opsFor(untouched)).toEqual([]);
    expect(deps.orphanChecks).toEqual(
      expect.arrayContaining([
        { stack: 'old-a', region: 'eu-central-1', domain: 'old-a.sandbox.example.org' },
        { stack: 'old-b', region: 'eu-north-1', domain: 'x.sandbox.example.org' },
      ]),
    );
    expect(deps.credentialChecks.sort()).toEqual(['eu-central-1', 'eu-north-1']);
    expect(report.entries.find((e) => e.stack === 'prod')!.reason).toMatch(/not a sandbox/);
  });

  it('is idempotent: a second run reaps nothing and touches nothing', async () => {
    const deps = seeded();
    await reapSandboxes(deps, { dryRun: false, parallel: 2 });
    const callsBefore = deps.workspace.calls.length;
    const again = await reapSandboxes(deps, { dryRun: false, parallel: 2 });
    expect(again.entries.filter((e) => e.action !== 'skipped')).toEqual([]);
    expect(deps.workspace.calls.slice(callsBefore).map((c) => c.op)).toEqual(['listStacks']);
  });

  it('changes nothing with --dry-run but says what it would do', async () => {
    const deps = seeded();
    const report = await reapSandboxes(deps, { dryRun: true, parallel: 2 });
    expect(report.entries.filter((e) => e.action === 'would-reap').map((e) => e.stack)).toEqual(['old-a', 'old-b']);
    expect(deps.workspace.calls.map((c) => c.op)).toEqual(['listStacks']);
    expect(deps.credentialChecks).toEqual([]);
  });

  it('keeps going when one sandbox fails, and takes it on the next run', async () => {
    const deps = seeded();
    deps.workspace.failOn('old-a', 'destroy');
    const first = await reapSandboxes(deps, { dryRun: false, parallel: 1 });
    expect(first.entries.find((e) => e.stack === 'old-a')).toMatchObject({ action: 'failed', reason: expect.stringMatching(/destroy of old-a failed/) });
    expect(first.entries.find((e) => e.stack === 'old-b')!.action).toBe('reaped');
    expect(deps.workspace.stacks.has('old-a')).toBe(true);

    deps.workspace.failures.clear();
    const second = await reapSandboxes(deps, { dryRun: false, parallel: 1 });
    expect(second.entries.find((e) => e.stack === 'old-a')!.action).toBe('reaped');
    expect(deps.workspace.stacks.has('old-a')).toBe(false);
  });

  it('finishes a sandbox whose resources went but whose stack removal failed last time', async () => {
    const deps = seeded();
    deps.workspace.failOn('old-a', 'removeStack');
    await reapSandboxes(deps, { dryRun: false, parallel: 2 });
    expect(deps.workspace.stacks.get('old-a')?.resources).toBe(0);
    deps.workspace.failures.clear();
    const again = await reapSandboxes(deps, { dryRun: false, parallel: 2 });
    expect(again.entries.find((e) => e.stack === 'old-a')!.action).toBe('reaped');
    expect(deps.workspace.stacks.has('old-a')).toBe(false);
  });

  it('reaps at most --parallel sandboxes at once', async () => {
    const deps = memoryDeps(NOW);
    for (let i = 0; i < 7; i++) deps.workspace.seed(`old-${i}`, sandbox(PAST), { resources: 3 });
    deps.workspace.delayMs = 15;
    await reapSandboxes(deps, { dryRun: false, parallel: 3 });
    expect(deps.workspace.stacks.size).toBe(0);
    expect(deps.workspace.maxRunning).toBe(3);
  });

  it('exits 1 and says so when something tagged for a reaped sandbox is left', async () => {
    const deps = seeded();
    deps.leftovers.set('old-b', [orphan('old-b')]);
    const code = await sandboxMain(['reap', '--json'], deps);
    expect(code).toBe(1);
    const report = JSON.parse(deps.stdout.join(''));
    const oldB = report.entries.find((e: { stack: string }) => e.stack === 'old-b');
    expect(oldB.action).toBe('reaped');
    expect(oldB.orphans).toHaveLength(1);
    expect(oldB.reason).toMatch(/still tagged/);
  });

  it('exits 0 with a readable report when all went well', async () => {
    const deps = seeded();
    expect(await sandboxMain(['reap'], deps)).toBe(0);
    const text = deps.stdout.join('');
    expect(text).toMatch(/2 sandbox\(es\) reaped/);
    expect(text).toMatch(/skipped\s+prod\s+not a sandbox/);
  });
});

describe('what a sandbox teardown left behind', () => {
  const PURGE_OLD_A = 'npm run teardown -- --stack old-a --orphans --purge --region eu-central-1 --domain old-a.sandbox.example.org';
  function seeded() {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('old-a', sandbox(PAST, { 'jitsi-eu:domain': 'old-a.sandbox.example.org' }), { resources: 12 });
    deps.workspace.seed('fresh', sandbox(FUTURE), { resources: 12 });
    deps.leftovers.set('old-a', [orphan('old-a')]);
    return deps;
  }
  const reap = async (deps: ReturnType<typeof seeded>, ...args: string[]) => {
    deps.stdout.length = 0;
    const code = await sandboxMain(['reap', '--json', ...args], deps);
    return { code, entries: JSON.parse(deps.stdout.join('')).entries as { stack: string; action: string; reason: string; purge?: string; orphans?: unknown[] }[] };
  };

  it('is remembered after the reap, reported by every later reap with a complete purge command, and forgotten once gone', async () => {
    const deps = seeded();
    const first = await reap(deps);
    expect(first.code).toBe(1);
    expect(first.entries.find((e) => e.stack === 'old-a')).toMatchObject({ action: 'reaped', purge: PURGE_OLD_A, reason: expect.stringContaining(`remove them with ${PURGE_OLD_A}`) });
    expect(deps.workspace.stacks.has('old-a')).toBe(false);
    expect(deps.leftoverStore.list).toEqual([
      { stack: 'old-a', region: 'eu-central-1', domain: 'old-a.sandbox.example.org', since: NOW.toISOString(), resources: ['ec2:instance i-0123456789abcdef0'] },
    ]);

    // The stack and its stack file are gone; the next reap still knows where to look.
    deps.orphanChecks.length = 0;
    const second = await reap(deps);
    expect(second.code).toBe(1);
    expect(second.entries.find((e) => e.stack === 'old-a')).toMatchObject({ action: 'left-behind', purge: PURGE_OLD_A, orphans: [expect.objectContaining({ resourceId: 'i-0123456789abcdef0' })] });
    expect(deps.orphanChecks).toEqual([{ stack: 'old-a', region: 'eu-central-1', domain: 'old-a.sandbox.example.org' }]);
    expect(deps.credentialChecks).toContain('eu-central-1');

    // Purged meanwhile: the next reap says so once, then forgets it.
    deps.leftovers.delete('old-a');
    const third = await reap(deps);
    expect(third.code).toBe(0);
    expect(third.entries.find((e) => e.stack === 'old-a')).toMatchObject({ action: 'cleaned-up' });
    expect(deps.leftoverStore.list).toEqual([]);
    const fourth = await reap(deps);
    expect(fourth.entries.map((e) => e.stack)).toEqual(['fresh']);
    expect(fourth.code).toBe(0);
  });

  it('is listed by --dry-run without any AWS call', async () => {
    const deps = seeded();
    await reap(deps);
    deps.credentialChecks.length = 0;
    deps.orphanChecks.length = 0;
    const dry = await reap(deps, '--dry-run');
    expect(dry.entries.find((e) => e.stack === 'old-a')).toMatchObject({ action: 'left-behind', purge: PURGE_OLD_A });
    expect(deps.credentialChecks).toEqual([]);
    expect(deps.orphanChecks).toEqual([]);
  });

  it('keeps the date of the teardown that left it, and is replaced when a new sandbox of that name is reaped', async () => {
    const deps = seeded();
    await reap(deps);
    const later = memoryDeps(new Date('2026-05-06T08:00:00Z'), deps.workspace);
    later.leftoverStore.list = deps.leftoverStore.list;
    later.leftovers.set('old-a', [orphan('old-a'), orphan('old-a', 'i-0fedcba9876543210')]);
    await sandboxMain(['reap'], later);
    expect(later.leftoverStore.list).toMatchObject([{ stack: 'old-a', since: NOW.toISOString(), resources: ['ec2:instance i-0123456789abcdef0', 'ec2:instance i-0fedcba9876543210'] }]);
    expect(later.stdout.join('')).toMatch(/left behind\s+old-a\s+2 resource\(s\) left behind by its teardown \(2026-05-04T08:00:00.000Z\); remove them with npm run teardown -- --stack old-a --orphans --purge --region eu-central-1 --domain old-a\.sandbox\.example\.org/);

    // A new sandbox with the same name owns what carries its tags: only its own reap checks again.
    later.workspace.seed('old-a', sandbox('2026-06-01T00:00:00Z', { 'jitsi-eu:domain': 'old-a.sandbox.example.org' }), { resources: 12 });
    later.orphanChecks.length = 0;
    await sandboxMain(['reap'], later);
    expect(later.orphanChecks).toEqual([]);
  });

  it('is remembered after sandbox destroy too, whose summary gives the complete purge command', async () => {
    const deps = seeded();
    deps.workspace.seed('c', sandbox(FUTURE, { 'aws:region': 'eu-north-1', 'jitsi-eu:domain': 'c.sandbox.example.org' }), { resources: 12 });
    deps.leftovers.set('c', [orphan('c')]);
    expect(await sandboxMain(['destroy', 'c', '--yes'], deps)).toBe(1);
    expect(deps.stdout.join('')).toContain('npm run teardown -- --stack c --orphans --purge --region eu-north-1 --domain c.sandbox.example.org removes the 1 marked "yes"');
    expect(deps.leftoverStore.list.map((l) => l.stack)).toEqual(['c']);
  });
});
