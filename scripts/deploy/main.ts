// `npm run deploy -- --stack NAME`: the stack's config validated, Pulumi and AWS checked, a
// preview with the policy pack (what changes, and what that means for people in meetings), the
// operator's confirmation, then `pulumi up`, the waits and the live verification; the exit code is
// the verification's verdict.
import { stackFileFor } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { EXIT, UsageError, loadSpecOrThrow, parseCliOrHelp, rawOptionValue, refuseExampleNames, requireStackName, stackFileAdvice, warn } from '../lib/cli.ts';
import { REAL_COMMAND_DEPS, checkCredentials, type CommandDeps } from '../lib/command-deps.ts';
import { PolicyViolationError, PulumiCommandError, StackBusyError, formatViolation, type StackOutputs, type Workspace } from '../lib/workspace.ts';
import type { ChannelHostCommands } from '../lib/channel/client.ts';
import { hasChannel, stackChannel } from '../lib/channel/stack.ts';
import { DEFAULT_DRAIN_WAIT_MS, drainAhead, drainRequestScript, leavingBridges } from './bridge-drain.ts';
import { accountsCarrier, replacesAccountsNode, type AccountsCarrier } from './carry-accounts.ts';
import { keepSignalingEnv, signalingHostOf, type SendScript } from './channel-apply.ts';
import { TERMINAL_CONFIRMATION, confirmDeploy } from './confirm.ts';
import { requireDuration } from './duration.ts';
import { DEFAULT_TIMEOUTS, deployStack, type DeployFlowOptions, type Probes, type WaitTimeouts } from './flow.ts';
import { forgetRecordedImages, recordMissingImages, recordedImagesText } from './images.ts';
import { awsImageSource, type ImageSource } from '../lib/stack-images.ts';
import { type ImpactContext, meetingImpact } from './impact.ts';
import { type AppliedHost, applyOnHosts } from './applied.ts';
import { policyFinding, summarisePreview, type DeployPreview } from './preview.ts';
import { previewText, type ShownPreview } from './preview-report.ts';
import { deploySummary } from './report.ts';
import { loadVerifyRunner, type VerifyRunner } from './verify.ts';

