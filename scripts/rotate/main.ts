// `npm run rotate -- --stack NAME`: what rotating each secret means, Pulumi's preview (only the
// secrets may change), the operator's confirmation, new values made by Pulumi, then the hosts
// pick them up (signaling host first, then the bridge pool) and the report says what each did.
import { stackFileFor } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { EXIT, UsageError, loadSpecOrThrow, parseCliOrHelp, requireStackName, warn } from '../lib/cli.ts';
import { REAL_COMMAND_DEPS, type CommandDeps } from '../lib/command-deps.ts';
import { PolicyViolationError, PulumiCommandError, StackBusyError, StackMissingError, formatViolation, type StackOutputs, type Workspace } from '../lib/workspace.ts';
import { signalingServerId, stackChannel } from '../lib/channel/stack.ts';
import type { HostAnswer } from '../lib/host-commands.ts';
import { rotateOnSignalingNode } from './channel.ts';
import { TERMINAL_CONFIRMATION } from '../deploy/confirm.ts';
import { requireDuration } from '../deploy/duration.ts';
import { summarisePreview, type ResourceChange } from '../deploy/preview.ts';
import { pickUpNewValues, type PickupResult, type StackHosts } from './hosts.ts';
import { planText, rotationPlan, type RotationPlan } from './plan.ts';
import { previewProblems, rotationScope } from './pulumi.ts';
import { reportText, rotationReport } from './report.ts';
import { DEFAULT_ROTATION, parseSecretList, secretsToRotate } from './secrets.ts';

export const ROTATE_USAGE = `Usage: npm run rotate -- --stack NAME [--only SECRET,...] [--yes | --preview-only] [--json]
                          [--hosts-only] [--host-timeout DURATION]

Renews secrets of a deployed stack and makes its hosts use them, without dropping meetings where
Jitsi allows it. First it says, per secret, what rotating it means on the hosts and for people in
meetings, with Pulumi's preview (only the secrets' generators and their SSM parameters may
change: no host, no user data), then asks. Once confirmed, Pulumi makes the new values and
stores them in SSM; the signaling host runs its agent (jitsi-eu-apply), which gives Prosody the
new service passwords (connected sessions stay) and reloads or restarts only what uses them; then
the bridge pool follows (a new videobridge password reaches it through an instance refresh: new
bridges boot with it while the old ones drain). The report lists what each host did. No secret
value is ever printed.

Secrets (--only takes a comma-separated list; without it: ${DEFAULT_ROTATION.join(', ')}):
  focus-password   jicofo's XMPP account; jicofo restarts
  jvb-password     the videobridges' XMPP account; a single node's videobridge restarts
  turn-secret      coturn's shared secret for TURN credentials (stacks with TURN)
  jwt-app-secret   signs hosts' tokens (auth: jwt). Only when named: your organisation's token
                   issuer must switch to the new secret at the same moment, because tokens
                   signed with the old one stop working
Host accounts are not rotated here: npm run accounts -- reset-password --stack NAME gives one a
new password.

Options:
  --stack NAME             the deployed stack (its file is Pulumi.NAME.yaml next to Pulumi.yaml)
  --only SECRET,...        rotate these secrets only
  --yes                    rotate without asking (for scripts; needed when not on a terminal)
  --preview-only           print what would happen and stop: nothing is changed
  --json                   one JSON object on stdout (the words of the preview go to stderr)
  --hosts-only             skip the new values: only make the hosts pick up those already in SSM
                           (what a failed run says to run once a host answers again)
  --host-timeout DURATION  longest to wait for the hosts' answers, e.g. 20m (default 10m)
  -h, --help               show this help

Environment: as for npm run deploy (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE,
PULUMI_BACKEND_URL, AWS credentials).

On Hetzner Cloud and OpenStack the signaling node made every service secret itself and keeps it
on its disk: through the stack's channel it drops the old values and runs jitsi-eu-apply, which
makes new ones there (they never leave the node). No Pulumi preview or update: nothing in the
stack changes, and only the Pulumi CLI and passphrase are needed (the channel key is a stack
output). A pool's bridges fetched the videobridge password once, at boot, so jvb-password is not
rotated there (it changes with a new signaling node, which brings new bridges).

Exit codes: 0 rotated and every host took the new values (or previewed, with --preview-only);
1 the preview shows changes beyond the secrets, a policy violation, pulumi up failed, or a host
failed or did not answer (the report says what to run to retry); 2 bad arguments (such as an
unknown secret name), invalid config, a stack that is not deployed, no confirmation, or a missing
Pulumi CLI, passphrase or AWS credentials.`;

