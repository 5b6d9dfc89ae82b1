import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli.ts';
import { sandboxMain } from '../../scripts/sandbox/main.ts';
import { expiryTargets } from '../../scripts/sandbox/expiry-targets.ts';
import type { StackConfig } from '../../scripts/lib/workspace.ts';
import { memoryDeps, orphan } from '../fixtures/fake-pulumi/memory-deps.ts';
import { tempDir } from '../helpers/tools.ts';

const NOW = new Date('2026-05-04T08:00:00Z');
const json = (deps: { stdout: string[] }) => JSON.parse(deps.stdout.join(''));
const usageError = async (run: Promise<unknown>): Promise<string> => {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('sandbox create', () => {
  it('writes the stack file, creates the stack, deploys, waits, verifies and prints URL and expiry', async () => {
    const deps = memoryDeps(NOW);
    const code = await sandboxMain(['create', 'course1', '--ttl', '7d', '--owner', 'prof@uni.example', '--size', 'small', '--json'], deps);
    expect(code).toBe(0);
    const ws = deps.workspace;
    expect(ws.opsFor('course1')).toEqual(['writeStackFile', 'createStack', 'createOrSelectStack', 'up']);
    const config = ws.files.get('course1')!.config;
    expect(config).toMatchObject({
      'jitsi-eu:domain': 'course1.sandbox.example.org',
      'jitsi-eu:tls': 'letsencrypt-staging',
      'jitsi-eu:sandbox': true,
      'jitsi-eu:expiresAt': '2026-05-11T08:00:00Z',
      'jitsi-eu:owner': 'prof@uni.example',
      'jitsi-eu:instanceType': 'c6i.large',
    });
    expect(ws.files.get('course1')!.comment).toMatch(/Pulumi\.example-sandbox\.yaml/);
    const [created] = json(deps).sandboxes;
    expect(created).toMatchObject({ stack: 'course1', url: 'https://course1.sandbox.example.org', expiresAt: '2026-05-11T08:00:00Z', owner: 'prof@uni.example', ok: true });
    expect(created.deploy.waits.map((w: { id: string }) => w.id)).toEqual(['dns', 'https', 'ready']);
    expect(created.deploy.verify.verdict).toBe('pass');
    expect(deps.verifyRequests).toEqual([
      {
        url: 'https://course1.sandbox.example.org',
        spec: expect.objectContaining({ stack: 'course1', tls: 'letsencrypt-staging', sandbox: true }),
        host: 'course1.sandbox.example.org',
        ip: '192.0.2.10',
        timeoutMs: expect.any(Number),
      },
    ]);
    expect(deps.credentialChecks).toEqual(['eu-central-1']);
  });

  it('prints a readable summary with the URL, the expiry and the notes', async () => {
    const deps = memoryDeps(NOW);
    expect(await sandboxMain(['create', 'course1', '--ttl', '36h', '--auth', 'anonymous'], deps)).toBe(0);
    const text = deps.stdout.join('');
    expect(text).toMatch(/course1 deployed and verified/);
    expect(text).toMatch(/url\s+https:\/\/course1\.sandbox\.example\.org/);
    expect(text).toMatch(/expires\s+2026-05-05T20:00:00Z \(in 1d 12h\)/);
    expect(text).toMatch(/lobby turned off/);
  });

  it('exits 1 when the verification fails, and keeps the stack so it can be destroyed', async () => {
    const deps = memoryDeps(NOW);
    deps.verdict = 'fail';
    expect(await sandboxMain(['create', 'course1', '--ttl', '1d'], deps)).toBe(1);
    expect(deps.stdout.join('')).toMatch(/verification failed: lobby/);
    expect(deps.stdout.join('')).toMatch(/sandbox -- destroy course1/);
    expect(deps.workspace.stacks.has('course1')).toBe(true);
  });

  it('creates several at once, at most --parallel at a time, one failure not stopping the others', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.delayMs = 15;
    deps.workspace.failOn('b', 'up');
    const code = await sandboxMain(['create', 'a', 'b', 'c', 'd', '--ttl', '1d', '--parallel', '2', '--json'], deps);
    expect(code).toBe(1);
    const results = json(deps).sandboxes as { stack: string; ok: boolean; failure?: string }[];
    expect(results.map((r) => [r.stack, r.ok])).toEqual([['a', true], ['b', false], ['c', true], ['d', true]]);
    expect(results[1]!.failure).toMatch(/pulumi up failed for b/);
    expect(deps.workspace.maxRunning).toBe(2);
  });

  it('refuses a name that is already a stack before changing anything', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('taken', { 'jitsi-eu:sandbox': true });
    const message = await usageError(sandboxMain(['create', 'fresh', 'taken', '--ttl', '1d'], deps));
    expect(message).toMatch(/taken already exists/);
    expect(deps.workspace.calls.filter((c) => c.op !== 'listStacks')).toEqual([]);
  });

  it('refuses the example stacks\' names before anything is opened, saying why and how to start from an example', async () => {
    const deps = memoryDeps(NOW);
    let opened = false;
    deps.openWorkspace = async () => {
      opened = true;
      return deps.workspace;
    };
    for (const name of ['example-hetzner', 'example-sandbox', 'example-mine']) {
      const message = await usageError(sandboxMain(['create', name, '--ttl', '1d'], deps));
      expect(message).toMatch(new RegExp(`^sandbox name "${name}" is not allowed: names starting with example- belong to the example stacks \\(Pulumi\\.example-\\*\\.yaml ship with jitsi-eu\\)`));
      expect(message).toContain('--from Pulumi.example-hetzner.yaml');
    }
    expect(opened).toBe(false);
    // Only the prefix is reserved.
    expect(await sandboxMain(['create', 'my-example-1', '--ttl', '1d', '--json'], memoryDeps(NOW))).toBe(0);
  });

  it('validates everything before opening the workspace', async () => {
    const deps = memoryDeps(NOW);
    let opened = false;
    deps.openWorkspace = async () => {
      opened = true;
      return deps.workspace;
    };
    expect(await usageError(sandboxMain(['create', 'Bad_Name', '--ttl', '1d'], deps))).toMatch(/sandbox name "Bad_Name" is not allowed/);
    expect(await usageError(sandboxMain(['create', 'ok', '--ttl', 'forever'], deps))).toMatch(/--ttl "forever" is not a duration/);
    expect(await usageError(sandboxMain(['create', 'ok'], deps))).toMatch(/missing --ttl/);
    expect(await usageError(sandboxMain(['create', 'ok', '--ttl', '1d', '--size', 'huge'], deps))).toMatch(/--size "huge"/);
    expect(await usageError(sandboxMain(['create', 'ok', '--ttl', '1d', '--auth', 'ldap'], deps))).toMatch(/--auth "ldap" is not allowed: use anonymous, secure, jwt/);
    expect(await usageError(sandboxMain(['create', 'ok', '--ttl', '1d', '--from', '/nonexistent/Pulumi.x.yaml'], deps))).toMatch(/does not exist/);
    expect(await usageError(sandboxMain(['create', 'a', 'b', '--ttl', '1d', '--domain', 'a.example.org'], deps))).toMatch(/one NAME only/);
    expect(await usageError(sandboxMain(['create', 'ok', '--ttl', '1d', '--parallel', '0'], deps))).toMatch(/--parallel "0"/);
    expect(opened).toBe(false);
  });

  it('uses another base stack file with --from', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'Pulumi.base.yaml');
      writeFileSync(file, 'config:\n  aws:region: eu-north-1\n  jitsi-eu:domain: meet.uni.example\n  jitsi-eu:dnsZone: labs.uni.example\n  jitsi-eu:acmeEmail: it@uni.example\n');
      const deps = memoryDeps(NOW);
      expect(await sandboxMain(['create', 'lab', '--ttl', '1d', '--from', file, '--no-wait'], deps)).toBe(0);
      expect(deps.workspace.files.get('lab')!.config).toMatchObject({ 'aws:region': 'eu-north-1', 'jitsi-eu:domain': 'lab.labs.uni.example' });
      expect(deps.verifyRequests).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});