export const DEPLOY_USAGE = `Usage: npm run deploy -- --stack NAME [--yes | --preview-only] [--json] [--no-wait] [--wait-timeout DURATION] [--drain-wait DURATION]

Deploys the stack whose config is Pulumi.NAME.yaml (next to Pulumi.yaml): validates the config,
previews the update through the Automation API with jitsi-eu's policy pack (infra/policy) and
prints what will be created, changed, replaced or deleted and what that means for people in
meetings, then asks before it changes anything. Once confirmed it runs \`pulumi up\` (with the
policy pack again) with Pulumi's output on stderr, waits until the host name points at the
public address, HTTPS answers and the host reports ready, and finally runs the live verification.
A stack that does not exist yet is created. A mandatory policy violation stops the deploy
before any change, with the policy's own message. A stack without a recorded Debian image gets
the newest one written into Pulumi.NAME.yaml (jitsi-eu:amiId), said in the preview; deploy never
moves it afterwards (npm run upgrade does). That pinning is AWS only.

On Hetzner Cloud and OpenStack (jitsi-eu:cloud) a configuration change keeps the signaling node:
after pulumi up, deploy sends the new configuration to it through the stack's channel (a signed
HTTPS request, see docs/operations.md) and reports what the host agent did; a failure exits 1
and running deploy again retries it. A new release, image or key replaces the signaling node (it
boots with the new configuration); bridges are replaced when their configuration changes. The
preview says which, and deploy asks first. Before an update that removes bridges (a lower
jitsi-eu:bridges), deploy asks them through the signaling node to take no new meetings and waits
until the meetings on them have ended (at most --drain-wait), since the provider would otherwise
cut their drain after 30 to 60 seconds; if the update then fails, they take meetings again.
When it replaces the signaling node, deploy reads the host accounts added there first and writes
them on the new node once it is ready. JITSI_EU_CHANNEL_CA names extra CA certificates (PEM
files, ':'-separated) for a site whose certificate is not publicly trusted (letsencrypt-staging).

Options:
  --stack NAME             the stack to deploy (its file must be Pulumi.NAME.yaml next to
                           Pulumi.yaml, where Pulumi reads it: there is no --config)
  --yes                    deploy without asking (for scripts and CI; needed when not on a terminal)
  --preview-only, --dry-run  print the preview and stop: nothing is changed
  --json                   print one JSON object on stdout: with --preview-only the preview;
                           otherwise stack, url, outputs (secrets masked), waits, the verification
                           report and the preview (the preview's text then goes to stderr)
  --no-wait                stop after pulumi up: no waits and no verification
  --wait-timeout DURATION  longest each wait may take, e.g. 45m (defaults: DNS 20m, HTTPS 20m, ready 30m)
  --drain-wait DURATION    Hetzner Cloud, OpenStack: longest wait for the meetings on bridges an
                           update removes, before it runs (default 1h; 0: remove them at once)
  -h, --help               show this help

Environment:
  PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE   passphrase for the stack's secrets (required)
  PULUMI_BACKEND_URL       where Pulumi keeps state (default: file://~/.pulumi-jitsi-eu, no account needed)
  JITSI_EU_SECRETS_PROVIDER  another secrets provider for new stacks, e.g. awskms://alias/jitsi-eu?region=eu-central-1
  AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ...   credentials for the target account (AWS)
  HCLOUD_TOKEN             API token of the Hetzner Cloud project (Hetzner Cloud)
  OS_CLOUD, or OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/OS_PROJECT_NAME ...   the clouds.yaml entry
                           (unless the stack file names it as openstack:cloud), or an openrc login (OpenStack)

When a wait fails (or the host reports that its boot failed, which ends the wait at once), the
summary says where to look: the instance's console output and the boot log on the host.

Exit codes: 0 deployed and verified (or previewed, with --preview-only); 1 a mandatory policy
violation, the preview or pulumi up failed, the signaling node did not apply the configuration
sent through the channel, a wait timed out, the host's boot failed or the
verification failed; 2 bad arguments, invalid config, no confirmation (declined, or not on a
terminal without --yes), or a missing Pulumi CLI, passphrase or cloud credentials.`;

export interface DeployDeps extends CommandDeps {
  loadVerify: () => Promise<{ run: VerifyRunner } | { missing: string }>;
  probes?: Probes;
  intervalMs?: number;
  /** Whether someone at a terminal can confirm. */
  interactive: () => boolean;
  /** Asks the operator one question; resolves to the answer. */
  ask: (question: string) => Promise<string>;
  /** EC2's Debian images, to record a stack's image on its first deploy (absent: nothing is recorded). */
  imageSource?: (spec: DeploymentSpec) => Promise<ImageSource>;
  /** Runs the agent on the stack's running hosts (SSM Run Command) and says what each did. */
  applyOnStack?: (spec: DeploymentSpec) => Promise<AppliedHost[]>;
  /** Between two readings of the bridges during the drain ahead (tests shorten it). */
  drainPollMs?: number;
  /** Hetzner Cloud, OpenStack: the channel to the deployed signaling node (the drain ahead of a scale-in). */
  openChannel?: (spec: DeploymentSpec, outputs: StackOutputs) => SendScript;
  /** Hetzner Cloud, OpenStack: brings a kept signaling node to the new configuration through the channel. */
  applyThroughChannel?: (spec: DeploymentSpec, outputs: StackOutputs, previousSignalingHost: string | undefined) => Promise<AppliedHost[]>;
}

/** Bound on one host's apply run (packages to install, a service to restart). */
const APPLY_TIMEOUT_MS = 10 * 60_000;

