// deploy's preview: engine events as the Automation API returns them → what changes, per resource,
// and what that means for people in meetings, per kind of change.
import { describe, expect, it } from 'vitest';
import { SIGNALING_BOOT_MINUTES, SIGNALING_RESTART_MINUTES, meetingImpact, type Impact, type ImpactContext } from '../../scripts/deploy/impact.ts';
import { summarisePreview } from '../../scripts/deploy/preview.ts';
import { previewText } from '../../scripts/deploy/preview-report.ts';
import { DRAIN_MAX_SECONDS } from '../../infra/lifecycle.ts';
import { RESOURCES as R, create, policyViolation, previewRun, remove, replace, same, update } from '../fixtures/fake-pulumi/preview-events.ts';
import type { EngineEvent } from '../../scripts/lib/workspace.ts';

const scalable: ImpactContext = { domain: 'meet.example.org', topology: 'scalable' };
const single: ImpactContext = { domain: 'meet.example.org', topology: 'single' };

/** A preview of an existing stack of 30 resources where `steps` change and the rest stay. */
function existing(steps: EngineEvent[]) {
  const kinds = summarisePreview({ events: steps, changeSummary: {} }).changes.map((c) => c.kind);
  const counts: Record<string, number> = { same: 30 - kinds.length };
  for (const k of kinds) counts[k] = (counts[k] ?? 0) + 1;
  return summarisePreview(previewRun([same(R.signalingEip), same(R.signalingNode), ...steps], counts));
}

const impactOf = (steps: EngineEvent[], ctx = scalable): Impact[] => meetingImpact(existing(steps), ctx);
const kinds = (impacts: Impact[]) => impacts.map((i) => i.kind);

describe('summarisePreview', () => {
  it('folds the three steps of a replacement into one change, with the inputs that force it and the id of the resource it replaces', () => {
    const preview = existing(replace(R.signalingInstance, { userDataBase64: 'update-replace', 'tags.Revision': 'update' }, { deleteBeforeReplace: true }));
    expect(preview.changes).toEqual([
      {
        kind: 'replace',
        urn: 'urn:pulumi:prod::jitsi-eu::jitsi-eu:aws:SignalingNode$aws:ec2/instance:Instance::signaling-instance',
        type: 'aws:ec2/instance:Instance',
        name: 'signaling-instance',
        parents: ['jitsi-eu:aws:SignalingNode'],
        changed: ['tags', 'userDataBase64'],
        replacedBy: ['userDataBase64'],
        id: 'i-0aaaaaaaaaaaaaaaa',
      },
    ]);
    expect(preview.unchanged).toBe(29);
  });

  it('leaves out unchanged resources and component resources, and orders replacements first', () => {
    const preview = existing([create(R.signalingNode), update(R.signalingSg, { 'ingress[1]': 'add' }), ...replace(R.bridgeGroup, { namePrefix: 'update-replace' }), create(R.hostPassword)]);
    expect(preview.changes.map((c) => [c.kind, c.name])).toEqual([
      ['replace', 'bridges-group'],
      ['update', 'signaling-sg'],
      ['create', 'secrets-host-password'],
    ]);
    expect(preview.changes[1]!.changed).toEqual(['ingress']);
  });

  it('keeps the policy findings with the resource they are about', () => {
    const preview = existing([policyViolation('imdsv2-required', 'instances must require IMDSv2 tokens  ', R.signalingInstance, 'warning')]);
    expect(preview.policy).toEqual([{ policy: 'imdsv2-required', level: 'warning', message: 'instances must require IMDSv2 tokens', resource: 'signaling-instance' }]);
  });
});

