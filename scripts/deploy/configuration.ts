// What a deploy changes in the configuration the hosts run: the newly rendered bundle of each role
// against what the stack deployed last (its `configuration` output: per-file hashes), and what
// applying it in place means for people in meetings (the reload rules of infra/render/reload.ts).
import { SIGNALING_PRIVATE_IP } from '../../infra/aws/layout.ts';
import type { DeployedConfiguration } from '../../infra/program.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { roleArchive } from '../../infra/render/delivery.ts';
import { type ApplyStep, UNIT_EFFECTS, interruptsMeetings, orderSteps, stepWords, stepsForFile } from '../../infra/render/reload.ts';
import { hostRoles } from '../../infra/render/roles.ts';
import type { BundleComponent, HostRole } from '../../infra/render/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { Impact } from './impact.ts';

export interface ConfigurationChange {
  role: HostRole;
  /** The revision the stack deployed last; undefined when it recorded none. */
  from?: string;
  to: string;
  /** Bundle paths added, changed or removed. */
  files: string[];
  components: BundleComponent[];
  steps: ApplyStep[];
}

/** The stack's last `configuration` output, read defensively (an older program has none). */
export function deployedConfiguration(output: unknown): Partial<Record<HostRole, DeployedConfiguration>> | undefined {
  if (!output || typeof output !== 'object') return undefined;
  const value = (output as { value?: unknown }).value ?? output;
  return value && typeof value === 'object' ? (value as Partial<Record<HostRole, DeployedConfiguration>>) : undefined;
}

/** Per role, the files whose delivered content differs from what the stack deployed last. */
export function configurationChanges(spec: DeploymentSpec, previous: Partial<Record<HostRole, DeployedConfiguration>> | undefined): ConfigurationChange[] {
  const bundle = renderBundle(spec);
  const changes: ConfigurationChange[] = [];
  for (const role of hostRoles(spec)) {
    const archive = roleArchive(spec, bundle, role, { signalingPrivateIp: SIGNALING_PRIVATE_IP });
    const before = previous?.[role];
    if (before?.revision === archive.revision) continue;
    const now = new Map(archive.files.map((f) => [f.path, f]));
    const changed = archive.files.filter((f) => before?.files?.[f.path]?.sha256 !== f.sha256);
    const removed = Object.keys(before?.files ?? {}).filter((path) => !now.has(path));
    const removedFiles = removed.map((path) => ({ path, component: before!.files[path]!.component }));
    // A unit no file of the new bundle concerns any more is stopped, as the agent does.
    const remaining = new Set(bundle.files.filter((f) => f.roles.includes(role)).flatMap((f) => stepsForFile(f)).flatMap((s) => (s.kind === 'unit' ? [s.unit] : [])));
    const removedSteps = removedFiles.flatMap((f) => stepsForFile(f)).map((s): ApplyStep => (s.kind === 'unit' && !remaining.has(s.unit) ? { ...s, action: 'stop' } : s));
    // Prosody's reload neither adds nor removes a host or component: the agent restarts it then.
    const hostsMoved = before?.prosodyHosts !== undefined && before.prosodyHosts.join() !== archive.prosodyHosts.join();
    const prosodyRestart: ApplyStep[] = hostsMoved ? [{ kind: 'unit', unit: 'prosody.service', action: 'restart' }] : [];
    const steps = orderSteps([...changed.flatMap((f) => stepsForFile(f)), ...removedSteps, ...prosodyRestart]);
    changes.push({
      role,
      ...(before?.revision ? { from: before.revision } : {}),
      to: archive.revision,
      files: [...changed.map((f) => f.path), ...removed].sort(),
      components: [...new Set([...changed.map((f) => f.component)])].sort(),
      steps,
    });
  }
  return changes;
}

const ROLE_NAME: Record<HostRole, string> = { signaling: 'the signaling host', bridge: 'the bridges' };

/** The words for people in meetings: one line per role whose configuration changes. */
export function configurationImpacts(changes: readonly ConfigurationChange[], spec: Pick<DeploymentSpec, 'topology'>): Impact[] {
  return changes.map((change) => {
    const where = spec.topology === 'single' && change.role === 'signaling' ? 'the host' : ROLE_NAME[change.role];
    const words = stepWords(change.steps);
    const web = change.components.filter((c) => c === 'web-config' || c === 'interface-config' || c === 'privacy-notice');
    if (web.length) words.push('new visitors get the new web settings and notice; people already in a meeting keep theirs until they reload the page');
    const label = (s: ApplyStep) => (s.kind === 'unit' ? UNIT_EFFECTS[s.unit]?.label ?? s.unit : '');
    const restarts = change.steps.filter((s) => s.kind === 'unit' && s.action === 'restart').map(label);
    const stops = change.steps.filter((s) => s.kind === 'unit' && s.action === 'stop').map(label);
    const head = `Configuration applied in place on ${where} (${change.from ? `revision ${change.from} → ${change.to}` : `revision ${change.to}`}, ${change.files.length} file${change.files.length === 1 ? '' : 's'})`;
    const reloads = change.steps.filter((s) => s.kind === 'unit' && s.action === 'reload').map(label);
    const summary = [...reloads.map((l) => `${l} reloads`), ...restarts.map((l) => `${l} restarts`), ...stops.map((l) => `${l} stops`)].join(', ');
    return {
      kind: 'configuration-applied',
      severity: interruptsMeetings(change.steps) ? 'notice' : 'none',
      text: `${head}${summary ? `; ${summary}` : '; no service reloads'}: ${words.length ? words.join('; ') : 'nobody in a meeting notices'}. No host is replaced.`,
      resources: change.files.map((f) => `/${f}`),
      role: change.role,
    };
  });
}