const DEFAULT_HOST_TIMEOUT_MS = 10 * 60_000;

export interface RotateDeps extends CommandDeps {
  /** Whether someone at a terminal can confirm. */
  interactive: () => boolean;
  ask: (question: string) => Promise<string>;
  openHosts: (region: string) => Promise<StackHosts>;
  /** Hetzner Cloud, OpenStack: the channel to the signaling node, from the stack's outputs (default: the stack's own). */
  openChannel?: (spec: DeploymentSpec, outputs: StackOutputs) => { send: (script: string, timeoutMs: number) => Promise<HostAnswer> };
  now: () => Date;
}

export const REAL_ROTATE_DEPS: RotateDeps = {
  ...REAL_COMMAND_DEPS,
  ...TERMINAL_CONFIRMATION,
  // The AWS SDK loads only once a rotation reaches its hosts.
  openHosts: async (region) => (await import('./aws.ts')).openAwsStackHosts(region),
  now: () => new Date(),
};

/** Pulumi's part of the preview, for the words and --json. */
interface PulumiPreview {
  changes: Pick<ResourceChange, 'kind' | 'name' | 'type'>[];
}

export async function rotateMain(argv: string[], deps: RotateDeps = REAL_ROTATE_DEPS): Promise<number> {
  const parsed = parseCliOrHelp(
    argv,
    {
      stack: { type: 'string' },
      only: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'preview-only': { type: 'boolean' },
      json: { type: 'boolean' },
      'hosts-only': { type: 'boolean' },
      'host-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    ROTATE_USAGE,
    deps.out,
  );
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  const stack = requireStackName(values.stack, positionals, 'rotated');
  const named = parseSecretList(values.only, stack);
  const previewOnly = Boolean(values['preview-only']);
  const yes = Boolean(values.yes);
  if (previewOnly && yes) throw new UsageError(['--yes and --preview-only contradict each other: --preview-only never changes anything', 'run with --help for usage']);
  const timeoutMs = values['host-timeout'] === undefined ? DEFAULT_HOST_TIMEOUT_MS : requireDuration('--host-timeout', values['host-timeout']);
  const hostsOnly = Boolean(values['hosts-only']);

  const { spec, warnings } = loadSpecOrThrow(stackFileFor(stack), stack);
  for (const w of warnings) warn(w);
  const plan = rotationPlan(secretsToRotate(named, spec), spec);
  if (spec.cloud !== 'aws') return rotateThroughChannel(plan, spec, { previewOnly, yes, hostsOnly, json: Boolean(values.json), timeoutMs }, deps);

  let workspace: Workspace | undefined;
  let pulumi: PulumiPreview | undefined;
  if (!hostsOnly) {
    workspace = await deps.openWorkspace();
    await deps.requireCredentials(spec.region);
    const previewed = await previewRotation(workspace, plan, spec, deps);
    if ('failure' in previewed) {
      deps.out(values.json ? `${JSON.stringify({ stack, ok: false, ...previewed }, null, 2)}\n` : `✗ ${stack}: ${previewed.failure}\n${previewed.details.map((l) => `  ${l}\n`).join('')}`);
      return EXIT.FAILED;
    }
    pulumi = previewed;
  } else {
    await deps.requireCredentials(spec.region);
  }

  const text = previewText(plan, pulumi);
  if (previewOnly) {
    deps.out(values.json ? `${JSON.stringify({ stack, secrets: plan.secrets, bridges: plan.bridges, impacts: plan.impacts, ...(pulumi ? { pulumi } : {}) }, null, 2)}\n` : text);
    return EXIT.OK;
  }
  (values.json ? deps.onOutput : deps.out)(text);
  await confirmRotation(plan, hostsOnly, { yes, interactive: deps.interactive(), ask: deps.ask });

  let renewedAt: string | undefined;
  if (workspace) {
    deps.progress(`pulumi up for ${stack}: new values for ${plan.secrets.join(', ')}`);
    try {
      await workspace.up(stack, deps.onOutput, { allowNonEuRegion: spec.allowNonEuRegion }, rotationScope(stack, plan.secrets));
    } catch (error) {
      const details = error instanceof PolicyViolationError ? error.violations.map(formatViolation) : (error as Error).message.split('\n');
      const failure = 'pulumi up failed: the hosts were not asked. Run the same command again (it makes new values each time).';
      deps.out(values.json ? `${JSON.stringify({ stack, ok: false, failure, details }, null, 2)}\n` : `✗ ${stack}: ${failure}\n${details.map((l) => `  ${l}\n`).join('')}`);
      return EXIT.FAILED;
    }
    renewedAt = deps.now().toISOString();
  }

  const pickup = await pickUp(plan, spec.region, timeoutMs, deps);
  const report = rotationReport({ stack, secrets: plan.secrets, renewed: !hostsOnly, ...(renewedAt ? { renewedAt } : {}) }, pickup, yes);
  deps.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
  return report.ok ? EXIT.OK : EXIT.FAILED;
}

interface RunChoices {
  previewOnly: boolean;
  yes: boolean;
  hostsOnly: boolean;
  json: boolean;
  timeoutMs: number;
}

/**
 * Hetzner Cloud, OpenStack: the signaling node makes the new values itself (channel.ts), so
 * there is no Pulumi preview or update, only the stack's outputs, which hold its channel.
 */
async function rotateThroughChannel(plan: RotationPlan, spec: DeploymentSpec, run: RunChoices, deps: RotateDeps): Promise<number> {
  const text = planText(plan);
  if (run.previewOnly) {
    deps.out(run.json ? `${JSON.stringify({ stack: plan.stack, secrets: plan.secrets, bridges: plan.bridges, impacts: plan.impacts }, null, 2)}\n` : text);
    return EXIT.OK;
  }
  const workspace = await deps.openWorkspace();
  const outputs = await workspace.outputs(spec.stack).catch((error: unknown) => {
    if (error instanceof StackMissingError) throw new UsageError([`stack ${spec.stack} does not exist in ${workspace.backendDescription}: only a deployed stack has secrets to rotate`, `deploy it with npm run deploy -- --stack ${spec.stack}, or check PULUMI_BACKEND_URL`]);
    throw error;
  });
  // A stack without a channel is told so before anyone is asked to confirm.
  const channel = deps.openChannel?.(spec, outputs) ?? stackChannel(outputs, spec);
  (run.json ? deps.onOutput : deps.out)(text);
  await confirmRotation(plan, run.hostsOnly, { yes: run.yes, interactive: deps.interactive(), ask: deps.ask });
  const pickup = await rotateOnSignalingNode(plan, { send: (script, ms) => channel.send(script, ms), serverId: signalingServerId(outputs), renew: !run.hostsOnly, timeoutMs: run.timeoutMs, progress: deps.progress }).catch(
    (error: unknown): PickupResult => ({ ok: false, hosts: [], problem: `the signaling node could not be asked: ${(error as Error).message}` }),
  );
  const report = rotationReport({ stack: plan.stack, secrets: plan.secrets, renewed: !run.hostsOnly, keptIn: 'signaling-node', ...(pickup.ok ? { renewedAt: deps.now().toISOString() } : {}) }, pickup, run.yes);
  deps.out(run.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
  return report.ok ? EXIT.OK : EXIT.FAILED;
}

/** The hosts' part; an AWS error on the way is a failed pickup (with its retry), not a crash, since the new values exist by now. */
async function pickUp(plan: RotationPlan, region: string, timeoutMs: number, deps: RotateDeps): Promise<PickupResult> {
  let access: StackHosts | undefined;
  try {
    access = await deps.openHosts(region);
    return await pickUpNewValues(plan, access, { timeoutMs, progress: deps.progress });
  } catch (error) {
    return { ok: false, hosts: [], problem: `the hosts could not be asked: ${(error as Error).message}` };
  } finally {
    access?.close();
  }
}

type Previewed = PulumiPreview | { failure: string; details: string[] };

/** Pulumi's preview of the rotation, and the check that nothing but the secrets would change. */
async function previewRotation(workspace: Workspace, plan: RotationPlan, spec: DeploymentSpec, deps: RotateDeps): Promise<Previewed> {
  deps.progress(`previewing new values for ${plan.secrets.join(', ')} (pulumi preview --replace, with the policy pack)`);
  let summary;
  try {
    summary = summarisePreview(await workspace.preview(plan.stack, { allowNonEuRegion: spec.allowNonEuRegion }, rotationScope(plan.stack, plan.secrets)));
  } catch (error) {
    if (error instanceof StackMissingError) {
      throw new UsageError([`stack ${plan.stack} does not exist in ${workspace.backendDescription}: only a deployed stack has secrets to rotate`, `deploy it with npm run deploy -- --stack ${plan.stack}, or check PULUMI_BACKEND_URL`]);
    }
    if (error instanceof PolicyViolationError) return { failure: 'the policy pack stops this rotation before any change', details: error.violations.map(formatViolation) };
    if (error instanceof PulumiCommandError || error instanceof StackBusyError) return { failure: 'pulumi preview failed: nothing was changed', details: error.message.split('\n') };
    throw error;
  }
  const problems = previewProblems(summary, plan.stack, plan.secrets);
  if (problems.length) return { failure: 'the preview is not the rotation alone (only the secrets may change, and each must), so nothing was changed', details: problems };
  return { changes: summary.changes.map(({ kind, name, type }) => ({ kind, name, type })) };
}

function previewText(plan: RotationPlan, pulumi: PulumiPreview | undefined): string {
  const pulumiLine = pulumi
    ? `Pulumi's preview: ${pulumi.changes.filter((c) => c.kind === 'replace').length} password generators replaced and ${pulumi.changes.filter((c) => c.kind === 'update').length} SSM parameters updated; nothing else changes.`
    : 'The values now in SSM are kept (--hosts-only): only the hosts are asked.';
  return `${planText(plan)}${pulumiLine}\n`;
}

interface Confirmation {
  yes: boolean;
  interactive: boolean;
  ask: (question: string) => Promise<string>;
}

/** Resolves when the rotation may go ahead; a UsageError (exit 2) when it may not. */
async function confirmRotation(plan: RotationPlan, hostsOnly: boolean, confirmation: Confirmation): Promise<void> {
  if (confirmation.yes) return;
  if (!confirmation.interactive) {
    throw new UsageError([
      `rotating secrets of ${plan.stack} needs a confirmation, and this is not a terminal, so nobody can give it: nothing was changed.`,
      `Read the preview (npm run rotate -- --stack ${plan.stack} --preview-only), then run again with --yes.`,
    ]);
  }
  const question = hostsOnly ? `Make the hosts of ${plan.stack} pick up ${plan.secrets.join(', ')}? [y/N] ` : `Rotate ${plan.secrets.join(', ')} of ${plan.stack}? [y/N] `;
  const answer = await confirmation.ask(question);
  if (!/^\s*y(es)?\s*$/i.test(answer)) throw new UsageError('not confirmed: nothing was changed');
}