describe('what a preview means for people in meetings', () => {
  it('nothing changes', () => {
    expect(impactOf([])).toEqual([{ kind: 'nothing', severity: 'none', text: 'Nothing changes: meetings are not affected.', resources: [] }]);
  });

  it('a new deployment: nobody is in a meeting yet', () => {
    const preview = summarisePreview(previewRun([create(R.signalingInstance), create(R.dnsRecord), create(R.subnet)], { create: 3 }));
    const [impact, ...rest] = meetingImpact(preview, scalable);
    expect(rest).toEqual([]);
    expect(impact).toMatchObject({ kind: 'new-deployment', severity: 'none' });
    expect(impact!.text).toBe(`A new deployment is created: nobody is in a meeting on it yet; meet.example.org answers about ${SIGNALING_BOOT_MINUTES} minutes after the update.`);
  });

  it('the signaling host is replaced: meetings end, about N minutes without service, naming what forces it', () => {
    const [impact] = impactOf(replace(R.signalingInstance, { userDataBase64: 'update-replace' }, { deleteBeforeReplace: true }));
    expect(impact!.severity).toBe('interrupts');
    expect(impact!.text).toMatch(
      new RegExp(`^The signaling host is replaced \\(userDataBase64 forces it\\): meetings in progress end; about ${SIGNALING_BOOT_MINUTES} minutes without service`),
    );
    expect(impact!.text).toContain('The public address stays. Anything kept only on the old host');
  });

  it('a replaced Elastic IP moves the site to a new address, and the host\'s words no longer promise the old one', () => {
    const impacts = impactOf([...replace(R.signalingEip, { domain: 'update-replace' }), ...replace(R.signalingInstance, { userDataBase64: 'update-replace' })]);
    expect(kinds(impacts)).toEqual(['signaling-replaced', 'address-changes']);
    expect(impacts[0]!.text).not.toContain('address stays');
    expect(impacts[1]!.text).toBe('The public address of meet.example.org changes: connected clients lose the site until DNS points at the new address.');
  });

  it('on a single node, says that the host carries the whole deployment', () => {
    const [impact] = impactOf(replace(R.signalingInstance, { ami: 'update-replace' }), single);
    expect(impact!.text).toMatch(/^The host \(it runs the whole deployment, videobridge included\) is replaced \(ami forces it\)/);
  });

  it('a new instance type stops and starts the host; tags alone change nothing anyone notices', () => {
    const [restart] = impactOf([update(R.signalingInstance, { instanceType: 'update' })]);
    expect(restart).toMatchObject({ kind: 'signaling-restarted', severity: 'interrupts' });
    expect(restart!.text).toBe(`The signaling host is stopped and started to change instanceType: meetings in progress end; about ${SIGNALING_RESTART_MINUTES} minutes without service.`);
    const [tags] = impactOf([update(R.signalingInstance, { 'tags.Owner': 'update' })]);
    expect(tags).toMatchObject({ kind: 'signaling-updated', severity: 'none' });
    expect(tags!.text).toBe('The signaling host is updated in place (tags): it keeps running; meetings are not affected.');
    const [unknown] = impactOf([update(R.signalingInstance, { hibernation: 'update' })]);
    expect(unknown).toMatchObject({ kind: 'signaling-may-restart', severity: 'notice' });
  });

  it('bridges roll through the instance refresh and the graceful drain, and the words say how long it may take', () => {
    const impacts = impactOf([update(R.bridgeTemplate, { userData: 'update' }), update(R.bridgeGroup, { 'launchTemplate.version': 'update' })]);
    expect(kinds(impacts)).toEqual(['bridges-rolled']);
    const [rolled] = impacts;
    expect(rolled!.severity).toBe('notice');
    expect(rolled!.resources).toEqual(['bridges-template', 'bridges-group']);
    expect(rolled!.text).toContain('instance refresh and the graceful drain: new bridges start before old ones leave');
    expect(rolled!.text).toContain(`meetings on it continue until they end — after ${DRAIN_MAX_SECONDS / 3600} hours Jicofo moves whoever is left`);
  });

  it('the bridge pool changes size: bridges that leave drain', () => {
    const impacts = impactOf([update(R.bridgeGroup, { maxSize: 'update', minSize: 'update' })]);
    expect(impacts).toEqual([
      {
        kind: 'bridge-pool-size',
        severity: 'none',
        text: "The bridge pool's limits change (maxSize, minSize): bridges that leave drain first (meetings on them continue); new ones take meetings once booted.",
        resources: ['bridges-group'],
      },
    ]);
  });

  it('a replaced bridge group ends the meetings on its bridges (its drain hook goes first)', () => {
    const impacts = impactOf([...replace(R.bridgeGroup, { namePrefix: 'update-replace' }), ...replace(R.bridgeHook, { autoscalingGroupName: 'update-replace' })]);
    expect(kinds(impacts)).toEqual(['bridges-replaced', 'bridge-rules']);
    expect(impacts[0]!.severity).toBe('interrupts');
    expect(impacts[0]!.text).toContain('its bridges end without draining and meetings on them end');
  });

  it('DNS record changes: new visitors may reach the old address for up to the old TTL', () => {
    const record = { ...R.dnsRecord, inputs: { ...R.dnsRecord.inputs, ttl: 60 } };
    expect(impactOf([update(record, { 'records[0]': 'update' })])).toEqual([
      { kind: 'dns-changes', severity: 'notice', text: 'The DNS record of meet.example.org changes (records): new visitors may reach the old address for up to 60 seconds.', resources: ['dns-site'] },
    ]);
    const [removed] = impactOf([remove(R.dnsRecord)]);
    expect(removed).toMatchObject({ kind: 'dns-removed', severity: 'interrupts' });
    expect(removed!.text).toContain('up to 300 seconds');
  });

  it('firewall, secrets, permissions and everything else', () => {
    const provider = { chain: ['pulumi:providers:aws'], name: 'aws-eu', inputs: { region: 'eu-central-1' } };
    const impacts = impactOf([
      update(R.signalingSg, { 'ingress[2]': 'add' }),
      update(R.hostPassword, { value: 'update' }),
      update(R.instanceRole, { assumeRolePolicy: 'update' }),
      update(provider, { defaultTags: 'update' }),
    ]);
    expect(impacts.map((i) => [i.kind, i.severity, i.text])).toEqual([
      ['secrets-change', 'notice', 'Stored secrets change: hosts read their secrets when they boot, so running hosts keep the old values until they are replaced.'],
      ['firewall-changes', 'none', 'Firewall rules change in place (ingress): the hosts keep running; connections on ports that stay open are not affected.'],
      ['other-changes', 'none', 'Other resources change (Role, aws provider): meetings are not affected.'],
    ]);
  });

  it('a rebuilt network takes the hosts with it', () => {
    const [impact] = impactOf([...replace(R.subnet, { cidrBlock: 'update-replace' })]);
    expect(impact).toMatchObject({ kind: 'network-rebuilt', severity: 'interrupts' });
  });

  it('lists what ends meetings first', () => {
    const impacts = impactOf([update(R.instanceRole, { assumeRolePolicy: 'update' }), update(R.dnsRecord, { 'records[0]': 'update' }), ...replace(R.signalingInstance, { userDataBase64: 'update-replace' })]);
    expect(kinds(impacts)).toEqual(['signaling-replaced', 'dns-changes', 'other-changes']);
  });
});

