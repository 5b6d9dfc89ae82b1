// Sandboxes on Hetzner Cloud and OpenStack: created with --cloud or from a base stack file of that
// cloud, listed, extended, destroyed and reaped like AWS ones — with the cloud's own credentials
// check and orphan check, no AWS call, the expiry in the stack file (which reap reads) and in the
// labels, and the cron line that runs reap, since nothing there stops an expired sandbox by itself.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HETZNER_PRIMARY_IPV4_MONTHLY_EUR, HETZNER_SERVER_MONTHLY_EUR } from '../../infra/cost/hetzner-prices.ts';
import { HOURS_PER_MONTH } from '../../infra/cost/prices.ts';
import { hetznerLabels } from '../../infra/hetzner/labels.ts';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import type { StackConfig } from '../../scripts/lib/workspace.ts';
import { planSandbox } from '../../scripts/sandbox/config.ts';
import { reapCronLine } from '../../scripts/sandbox/cron.ts';
import { reapSandboxes } from '../../scripts/sandbox/destroy.ts';
import { sandboxMain } from '../../scripts/sandbox/main.ts';
import { memoryDeps, orphan } from '../fixtures/fake-pulumi/memory-deps.ts';
import { cloudStackConfig } from '../helpers/cloud-stacks.ts';
import { tempDir } from '../helpers/tools.ts';

const NOW = new Date('2026-05-04T08:00:00Z');
const PAST = '2026-05-04T07:00:00Z';
const FUTURE = '2026-05-06T08:00:00Z';
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

const sandboxOn = (cloud: 'hetzner' | 'openstack', stack: string, expiresAt: string, extra: StackConfig = {}): StackConfig => ({
  ...cloudStackConfig(cloud, stack),
  'jitsi-eu:sandbox': true,
  'jitsi-eu:expiresAt': expiresAt,
  ...extra,
});