export const REAL_DEPLOY_DEPS: DeployDeps = {
  ...REAL_COMMAND_DEPS,
  loadVerify: loadVerifyRunner,
  ...TERMINAL_CONFIRMATION,
  imageSource: awsImageSource,
  applyOnStack: async (spec) => {
    const { openAwsStack } = await import('../status/deps.ts');
    const access = openAwsStack(spec.region);
    try {
      const running = (await access.inventory(spec.stack)).instances.filter((i) => i.state === 'running');
      return await applyOnHosts(access.hosts, running, APPLY_TIMEOUT_MS);
    } finally {
      access.close();
    }
  },
  openChannel: (spec, outputs) => channelSender(spec, outputs, REAL_COMMAND_DEPS.progress),
  applyThroughChannel: async (spec, outputs, previousSignalingHost) => {
    const { applyThroughChannel } = await import('./channel-apply.ts');
    const progress = REAL_COMMAND_DEPS.progress;
    return applyThroughChannel(spec, outputs, { previousSignalingHost, timeoutMs: APPLY_TIMEOUT_MS, progress, send: channelSender(spec, outputs, progress) });
  },
};

/** Sends scripts through the stack's channel, opened at the first one (a new signaling node may need none). */
function channelSender(spec: DeploymentSpec, outputs: StackOutputs, progress: (message: string) => void): SendScript {
  let channel: ChannelHostCommands | undefined;
  // One progress line per new reason, not one per try.
  let lastReason = '';
  const onRetry = (why: string) => {
    if (why !== lastReason) progress(`waiting for the signaling node's channel: ${why}`);
    lastReason = why;
  };
  return async (script, timeoutMs) => {
    channel ??= stackChannel(outputs, spec, { onRetry });
    return channel.send(script, timeoutMs);
  };
}

/** --drain-wait: a duration, or 0 for no drain ahead. */
export function drainWaitFrom(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DRAIN_WAIT_MS;
  return value.trim() === '0' ? 0 : requireDuration('--drain-wait', value);
}

/**
 * The drain ahead of an update that deletes bridges (Hetzner Cloud, OpenStack), through the
 * channel of the stack as deployed; none when nothing leaves, when --drain-wait is 0, or when the
 * stack has no channel yet (the preview says so).
 */
function drainPlan(preview: DeployPreview, deployed: StackOutputs | undefined, waitMs: number, spec: DeploymentSpec, deps: DeployDeps): DeployFlowOptions['drainAhead'] {
  const bridges = leavingBridges(preview);
  if (!bridges.length || waitMs === 0 || !deployed || !hasChannel(deployed) || !deps.openChannel) return undefined;
  const send = deps.openChannel(spec, deployed);
  return {
    run: () => drainAhead(bridges, { send, waitMs, progress: deps.progress, ...(deps.drainPollMs ? { pollMs: deps.drainPollMs } : {}) }),
    withdraw: async () => {
      const answer = await send(drainRequestScript([], 0), 60_000);
      if (answer.state !== 'answered') throw new Error(answer.detail ?? 'no answer');
    },
  };
}

/** The accounts of a signaling node this update replaces, carried to the new one through the channel. */
function accountsPlan(preview: DeployPreview, deployed: StackOutputs | undefined, spec: DeploymentSpec, deps: DeployDeps): AccountsCarrier | undefined {
  if (!deployed || !hasChannel(deployed) || !deps.openChannel || !replacesAccountsNode(preview.changes, spec)) return undefined;
  const send = deps.openChannel(spec, deployed);
  // The accounts' modules load only when a node with accounts is replaced.
  return accountsCarrier(async () => new (await import('../accounts/channel-store.ts')).ChannelAccountStore(send, APPLY_TIMEOUT_MS));
}

export function timeoutsFrom(value: string | undefined): WaitTimeouts {
  if (value === undefined) return DEFAULT_TIMEOUTS;
  const ms = requireDuration('--wait-timeout', value);
  return { dnsMs: ms, httpsMs: ms, readyMs: ms, verifyMs: DEFAULT_TIMEOUTS.verifyMs };
}