describe('sandbox list', () => {
  it('shows every sandbox with URL, owner, state, time left and cost estimates, and nothing else', async () => {
    const deps = memoryDeps(NOW);
    const ws = deps.workspace;
    const config = (domain: string, expiresAt: string, extra: StackConfig = {}): StackConfig => ({
      'aws:region': 'eu-central-1',
      'jitsi-eu:domain': domain,
      'jitsi-eu:acmeEmail': 'it@uni.example',
      'jitsi-eu:instanceType': 'c6i.large',
      'jitsi-eu:sandbox': true,
      'jitsi-eu:expiresAt': expiresAt,
      ...extra,
    });
    ws.seed('running', config('running.example.org', '2026-05-06T08:00:00Z', { 'jitsi-eu:owner': 'a@uni.example' }), {
      resources: 12,
      firstUpdate: new Date('2026-05-03T20:00:00Z'),
    });
    ws.seed('late', config('late.example.org', '2026-05-04T06:00:00Z', { 'jitsi-eu:instanceType': 'c6i.xlarge' }), {
      resources: 12,
      firstUpdate: new Date('2026-05-04T06:00:00Z'),
    });
    ws.seed('empty', config('empty.example.org', '2026-05-05T08:00:00Z'));
    ws.seed('prod', { 'aws:region': 'eu-west-3', 'jitsi-eu:domain': 'meet.example.org' }, { resources: 30 });
    expect(await sandboxMain(['list', '--json'], deps)).toBe(0);
    const rows = json(deps).sandboxes;
    expect(rows).toEqual([
      { stack: 'empty', url: 'https://empty.example.org', state: 'not deployed', expiresAt: '2026-05-05T08:00:00.000Z', timeLeftMs: 86_400_000, hourlyCostEur: 0 },
      {
        stack: 'late',
        url: 'https://late.example.org',
        state: 'expired',
        expiresAt: '2026-05-04T06:00:00.000Z',
        timeLeftMs: -7_200_000,
        hourlyCostEur: 0.2,
        whenStopped: expect.objectContaining({ billing: 'disk-and-address' }),
        createdAt: '2026-05-04T06:00:00.000Z',
        accruedCostEur: 0.4,
      },
      {
        stack: 'running',
        url: 'https://running.example.org',
        owner: 'a@uni.example',
        state: 'running',
        expiresAt: '2026-05-06T08:00:00.000Z',
        timeLeftMs: 2 * 86_400_000,
        hourlyCostEur: 0.1,
        whenStopped: expect.objectContaining({ billing: 'disk-and-address' }),
        createdAt: '2026-05-03T20:00:00.000Z',
        accruedCostEur: 1.2,
      },
    ]);
  });

  it('prints a table people can read', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed(
      'late',
      { 'aws:region': 'eu-central-1', 'jitsi-eu:domain': 'late.example.org', 'jitsi-eu:acmeEmail': 'it@uni.example', 'jitsi-eu:sandbox': true, 'jitsi-eu:expiresAt': '2026-05-04T06:00:00Z' },
      { resources: 12, firstUpdate: new Date('2026-05-04T06:00:00Z') },
    );
    await sandboxMain(['list'], deps);
    const text = deps.stdout.join('');
    expect(text).toMatch(/late\s+https:\/\/late\.example\.org\s+expired\s+expired 2h ago\s+€0\.200\s+€0\.40/);
    expect(text).toMatch(/estimates/);
  });

  it('says how to start when there are none', async () => {
    const deps = memoryDeps(NOW);
    await sandboxMain(['list'], deps);
    expect(deps.stdout.join('')).toMatch(/no sandboxes: create one/);
  });
});