describe('sandbox create on another cloud', () => {
  it('--cloud hetzner moves the AWS base to Hetzner (location, size), checks HCLOUD credentials, not AWS, and prints the cron line for reap', async () => {
    const deps = memoryDeps(NOW);
    expect(await sandboxMain(['create', 'course1', '--ttl', '7d', '--cloud', 'hetzner', '--size', 'medium', '--json'], deps)).toBe(0);
    const config = deps.workspace.files.get('course1')!.config;
    expect(config).toMatchObject({ 'jitsi-eu:cloud': 'hetzner', 'jitsi-eu:location': 'fsn1', 'jitsi-eu:instanceType': 'ccx23', 'jitsi-eu:expiresAt': '2026-05-11T08:00:00Z', 'jitsi-eu:sandbox': true });
    expect(config['aws:region']).toBeUndefined();
    expect(deps.credentialChecks).toEqual(['hetzner:fsn1']);
    const [created] = json(deps).sandboxes;
    expect(created.ok).toBe(true);
    expect(created.notes).toContain('location fsn1 (Falkenstein, Germany): pass --location nbg1 or hel1 for another');
    expect(created.reapFromCron[0]).toMatch(/^Hetzner Cloud has no scheduler jitsi-eu can use: nothing stops this sandbox at its expiry by itself/);
    expect(created.reapFromCron[1]).toBe(`  ${reapCronLine(PROJECT_DIR)}`);
  });

  it('says so in the readable summary too, and the expiry reaches the servers\' labels', async () => {
    const deps = memoryDeps(NOW);
    expect(await sandboxMain(['create', 'course2', '--ttl', '2d', '--cloud', 'hetzner', '--location', 'hel1'], deps)).toBe(0);
    const text = deps.stdout.join('');
    expect(text).toContain('nothing stops this sandbox at its expiry by itself; npm run sandbox -- reap removes it, so run reap from cron (crontab -e):');
    expect(text).toContain(`*/15 * * * * cd ${PROJECT_DIR} && set -a && . $HOME/.config/jitsi-eu/reap.env && set +a && npm run --silent sandbox -- reap`);
    const plan = planSandbox(deps.workspace.files.get('course2')!.config, 'x', { name: 'course2', ttlMs: 3_600_000 }, NOW);
    expect(plan.spec.region).toBe('hel1');
    expect(hetznerLabels(plan.spec, 'signaling')).toMatchObject({ 'jitsi-eu/sandbox': 'true', 'jitsi-eu/expires-at': '20260504T090000Z' });
  });

  it('takes the cloud from a base stack file of OpenStack, where sizes do not apply', async () => {
    const dir = tempDir();
    try {
      const base = join(dir.path, 'Pulumi.os-base.yaml');
      writeFileSync(base, stringify({ config: { ...cloudStackConfig('openstack', 'os-base'), 'jitsi-eu:dnsZone': 'jitsi-eu-selftest.eu' } }));
      const deps = memoryDeps(NOW);
      expect(await sandboxMain(['create', 'lab1', '--ttl', '1d', '--from', base, '--json'], deps)).toBe(0);
      expect(deps.workspace.files.get('lab1')!.config).toMatchObject({ 'jitsi-eu:cloud': 'openstack', 'openstack:region': 'GRA11', 'jitsi-eu:domain': 'lab1.jitsi-eu-selftest.eu' });
      expect(deps.credentialChecks).toEqual(['openstack:GRA11']);
      expect(json(deps).sandboxes[0].reapFromCron[0]).toMatch(/^OpenStack has no scheduler/);
      expect(await usageError(sandboxMain(['create', 'lab2', '--ttl', '1d', '--from', base, '--size', 'small'], memoryDeps(NOW)))).toMatch(/--size does not apply on OpenStack/);
    } finally {
      dir.remove();
    }
  });

  it('refuses what cannot be derived, before anything is created', async () => {
    const deps = memoryDeps(NOW);
    expect(await usageError(sandboxMain(['create', 'x1', '--ttl', '1d', '--cloud', 'openstack'], deps))).toMatch(/a sandbox on OpenStack needs that cloud's own openstack:region, jitsi-eu:country, jitsi-eu:externalNetwork and flavor/);
    expect(await usageError(sandboxMain(['create', 'x1', '--ttl', '1d', '--location', 'nbg1'], deps))).toMatch(/--location names a Hetzner Cloud location; this sandbox runs on AWS/);
    expect(await usageError(sandboxMain(['create', 'x1', '--ttl', '1d', '--cloud', 'gcp'], deps))).toMatch(/--cloud "gcp" is not allowed: use aws, hetzner, openstack/);
    expect(await usageError(sandboxMain(['create', 'x1', '--ttl', '1d', '--cloud', 'hetzner', '--location', 'ash'], deps))).toMatch(/ash/);
    expect(deps.workspace.calls.filter((c) => c.op !== 'listStacks')).toEqual([]);
  });
});

describe('sandbox list, extend and destroy on another cloud', () => {
  it('list asks no AWS API: an expired Hetzner sandbox is shown running past its expiry, with the cron line', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('hz1', sandboxOn('hetzner', 'hz1', PAST), { resources: 9, outputs: { signalingInstanceId: { value: '4711', secret: false }, region: { value: 'fsn1', secret: false } } });
    expect(await sandboxMain(['list'], deps)).toBe(0);
    const text = deps.stdout.join('');
    expect(text).toMatch(/hz1 \(hetzner\).*expired/);
    expect(text).toContain(`expired on Hetzner Cloud: nothing stops these by itself; they run, and cost, until npm run sandbox -- reap removes them. Run reap from cron:\n  ${reapCronLine(PROJECT_DIR)}`);
  });

  it('extend writes the new expiry for reap and moves no AWS schedule', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('os1', sandboxOn('openstack', 'os1', FUTURE), { resources: 9, outputs: { signalingInstanceId: { value: 'abc', secret: false } } });
    expect(await sandboxMain(['extend', 'os1', '--ttl', '3d'], deps)).toBe(0);
    expect(deps.workspace.opsFor('os1')).toEqual(['setConfig']);
    expect(deps.workspace.files.get('os1')!.config['jitsi-eu:expiresAt']).toBe('2026-05-07T08:00:00Z');
    expect(deps.stdout.join('')).toContain('no schedule on OpenStack: sandbox reap goes by the stack file, so the new expiry holds now');
  });

  it('destroy checks the cloud\'s credentials and looks for what carries the stack\'s labels on that cloud', async () => {
    const deps = memoryDeps(NOW);
    deps.workspace.seed('hz2', sandboxOn('hetzner', 'hz2', FUTURE, { 'jitsi-eu:location': 'nbg1' }), { resources: 9 });
    expect(await sandboxMain(['destroy', 'hz2', '--yes'], deps)).toBe(0);
    expect(deps.credentialChecks).toEqual(['hetzner:nbg1']);
    expect(deps.orphanChecks).toEqual([{ stack: 'hz2', region: 'nbg1', cloud: 'hetzner', domain: 'hz2.jitsi-eu-selftest.eu' }]);
    expect(deps.messages).toContain('checking that nothing labelled jitsi-eu/stack=hz2 is left in nbg1');
  });
});