/** Why deploy takes no --config: Pulumi itself reads the stack's settings from that place. */
export const DEPLOY_CONFIG_REFUSAL = 'deploy needs the stack file as Pulumi.NAME.yaml next to Pulumi.yaml (Pulumi reads it there): use --stack NAME';

export async function deployMain(argv: string[], deps: DeployDeps = REAL_DEPLOY_DEPS): Promise<number> {
  const config = rawOptionValue(argv, 'config');
  if (config !== undefined) throw new UsageError([DEPLOY_CONFIG_REFUSAL, ...(config ? [stackFileAdvice(config)] : [])]);
  const parsed = parseCliOrHelp(
    argv,
    {
      stack: { type: 'string' },
      json: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      'preview-only': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'no-wait': { type: 'boolean' },
      'wait-timeout': { type: 'string' },
      'drain-wait': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    DEPLOY_USAGE,
    deps.out,
  );
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  const stack = requireStackName(values.stack, positionals, 'deployed');
  const timeouts = timeoutsFrom(values['wait-timeout']);
  const drainWaitMs = drainWaitFrom(values['drain-wait']);
  const previewOnly = Boolean(values['preview-only'] || values['dry-run']);
  if (previewOnly && values.yes) throw new UsageError(['--yes and --preview-only contradict each other: --preview-only never changes anything', 'run with --help for usage']);
  const { spec, warnings } = loadSpecOrThrow(stackFileFor(stack), stack);
  for (const w of warnings) warn(w);

  const workspace = await deps.openWorkspace();
  await checkCredentials(deps, spec);
  refuseExampleNames(spec, stackFileFor(stack));
  const stackAction = await workspace.createOrSelectStack(stack);
  if (stackAction === 'created') deps.progress(`created stack ${stack} in ${workspace.backendDescription}`);
  // Only AWS stacks pin an image id; elsewhere jitsi-eu:image names the provider's Debian image.
  const images = deps.imageSource && spec.cloud === 'aws' ? await recordMissingImages(spec, workspace, deps.imageSource) : undefined;
  // Outside AWS the program keeps the signaling node's user data as deployed when the node's
  // identity (release, image, packages, agent, key) is unchanged: deploy then applies the new
  // configuration through the channel instead of replacing the node.
  const previousOutputs = spec.cloud === 'aws' ? undefined : await workspace.outputs(stack).catch((): StackOutputs => ({}));
  const previousSignalingHost = previousOutputs && signalingHostOf(previousOutputs);
  const keepEnv = keepSignalingEnv(previousSignalingHost);
  const withChannel = previousOutputs !== undefined && hasChannel(previousOutputs);
  const context = spec.cloud === 'aws' ? spec : { ...spec, drainWaitMs: withChannel ? drainWaitMs : 0, carriesAccounts: withChannel && spec.auth === 'secure' };
  const previewed = await previewStack(workspace, spec, deps, context, keepEnv, previousOutputs).catch((error: unknown) => {
    forgetRecordedImages(images);
    throw error;
  });
  if ('failure' in previewed) {
    forgetRecordedImages(images);
    deps.out(values.json ? `${JSON.stringify({ stack, ok: false, ...previewed }, null, 2)}\n` : `✗ ${stack}: ${previewed.failure}\n${previewed.details.map((l) => `  ${l}\n`).join('')}`);
    return EXIT.FAILED;
  }
  const { preview } = previewed;
  const shown = images ? { ...preview, images: images.choices } : preview;
  if (previewOnly) {
    forgetRecordedImages(images);
    deps.out(values.json ? `${JSON.stringify(shown, null, 2)}\n` : previewText(preview) + recordedImagesText(images));
    return EXIT.OK;
  }
  // With --json the preview's text goes to stderr: the operator reads it before answering.
  (values.json ? deps.onOutput : deps.out)(previewText(preview) + recordedImagesText(images));
  // Outside AWS a configuration-only change touches no resource, and still reaches the signaling node.
  if (preview.changes.length || preview.impact.some((i) => i.kind === 'configuration-applied')) {
    await confirmDeploy(stack, { yes: Boolean(values.yes), interactive: deps.interactive(), ask: deps.ask }).catch((error: unknown) => {
      forgetRecordedImages(images);
      throw error;
    });
  }

  const verify = values['no-wait'] ? { missing: 'skipped (--no-wait)' } : await deps.loadVerify();
  const outcome = await deployStack(workspace, spec, {
    stackAction,
    progress: deps.progress,
    onOutput: deps.onOutput,
    wait: !values['no-wait'],
    timeouts,
    intervalMs: deps.intervalMs ?? 10_000,
    verify,
    ...(deps.probes ? { probes: deps.probes } : {}),
    ...(deps.applyOnStack && spec.cloud === 'aws' && preview.impact.some((i) => i.kind === 'configuration-applied') ? { applyConfiguration: () => deps.applyOnStack!(spec) } : {}),
    ...(deps.applyThroughChannel && spec.cloud !== 'aws' ? { applyConfiguration: (outputs: StackOutputs) => deps.applyThroughChannel!(spec, outputs, previousSignalingHost), upEnv: keepEnv } : {}),
    ...(spec.cloud !== 'aws' ? { drainAhead: drainPlan(preview, previousOutputs, drainWaitMs, spec, deps), carryAccounts: accountsPlan(preview, previousOutputs, spec, deps) } : {}),
  });
  deps.out(values.json ? `${JSON.stringify({ ...outcome, preview: shown }, null, 2)}\n` : deploySummary(outcome));
  return outcome.ok ? EXIT.OK : EXIT.FAILED;
}

export type Previewed = { preview: ShownPreview } | { failure: string; details: string[]; policy?: ShownPreview['policy'] };

/** The preview with the policy pack, summarised and put into words; a refusal or failure as data. */
/** `deployed`: the stack's outputs as deploy read them before the preview (outside AWS), to compare configurations with. */
export async function previewStack(
  workspace: Workspace,
  spec: DeploymentSpec,
  deps: Pick<DeployDeps, 'progress'>,
  context: ImpactContext = spec,
  env: Record<string, string> = {},
  deployed?: StackOutputs,
): Promise<Previewed> {
  deps.progress(`previewing the update of ${spec.stack} with the policy pack (pulumi preview --diff)`);
  try {
    const summary = summarisePreview(await workspace.preview(spec.stack, { allowNonEuRegion: spec.allowNonEuRegion }, Object.keys(env).length ? { env } : {}));
    // A configuration change shows as a new bundle object and pointer: then compare with what the
    // hosts run now, as the stack recorded it at its last deploy (none for a new stack).
    const bundleChanges = summary.unchanged > 0 && summary.changes.some((c) => c.parents.includes('jitsi-eu:aws:BundleDelivery'));
    // Rendering loads the template engine: only when a bundle changed.
    const { configurationChanges, configurationImpacts, deployedConfiguration } = await import('./configuration.ts');
    // Outside AWS nothing in the preview shows a configuration change (the signaling node keeps its
    // user data and takes the change through the channel): compare whenever the stack exists.
    const running = bundleChanges
      ? deployedConfiguration((await workspace.outputs(spec.stack).catch(() => ({})) as Record<string, unknown>).configuration)
      : deployed && summary.unchanged > 0 ? deployedConfiguration(deployed.configuration) : undefined;
    const configuration = running ? configurationImpacts(configurationChanges(spec, running), spec) : [];
    return { preview: { stack: spec.stack, ...summary, impact: meetingImpact(summary, context, configuration) } };
  } catch (error) {
    if (error instanceof PolicyViolationError) {
      return {
        failure: 'the policy pack stops this deploy before any change',
        details: error.violations.map(formatViolation),
        policy: error.violations.map(policyFinding),
      };
    }
    if (error instanceof PulumiCommandError || error instanceof StackBusyError) {
      return { failure: 'pulumi preview failed: nothing was changed', details: error.message.split('\n') };
    }
    throw error;
  }
}