describe('sandbox extend', () => {
  const config = (expiresAt: string, sandbox = true): StackConfig => ({ 'aws:region': 'eu-central-1', 'jitsi-eu:sandbox': sandbox, 'jitsi-eu:expiresAt': expiresAt });

  it('sets the expiry to now + TTL through pulumi config', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('course1', config('2026-05-04T10:00:00Z'), { resources: 12 });
    expect(await sandboxMain(['extend', 'course1', '--ttl', '3d', '--json'], deps)).toBe(0);
    expect(json(deps)).toEqual({ stack: 'course1', previous: '2026-05-04T10:00:00.000Z', expiresAt: '2026-05-07T08:00:00Z', scheduleMoved: false, restarted: [] });
    expect(deps.workspace.opsFor('course1')).not.toContain('up');
    expect(deps.workspace.calls.filter((c) => c.op === 'setConfig')).toEqual([{ op: 'setConfig', stack: 'course1', detail: 'jitsi-eu:expiresAt=2026-05-07T08:00:00Z' }]);
    expect(deps.workspace.files.get('course1')!.config['jitsi-eu:expiresAt']).toBe('2026-05-07T08:00:00Z');
  });

  it('on a deployed sandbox, updates only its expiry resources, then starts again what the expiry stopped', async () => {
    const deps = memoryDeps(NOW);
    const scalable = { ...config('2026-05-04T10:00:00Z'), 'jitsi-eu:domain': 'c.example.org', 'jitsi-eu:acmeEmail': 'it@uni.example', 'jitsi-eu:topology': 'scalable', 'jitsi-eu:bridges': '{"min":2,"max":4}' };
    deps.workspace.seed('course1', scalable, {
      resources: 40,
      outputs: { signalingInstanceId: { value: 'i-0abc', secret: false }, bridgeAsgName: { value: 'jitsi-eu-course1-bridges-1', secret: false } },
    });
    const restarts: unknown[] = [];
    deps.hosts = { signalingState: async () => 'stopped', restart: async (target) => (restarts.push(target), ['started the signaling node i-0abc again']) };
    expect(await sandboxMain(['extend', 'course1', '--ttl', '3d'], deps)).toBe(0);
    const up = deps.workspace.calls.filter((c) => c.op === 'up');
    expect(up).toEqual([{ op: 'up', stack: 'course1', detail: `targets=${expiryTargets('course1', 'scalable').join(',')}` }]);
    expect(expiryTargets('course1', 'scalable').every((urn) => urn.includes('SandboxExpiry'))).toBe(true);
    expect(restarts).toEqual([{ region: 'eu-central-1', instanceId: 'i-0abc', bridges: { groupName: 'jitsi-eu-course1-bridges-1', min: 2 } }]);
    const text = deps.stdout.join('');
    expect(text).toMatch(/its hosts now stop at 2026-05-07T08:00:00Z/);
    expect(text).toMatch(/started the signaling node i-0abc again/);
    expect(deps.credentialChecks).toEqual(['eu-central-1']);
  });

  it('rescues an expired sandbox that was not reaped yet', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('late', config('2026-05-01T00:00:00Z'), { resources: 12 });
    expect(await sandboxMain(['extend', 'late', '--ttl', '1d'], deps)).toBe(0);
    expect(deps.stdout.join('')).toMatch(/late now expires at 2026-05-05T08:00:00Z/);
  });

  it('never shortens, never touches a stack that is not a sandbox', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('long', config('2026-06-01T00:00:00Z'));
    deps.workspace.seed('prod', config('2026-06-01T00:00:00Z', false));
    expect(await usageError(sandboxMain(['extend', 'long', '--ttl', '1d'], deps))).toMatch(/already expires at 2026-06-01/);
    expect(await usageError(sandboxMain(['extend', 'prod', '--ttl', '1d'], deps))).toMatch(/prod is not a sandbox/);
    expect(await usageError(sandboxMain(['extend', 'ghost', '--ttl', '1d'], deps))).toMatch(/no stack file Pulumi\.ghost\.yaml/);
    expect(deps.workspace.calls.filter((c) => c.op === 'setConfig')).toEqual([]);
  });
});