describe('what a stopped sandbox costs, per cloud', () => {
  const rowsOf = async (seed: (deps: ReturnType<typeof memoryDeps>) => void) => {
    const deps = memoryDeps(NOW);
    seed(deps);
    expect(await sandboxMain(['list', '--json'], deps)).toBe(0);
    const table = memoryDeps(NOW);
    seed(table);
    expect(await sandboxMain(['list'], table)).toBe(0);
    return { rows: json(deps).sandboxes as { stack: string; state: string; hourlyCostEur: number; whenStopped: { billing: string; hourlyCostEur: number | null; unpriced: string[]; statement: string; source: string } }[], text: table.stdout.join('') };
  };

  it('Hetzner Cloud: a powered-off server is billed in full, so stopping saves nothing, and the list says so with the source', async () => {
    const { rows, text } = await rowsOf((deps) => deps.workspace.seed('hz1', sandboxOn('hetzner', 'hz1', FUTURE, { 'jitsi-eu:instanceType': 'ccx23' }), { resources: 9 }));
    const stopped = rows[0]!.whenStopped;
    // One ccx23 and its Primary IPv4, the same as while it runs.
    expect(stopped.billing).toBe('full');
    expect(stopped.hourlyCostEur).toBe(Math.round(((HETZNER_SERVER_MONTHLY_EUR.ccx23! + HETZNER_PRIMARY_IPV4_MONTHLY_EUR) / HOURS_PER_MONTH) * 10_000) / 10_000);
    expect(stopped.unpriced).toEqual([]);
    expect(stopped.source).toMatch(/^https:\/\/docs\.hetzner\.com\/cloud\/billing\/faq\/ \(page of 2023-08-03, read 2026-12-06\)$/);
    expect(text).toContain('on Hetzner Cloud: Hetzner Cloud bills a powered-off server in full until it is deleted (its resources stay reserved); stopping it saves nothing; sandbox reap or destroy ends the cost.');
    expect(text).not.toMatch(/address and disk/);
  });

  it('OpenStack on OVHcloud: billed until deleted unless shelved; on a cloud without a price list the rule is unknown, not assumed', async () => {
    const { rows, text } = await rowsOf((deps) => {
      deps.workspace.seed('os-ovh', sandboxOn('openstack', 'os-ovh', FUTURE, { 'jitsi-eu:instanceType': 'b3-16' }), { resources: 9 });
      deps.workspace.seed('os-uni', sandboxOn('openstack', 'os-uni', FUTURE, { 'openstack:region': 'RegionOne', 'jitsi-eu:instanceType': 'm1.large' }), { resources: 9 });
    });
    const [ovh, uni] = [rows.find((r) => r.stack === 'os-ovh')!.whenStopped, rows.find((r) => r.stack === 'os-uni')!.whenStopped];
    // b3-16 at its monthly price; the floating IP has no recorded price, so it is named, not guessed.
    expect(ovh).toMatchObject({ billing: 'full', hourlyCostEur: Math.round((74.68 / HOURS_PER_MONTH) * 10_000) / 10_000 });
    expect(ovh.unpriced).toEqual([expect.stringMatching(/^1 floating IP address from Ext-Net: price not recorded/)]);
    expect(ovh.statement).toMatch(/^OVHcloud bills an instance until it is deleted, shut off or not; shelving it .* releases its compute$/);
    expect(uni).toMatchObject({ billing: 'unknown', hourlyCostEur: null, source: '' });
    expect(uni.statement).toMatch(/region RegionOne .* is not recorded .*ask its operator/);
    expect(text).toContain('on OpenStack: OVHcloud bills an instance until it is deleted');
    expect(text).toContain('on OpenStack: whether the OpenStack cloud of region RegionOne bills a shut-off instance is not recorded');
  });

  it('AWS: only the address and disk, far below the running rate; create says the same rule in --json, and outside AWS in words', async () => {
    const aws = memoryDeps(NOW);
    expect(await sandboxMain(['create', 'course8', '--ttl', '1d', '--json'], aws)).toBe(0);
    const [onAws] = json(aws).sandboxes;
    expect(onAws.whenStopped).toMatchObject({ billing: 'disk-and-address', unpriced: [] });
    expect(onAws.whenStopped.hourlyCostEur).toBeGreaterThan(0);
    expect(onAws.whenStopped.hourlyCostEur).toBeLessThan(0.01);
    expect(onAws.reapFromCron).toBeUndefined();

    const deps = memoryDeps(NOW);
    expect(await sandboxMain(['create', 'course9', '--ttl', '1d', '--cloud', 'hetzner', '--json'], deps)).toBe(0);
    const [created] = json(deps).sandboxes;
    expect(created.whenStopped.billing).toBe('full');
    expect(created.reapFromCron.at(-1)).toBe('stopping its servers by hand is no substitute: Hetzner Cloud bills a powered-off server in full until it is deleted (its resources stay reserved); stopping it saves nothing');
  });
});

