// The preview's words for the changes an upgrade makes, per role: a new Debian image, a new Jitsi
// release, a new instance type; and when the signaling host's outage happens.
import { describe, expect, it } from 'vitest';
import { SIGNALING_BOOT_MINUTES, SIGNALING_RESTART_MINUTES, meetingImpact, type Impact, type ImpactContext } from '../../scripts/deploy/impact.ts';
import { summarisePreview } from '../../scripts/deploy/preview.ts';
import { upgradeText } from '../../scripts/upgrade/main.ts';
import { RESOURCES as R, previewRun, replace, same, update } from '../fixtures/fake-pulumi/preview-events.ts';
import type { EngineEvent } from '../../scripts/lib/workspace.ts';

const OLD = 'ami-0aaaaaaaaaaaaaaa1';
const NEW = 'ami-0bbbbbbbbbbbbbbb2';
const ctx = (upgrade: ImpactContext['upgrade'], topology: ImpactContext['topology'] = 'scalable'): ImpactContext => ({ domain: 'meet.example.org', topology, ...(upgrade ? { upgrade } : {}) });

function preview(steps: EngineEvent[]) {
  const changed = summarisePreview({ events: steps, changeSummary: {} }).changes;
  return summarisePreview(previewRun([same(R.signalingEip), ...steps], { same: 30 - changed.length, replace: changed.filter((c) => c.kind === 'replace').length, update: changed.filter((c) => c.kind === 'update').length }));
}
const impacts = (steps: EngineEvent[], context: ImpactContext): Impact[] => meetingImpact(preview(steps), context);
const byKind = (list: Impact[], kind: string) => list.find((i) => i.kind === kind)!;

const newImage = [...replace(R.signalingInstance, { ami: 'update-replace' }, { deleteBeforeReplace: true }), update(R.bridgeTemplate, { imageId: 'update' }), update(R.bridgeGroup, { 'launchTemplate.version': 'update' })];
const newRelease = [...replace(R.signalingInstance, { userDataBase64: 'update-replace' }, { deleteBeforeReplace: true }), update(R.bridgeTemplate, { userData: 'update' })];

describe('an upgrade in words', () => {
  it('a new Debian image: the signaling host is replaced onto it, meetings on it end, bridges move without dropping anyone', () => {
    const list = impacts(newImage, ctx({ image: { signaling: { from: OLD, to: NEW }, bridge: { from: OLD, to: NEW } } }));
    const signaling = byKind(list, 'signaling-replaced');
    expect(signaling.severity).toBe('interrupts');
    expect(signaling.text).toContain(`meetings in progress end; about ${SIGNALING_BOOT_MINUTES} minutes without service`);
    expect(signaling.text).toContain(`The new host gets the Debian image ${NEW} (from ${OLD}).`);
    const bridges = byKind(list, 'bridges-rolled');
    expect(bridges.severity).toBe('notice');
    expect(bridges.text).toMatch(new RegExp(`^Bridges move to the Debian image ${NEW} \\(from ${OLD}\\): meetings move to new bridges only when they end, so nobody is dropped`));
    expect(bridges.text).toContain('new bridges start before old ones leave (capacity never drops below 100 %)');
  });

  it('a new Jitsi release: named on both roles when the upgrade says so', () => {
    const list = impacts(newRelease, ctx({ jitsi: { from: '10655', to: '10710' } }));
    expect(byKind(list, 'signaling-replaced').text).toContain('The new host gets Jitsi release 10710 (from 10655).');
    expect(byKind(list, 'bridges-rolled').text).toMatch(/^Bridges move to Jitsi release 10710 \(from 10655\): meetings move to new bridges only when they end/);
  });

  it('new user data outside an upgrade is not called a new release', () => {
    const list = impacts(newRelease, ctx(undefined));
    expect(byKind(list, 'signaling-replaced').text).not.toContain('Jitsi release');
    expect(byKind(list, 'bridges-rolled').text).toMatch(/^Bridges are replaced through/);
  });

  it('a new instance type: the single host stops and starts; a bridge type rolls the bridges', () => {
    const host = impacts([update(R.signalingInstance, { instanceType: 'update' })], ctx({ instanceType: { from: 'c6i.xlarge', to: 'c6i.2xlarge' } }, 'single'));
    expect(host).toHaveLength(1);
    expect(host[0]!.kind).toBe('signaling-restarted');
    expect(host[0]!.text).toBe(
      `The host (it runs the whole deployment, videobridge included) is stopped and started to change instanceType: meetings in progress end; about ${SIGNALING_RESTART_MINUTES} minutes without service. It comes back with instance type c6i.2xlarge (from c6i.xlarge).`,
    );
    const pool = impacts([update(R.bridgeTemplate, { instanceType: 'update' })], ctx({ bridgeInstanceType: { from: 'c6i.2xlarge', to: 'c7i.2xlarge' } }));
    expect(pool.map((i) => i.kind)).toEqual(['bridges-rolled']);
    expect(pool[0]!.text).toMatch(/^Bridges move to instance type c7i\.2xlarge \(from c6i\.2xlarge\): meetings move/);
  });
});

describe('when the signaling host goes', () => {
  const plan = { values: { 'jitsi-eu:amiId': NEW }, images: [], facts: {}, lines: [`jitsi-eu:amiId: ${OLD} → ${NEW}`] };
  const shown = (steps: EngineEvent[]) => ({ stack: 'prod', ...preview(steps), impact: impacts(steps, ctx({ image: { signaling: { from: OLD, to: NEW } } })) });

  it('without a window: right after confirmation, saying meetings end and for how long', () => {
    const text = upgradeText('prod', plan, shown(newImage), { whenIdle: false, maxWaitMs: 7_200_000 });
    expect(text).toContain(`When:\n  The update starts right after confirmation: meetings in progress end; about ${SIGNALING_BOOT_MINUTES} minutes without service.`);
  });

  it('with --when-idle and --at: the time, then no meeting, within the bound', () => {
    const text = upgradeText('prod', plan, shown(newImage), { whenIdle: true, maxWaitMs: 7_200_000, at: new Date('2026-12-07T22:00:00Z') });
    expect(text).toContain('The update starts at 2026-12-07T22:00:00.000Z.');
    expect(text).toContain('It starts once the signaling host reports no meeting from then on; if meetings are still running after 2h, nothing is changed.');
  });

  it('when only bridges change, nothing waits', () => {
    const text = upgradeText('prod', plan, shown([update(R.bridgeTemplate, { imageId: 'update' })]), { whenIdle: true, maxWaitMs: 7_200_000 });
    expect(text).toContain('The signaling host keeps running: the update starts right after confirmation.');
  });
});
