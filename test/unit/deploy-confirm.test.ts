// deploy asks before it changes anything: the answer, --yes, no terminal, --preview-only, and a
// preview that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployMain, type DeployDeps } from '../../scripts/deploy/main.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import { MemoryWorkspace } from '../fixtures/fake-pulumi/memory-workspace.ts';
import { PASSING_PROBES } from '../fixtures/fake-pulumi/memory-deps.ts';
import { writeOwnNamesStack } from '../helpers/own-names-stack.ts';
import { RESOURCES as R, create, policyViolation, previewRun, replace, same, update } from '../fixtures/fake-pulumi/preview-events.ts';

const STACK = 'own-confirm';
const REPLACE = previewRun([same(R.signalingEip), ...replace(R.signalingInstance, { userDataBase64: 'update-replace' }, { deleteBeforeReplace: true })], { same: 29, replace: 1 });
const NOTHING = previewRun([same(R.signalingEip), same(R.signalingInstance)], { same: 30 });

function deps(options: { answer?: string; run?: typeof REPLACE } = {}) {
  const ws = new MemoryWorkspace();
  ws.previewFor = () => options.run ?? REPLACE;
  ws.outputsFor = () => ({ url: { value: 'https://meet.example.org', secret: false }, publicIp: { value: '192.0.2.10', secret: false } });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const asked: string[] = [];
  const d: DeployDeps = {
    openWorkspace: async () => ws,
    requireCredentials: async () => {},
    loadVerify: async () => ({ run: async ({ url }) => ({ url, verdict: 'pass', checks: [], durationMs: 1 }) }),
    probes: PASSING_PROBES,
    intervalMs: 1,
    out: (t) => stdout.push(t),
    progress: () => {},
    onOutput: (t) => stderr.push(t),
    interactive: () => options.answer !== undefined,
    ask: async (question) => (asked.push(question), options.answer ?? ''),
  };
  return { d, ws, stdout, stderr, asked, ops: () => ws.opsFor(STACK) };
}

describe('deploy asks before it changes anything', () => {
  // A stack file with names of the operator's own: deploy refuses the examples' reserved names.
  let removeStack = () => {};
  beforeAll(() => { removeStack = writeOwnNamesStack('production', STACK); });
  afterAll(() => removeStack());

  it('on a terminal, "y" or "yes" goes ahead after the preview was printed', async () => {
    for (const answer of ['y', 'YES', ' yes ']) {
      const t = deps({ answer });
      expect(await deployMain(['--stack', STACK], t.d)).toBe(0);
      expect(t.asked).toEqual([`Deploy these changes to ${STACK}? [y/N] `]);
      expect(t.ops()).toEqual(['createOrSelectStack', 'preview', 'up']);
      expect(t.stdout[0]).toMatch(/^Preview of own-confirm: 1 to replace/);
      expect(t.stdout[1]).toMatch(/✓ own-confirm/);
    }
  });

  it('any other answer stops with nothing changed (exit 2)', async () => {
    for (const answer of ['n', '', 'no', 'yess']) {
      const t = deps({ answer });
      const run = deployMain(['--stack', STACK], t.d);
      await expect(run).rejects.toBeInstanceOf(UsageError);
      await expect(run).rejects.toThrow(/^not confirmed: nothing was changed$/);
      expect(t.ops()).toEqual(['createOrSelectStack', 'preview']);
    }
  });

  it('without a terminal and without --yes: exit 2 naming --yes and --preview-only, never asking', async () => {
    const t = deps();
    const run = deployMain(['--stack', STACK], t.d);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(
      'deploy of own-confirm needs a confirmation, and this is not a terminal, so nobody can give it: nothing was changed.\n' +
        'Read the preview (npm run deploy -- --stack own-confirm --preview-only), then run again with --yes to deploy without asking.',
    );
    expect(t.asked).toEqual([]);
    expect(t.ops()).not.toContain('up');
  });

  it('--yes (or -y) deploys without asking, on a terminal or not', async () => {
    for (const [flag, answer] of [['--yes', undefined], ['-y', 'n']] as const) {
      const t = deps(answer === undefined ? {} : { answer });
      expect(await deployMain(['--stack', STACK, flag], t.d)).toBe(0);
      expect(t.asked).toEqual([]);
      expect(t.ops()).toEqual(['createOrSelectStack', 'preview', 'up']);
    }
  });

  it('does not ask when the preview changes nothing', async () => {
    const t = deps({ run: NOTHING });
    expect(await deployMain(['--stack', STACK], t.d)).toBe(0);
    expect(t.asked).toEqual([]);
    expect(t.stdout[0]).toContain('[unnoticed] Nothing changes: meetings are not affected.');
  });

  it('--preview-only and --dry-run print the preview and change nothing (exit 0); --json gives it as JSON', async () => {
    for (const flag of ['--preview-only', '--dry-run']) {
      const t = deps({ answer: 'y' });
      expect(await deployMain(['--stack', STACK, flag], t.d)).toBe(0);
      expect(t.ops()).toEqual(['createOrSelectStack', 'preview']);
      expect(t.asked).toEqual([]);
      expect(t.stdout.join('')).toMatch(/signaling-instance\s+aws:ec2\/instance:Instance\s+replace\s+userDataBase64 forces it/);
    }
    const t = deps();
    expect(await deployMain(['--stack', STACK, '--preview-only', '--json'], t.d)).toBe(0);
    const shown = JSON.parse(t.stdout.join(''));
    expect(shown).toMatchObject({ stack: STACK, unchanged: 29, policy: [] });
    expect(shown.changes).toEqual([expect.objectContaining({ kind: 'replace', name: 'signaling-instance', replacedBy: ['userDataBase64'] })]);
    expect(shown.impact[0]).toMatchObject({ kind: 'signaling-replaced', severity: 'interrupts' });
    await expect(deployMain(['--stack', STACK, '--preview-only', '--yes'], t.d)).rejects.toThrow(/contradict/);
  });

  it('with --json, the preview text goes to stderr for the person answering, and the JSON carries it', async () => {
    const t = deps({ answer: 'y' });
    expect(await deployMain(['--stack', STACK, '--json'], t.d)).toBe(0);
    expect(t.stderr.join('')).toMatch(/^Preview of own-confirm/);
    const outcome = JSON.parse(t.stdout.join(''));
    expect(outcome).toMatchObject({ stack: STACK, ok: true, preview: { stack: STACK, unchanged: 29 } });
  });

  it('a mandatory policy violation ends the deploy with exit 1 before asking; the preview carries the stack\'s policy settings', async () => {
    const t = deps({ answer: 'y' });
    t.ws.violations = [policyViolation('eu-region', 'region us-east-1 is not allowed', R.signalingInstance).policyEvent!];
    expect(await deployMain(['--stack', STACK, '--json'], t.d)).toBe(1);
    expect(JSON.parse(t.stdout.join(''))).toEqual({
      stack: STACK,
      ok: false,
      failure: 'the policy pack stops this deploy before any change',
      details: ['[mandatory] eu-region: region us-east-1 is not allowed (signaling-instance, aws:ec2/instance:Instance)'],
      policy: [{ policy: 'eu-region', level: 'mandatory', message: 'region us-east-1 is not allowed', resource: 'signaling-instance' }],
    });
    expect(t.asked).toEqual([]);
    expect(t.ws.policyRuns).toEqual([{ op: 'preview', stack: STACK, policy: { allowNonEuRegion: false } }]);
  });
});