describe('sandbox reap across clouds', () => {
  it('names the missing place key of the sandbox\'s cloud instead of aws:region', async () => {
    const deps = memoryDeps(NOW);
    const config = sandboxOn('hetzner', 'hz-noplace', PAST);
    delete config['jitsi-eu:location'];
    deps.workspace.seed('hz-noplace', config, { resources: 9 });
    const report = await reapSandboxes(deps, { dryRun: false, parallel: 1 });
    expect(report.entries).toEqual([expect.objectContaining({ stack: 'hz-noplace', action: 'failed', reason: 'expired, but Pulumi.hz-noplace.yaml has no jitsi-eu:location to check for orphans' })]);
    expect(deps.workspace.opsFor('hz-noplace')).toEqual([]);
  });

  it('reaps expired sandboxes on every cloud, each with its own credentials and orphan check, and remembers leftovers with their cloud', async () => {
    const deps = memoryDeps(NOW);
    const ws = deps.workspace;
    ws.seed('aws-old', { 'aws:region': 'eu-central-1', 'jitsi-eu:domain': 'a.sandbox.example.org', 'jitsi-eu:sandbox': true, 'jitsi-eu:expiresAt': PAST }, { resources: 12 });
    ws.seed('hz-old', sandboxOn('hetzner', 'hz-old', PAST), { resources: 9 });
    ws.seed('os-old', sandboxOn('openstack', 'os-old', PAST), { resources: 9 });
    ws.seed('hz-fresh', sandboxOn('hetzner', 'hz-fresh', FUTURE), { resources: 9 });
    deps.leftovers.set('hz-old', [{ ...orphan('hz-old'), kind: 'hcloud:firewall', resourceId: '99', id: 'hcloud:firewall/99', purgeable: true }]);

    const report = await reapSandboxes(deps, { dryRun: false, parallel: 2 });
    expect(Object.fromEntries(report.entries.map((e) => [e.stack, e.action]))).toEqual({ 'aws-old': 'reaped', 'hz-fresh': 'skipped', 'hz-old': 'reaped', 'os-old': 'reaped' });
    expect(deps.credentialChecks.sort()).toEqual(['eu-central-1', 'hetzner:fsn1', 'openstack:GRA11']);
    expect(deps.orphanChecks).toEqual(
      expect.arrayContaining([
        { stack: 'aws-old', region: 'eu-central-1', domain: 'a.sandbox.example.org' },
        { stack: 'hz-old', region: 'fsn1', cloud: 'hetzner', domain: 'hz-old.jitsi-eu-selftest.eu' },
        { stack: 'os-old', region: 'GRA11', cloud: 'openstack', openstackCloud: 'ovh-test', domain: 'os-old.jitsi-eu-selftest.eu' },
      ]),
    );
    expect(ws.opsFor('hz-fresh')).toEqual([]);
    expect(deps.leftoverStore.list).toEqual([expect.objectContaining({ stack: 'hz-old', cloud: 'hetzner', region: 'fsn1', resources: ['hcloud:firewall 99'] })]);

    // The next reap checks the leftover again on Hetzner, with Hetzner's credentials.
    deps.leftovers.set('hz-old', []);
    deps.orphanChecks.length = 0;
    deps.credentialChecks.length = 0;
    const again = await reapSandboxes(deps, { dryRun: false, parallel: 2 });
    expect(again.entries.find((e) => e.stack === 'hz-old')).toMatchObject({ action: 'cleaned-up' });
    expect(deps.orphanChecks).toEqual([{ stack: 'hz-old', region: 'fsn1', cloud: 'hetzner', domain: 'hz-old.jitsi-eu-selftest.eu' }]);
    expect(deps.credentialChecks).toEqual(['hetzner:fsn1']);
  });
});