describe('sandbox destroy', () => {
  const config: StackConfig = { 'aws:region': 'eu-north-1', 'jitsi-eu:domain': 'c.sandbox.example.org', 'jitsi-eu:sandbox': true, 'jitsi-eu:expiresAt': '2026-06-01T00:00:00Z' };

  it('asks first, and changes nothing without a yes', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('c', config, { resources: 12 });
    expect(await usageError(sandboxMain(['destroy', 'c'], deps))).toMatch(/not confirmed/);
    expect(deps.confirmations[0]).toMatch(/Destroy sandbox c/);
    expect(deps.workspace.opsFor('c')).toEqual([]);
  });

  it('destroys, removes the stack and checks for orphans with --yes (no question)', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('c', config, { resources: 12 });
    expect(await sandboxMain(['destroy', 'c', '--yes'], deps)).toBe(0);
    expect(deps.confirmations).toEqual([]);
    expect(deps.workspace.opsFor('c')).toEqual(['destroy', 'removeStack']);
    expect(deps.orphanChecks).toEqual([{ stack: 'c', region: 'eu-north-1', domain: 'c.sandbox.example.org' }]);
    expect(deps.stdout.join('')).toMatch(/no orphans/);
  });

  it('destroys after a confirmed question, and exits 1 listing what is left', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('c', config, { resources: 12 });
    deps.answer = true;
    deps.leftovers.set('c', [orphan('c')]);
    expect(await sandboxMain(['destroy', 'c'], deps)).toBe(1);
    expect(deps.stdout.join('')).toMatch(/1 resource left for stack c/);
  });

  it('still checks for orphans when pulumi destroy fails, and exits 1 with the reason', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('c', config, { resources: 12 });
    deps.workspace.failOn('c', 'destroy');
    deps.leftovers.set('c', [orphan('c')]);
    expect(await sandboxMain(['destroy', 'c', '--yes', '--json'], deps)).toBe(1);
    const result = json(deps);
    expect(result.error).toMatch(/destroy of c failed/);
    expect(result.orphans).toHaveLength(1);
    expect(deps.workspace.stacks.has('c')).toBe(true);
  });

  it('refuses a stack that is not a sandbox and points to teardown', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('prod', { 'aws:region': 'eu-west-3' }, { resources: 30 });
    expect(await usageError(sandboxMain(['destroy', 'prod', '--yes'], deps))).toMatch(/not a sandbox.*npm run teardown -- --stack prod/);
    expect(deps.workspace.opsFor('prod')).toEqual([]);
  });
});

describe('sandbox arguments', () => {
  it('prints help with every command', async () => {
    const deps = memoryDeps(NOW);
    expect(await sandboxMain(['--help'], deps)).toBe(0);
    const help = deps.stdout.join('');
    for (const command of ['create NAME', 'list', 'extend NAME', 'destroy NAME', 'reap']) expect(help).toContain(command);
    expect(help).toMatch(/c6i\.large/);
  });

  it('refuses unknown commands, options that do not apply, and misplaced names', async () => {
    const deps = memoryDeps(NOW);
    expect(await usageError(sandboxMain([], deps))).toMatch(/missing command/);
    expect(await usageError(sandboxMain(['launch'], deps))).toMatch(/unknown command "launch"/);
    expect(await usageError(sandboxMain(['list', '--ttl', '1d'], deps))).toMatch(/--ttl does not apply to sandbox list/);
    expect(await usageError(sandboxMain(['reap', 'x'], deps))).toMatch(/takes no names/);
    expect(await usageError(sandboxMain(['destroy'], deps))).toMatch(/exactly one NAME/);
    expect(await usageError(sandboxMain(['list', '--bogus'], deps))).toMatch(/bogus/);
  });
});