describe('a configuration change previews as applied in place', () => {
  let removeStack = () => {};
  beforeAll(() => { removeStack = writeOwnNamesStack('production', STACK); });
  afterAll(() => removeStack());

  it('compares the new bundle with what the stack recorded and names what reloads; no host is replaced', async () => {
    const { loadSpecOrThrow } = await import('../../scripts/lib/cli.ts');
    const { renderBundle } = await import('../../infra/render/bundle.ts');
    const { configurationRecord, roleArchive } = await import('../../infra/render/delivery.ts');
    const spec = loadSpecOrThrow(`Pulumi.${STACK}.yaml`).spec;
    // What the stack deployed last: the same stack with the lobby the other way round.
    const before = { ...spec, lobby: !spec.lobby };
    const recorded = { signaling: configurationRecord(roleArchive(before, renderBundle(before), 'signaling', { signalingPrivateIp: '10.0.0.10' })) };
    const object = { chain: ['jitsi-eu:aws:BundleDelivery', 'aws:s3/bucketObjectv2:BucketObjectv2'], name: 'configuration-signaling-new', inputs: { key: 'bundles/signaling/new.tar.gz' } };
    const pointer = { chain: ['jitsi-eu:aws:BundleDelivery', 'aws:ssm/parameter:Parameter'], name: 'configuration-signaling-pointer', inputs: { value: 'revision=old' } };
    const t = deps({ run: previewRun([same(R.signalingInstance), create(object), update(pointer, { value: 'update' }, { value: 'revision=new' })], { same: 30, create: 1, update: 1 }) });
    t.ws.seed(STACK, undefined, { resources: 31, outputs: { url: { value: `https://${spec.domain}`, secret: false }, configuration: { value: recorded, secret: false } } });
    expect(await deployMain(['--stack', STACK, '--preview-only'], t.d)).toBe(0);
    const text = t.stdout.join('');
    expect(text).toMatch(/Configuration applied in place on the host \(revision [0-9a-f]{12} → [0-9a-f]{12}, 3 files\); Prosody reloads: Prosody re-reads its configuration; connected people stay connected/);
    expect(text).toContain('No host is replaced.');
    expect(text).not.toContain('meetings in progress end');
    expect(text).not.toContain('Stored secrets change');
    expect(text).not.toContain('Other resources change');

    // Deployed: the running hosts apply it at once and the summary says what each did.
    const applied: string[] = [];
    t.d.applyOnStack = async (s) => {
      applied.push(s.stack);
      return [{ instanceId: 'i-0abc', role: 'signaling', ok: true, revision: 'abcdef012345', changed: ['/etc/prosody/conf.d/x.cfg.lua'], services: [{ unit: 'prosody.service', action: 'reload' }] }];
    };
    t.stdout.length = 0;
    expect(await deployMain(['--stack', STACK, '--yes'], t.d)).toBe(0);
    expect(applied).toEqual([STACK]);
    expect(t.stdout.join('')).toMatch(/configuration +i-0abc \(signaling\): revision abcdef012345, 1 file changed, reload prosody\.service/);
  });
});