describe('previewText', () => {
  it('prints the table (resource, type, action, what changes) and the words', () => {
    const preview = existing([...replace(R.signalingInstance, { userDataBase64: 'update-replace', 'tags.Revision': 'update' }), update(R.dnsRecord, { 'records[0]': 'update' }), policyViolation('required-tags', 'tag jitsi-eu:owner is missing', R.dnsRecord, 'warning')]);
    const text = previewText({ stack: 'prod', ...preview, impact: meetingImpact(preview, scalable) });
    const lines = text.split('\n').map((l) => l.trim());
    expect(lines[0]).toBe('Preview of prod: 1 to replace, 1 to change, 0 to create, 0 to delete, 28 unchanged');
    expect(lines.find((l) => l.startsWith('signaling-instance'))).toMatch(/^signaling-instance\s+aws:ec2\/instance:Instance\s+replace\s+userDataBase64 forces it; also tags$/);
    expect(lines.find((l) => l.startsWith('dns-site'))).toMatch(/^dns-site\s+aws:route53\/record:Record\s+change\s+records$/);
    expect(text).toContain('What this means for people in meetings:\n  [ends meetings] The signaling host is replaced (userDataBase64 forces it)');
    expect(text).toContain('  [noticeable] The DNS record of meet.example.org changes (records)');
    expect(text).toContain('Policy pack findings:\n  [warning] required-tags: tag jitsi-eu:owner is missing (dns-site)');
  });
});
