// `npm run upgrade -- --stack NAME ...`: a new Debian image, Jitsi release or instance type for a
// deployed stack. The choice is written into Pulumi.NAME.yaml, previewed through deploy's own
// preview (with the policy pack) and put into words, confirmed, optionally held until a window
// the operator chose (--at, --when-idle), then applied with deploy's update, waits and
// verification. Until the update starts, the stack file is put back as it was whenever the
// upgrade stops: preview only, refusal, a window that never came.
import { basename } from 'node:path';
import { SIGNALING_BOOT_MINUTES } from '../deploy/impact.ts';
import { stackFileFor } from '../../infra/spec/index.ts';
import { requireDuration, formatDuration } from '../deploy/duration.ts';
import { deployStack } from '../deploy/flow.ts';
import { previewStack } from '../deploy/main.ts';
import { previewText, type ShownPreview } from '../deploy/preview-report.ts';
import { deploySummary } from '../deploy/report.ts';
import { DEFAULT_TIMEOUTS } from '../deploy/flow.ts';
import { refuseOutsideAws } from '../lib/aws-only.ts';
import { EXIT, UsageError, loadSpecOrThrow, parseCliOrHelp, requireStackName, warn } from '../lib/cli.ts';
import { editStackFile, restoreStackFile } from '../lib/stack-file-edit.ts';
import { StackMissingError, type StackOutputs } from '../lib/workspace.ts';
import { CHECKED_JITSI_RELEASES, checkRequest, planUpgrade, type UpgradePlan, type UpgradeRequest } from './choices.ts';
import { signalingConferences } from './conferences.ts';
import { REAL_UPGRADE_DEPS, type UpgradeDeps } from './deps.ts';
import { DEFAULT_MAX_WAIT, parseAt, waitUntilIdle, waitUntilTime } from './window.ts';

export const UPGRADE_USAGE = `Usage: npm run upgrade -- --stack NAME [--image latest|ami-...] [--jitsi VERSION]
         [--instance-type T] [--bridge-instance-type T] [--when-idle [--max-wait DURATION]] [--at TIME]
         [--yes | --preview-only] [--json]

Moves a deployed stack to a new Debian image, Jitsi release or instance type: writes the choice
into Pulumi.NAME.yaml (comments and order kept), previews the update with the policy pack and says
what it means for people in meetings, asks, then runs the update, waits for the site and verifies it.
Bridges roll through their Auto Scaling group's instance refresh: new bridges start first, a
leaving bridge takes no new meeting and keeps its meetings until they end. The signaling host is
replaced: meetings on it end and the site is down for about ${SIGNALING_BOOT_MINUTES} minutes, so choose when with
--at or --when-idle. Nothing is written when the upgrade stops before the update.

Options:
  --stack NAME                 the deployed stack (Pulumi.NAME.yaml next to Pulumi.yaml)
  --image latest|ami-...       latest: the newest Debian 12 image in the stack's region (for each
                               architecture the stack runs); or a given image of that region
  --jitsi VERSION              a Jitsi stable release jitsi-eu has checked: ${CHECKED_JITSI_RELEASES.join(', ')}
  --instance-type T            the signaling node's (single topology: the host's) instance type
  --bridge-instance-type T     the bridges' instance type (scalable topology)
  --when-idle                  start the update only once the signaling host reports no meeting
                               (asked through SSM every minute, progress on stderr)
  --max-wait DURATION          how long --when-idle waits at most (default ${DEFAULT_MAX_WAIT}); then it stops,
                               changing nothing (exit 1)
  --at TIME                    start the update at TIME: HH:MM (UTC, the next such time) or an ISO 8601
                               instant with its zone (2026-12-07T22:00:00Z); with --when-idle, waiting
                               for no meeting starts then
  --yes                        do not ask (for scripts; needed when not on a terminal)
  --preview-only               print what would change and stop: nothing is written or changed
  --json                       one JSON object on stdout (the preview's text goes to stderr)
  -h, --help                   show this help

Environment: as for npm run deploy (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE,
PULUMI_BACKEND_URL, AWS credentials).

AWS stacks only: on Hetzner Cloud and OpenStack an upgrade is a stack file change and a deploy, so
the command refuses such a stack (exit 2) and says what to do instead.

Exit codes: 0 upgraded and verified (or previewed, or nothing to change); 1 the preview or the
update failed, the verification failed, or --when-idle found meetings still running after
--max-wait; 2 bad arguments (a release or type jitsi-eu does not allow: the message lists the
allowed ones), invalid config, no confirmation, a stack that is not deployed, or missing tools.`;

/** Impact kinds that take the signaling host (and every meeting on it) away for a while. */
const SIGNALING_DOWN = new Set(['signaling-replaced', 'signaling-restarted', 'signaling-removed']);

interface Window {
  at?: Date;
  whenIdle: boolean;
  maxWaitMs: number;
}

function windowLines(preview: ShownPreview, window: Window): string[] {
  if (!preview.impact.some((i) => SIGNALING_DOWN.has(i.kind))) return ['The signaling host keeps running: the update starts right after confirmation.'];
  const lines: string[] = [];
  if (window.at) lines.push(`The update starts at ${window.at.toISOString()}.`);
  if (window.whenIdle) {
    lines.push(`It starts once the signaling host reports no meeting${window.at ? ' from then on' : ''}; if meetings are still running after ${formatDuration(window.maxWaitMs)}, nothing is changed.`);
  }
  if (!window.at && !window.whenIdle) {
    lines.push(`The update starts right after confirmation: meetings in progress end; about ${SIGNALING_BOOT_MINUTES} minutes without service. Use --when-idle or --at to choose the moment.`);
  }
  return lines;
}

export function upgradeText(stack: string, plan: UpgradePlan, preview: ShownPreview, window: Window): string {
  return [
    `Upgrade of ${stack}:`,
    ...plan.lines.map((l) => `  ${l}`),
    '',
    previewText(preview).trimEnd(),
    '',
    'When:',
    ...windowLines(preview, window).map((l) => `  ${l}`),
    '',
  ].join('\n');
}

async function confirmUpgrade(stack: string, yes: boolean, deps: UpgradeDeps): Promise<void> {
  if (yes) return;
  if (!deps.interactive()) {
    throw new UsageError([
      `the upgrade of ${stack} needs a confirmation, and this is not a terminal, so nobody can give it: nothing was changed.`,
      `Read the preview (add --preview-only), then run again with --yes to upgrade without asking.`,
    ]);
  }
  const answer = await deps.ask(`Upgrade ${stack} as shown? [y/N] `);
  if (!/^\s*y(es)?\s*$/i.test(answer)) throw new UsageError('not confirmed: nothing was changed');
}

const outputText = (outputs: StackOutputs, key: string) => {
  const value = outputs[key]?.value;
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export async function upgradeMain(argv: string[], deps: UpgradeDeps = REAL_UPGRADE_DEPS): Promise<number> {
  const parsed = parseCliOrHelp(
    argv,
    {
      stack: { type: 'string' },
      image: { type: 'string' },
      jitsi: { type: 'string' },
      'instance-type': { type: 'string' },
      'bridge-instance-type': { type: 'string' },
      'when-idle': { type: 'boolean' },
      'max-wait': { type: 'string' },
      at: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'preview-only': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    UPGRADE_USAGE,
    deps.out,
  );
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  const stack = requireStackName(values.stack, positionals, 'upgraded');
  const previewOnly = Boolean(values['preview-only']);
  if (previewOnly && values.yes) throw new UsageError(['--yes and --preview-only contradict each other: --preview-only never changes anything', 'run with --help for usage']);
  if (values['max-wait'] !== undefined && !values['when-idle']) throw new UsageError('--max-wait bounds --when-idle: add --when-idle, or leave --max-wait out');
  const window: Window = {
    whenIdle: Boolean(values['when-idle']),
    maxWaitMs: requireDuration('--max-wait', values['max-wait'] ?? DEFAULT_MAX_WAIT),
    ...(values.at !== undefined ? { at: parseAt(values.at, deps.clock.now()) } : {}),
  };
  const request: UpgradeRequest = {
    ...(values.image !== undefined ? { image: values.image } : {}),
    ...(values.jitsi !== undefined ? { jitsi: values.jitsi } : {}),
    ...(values['instance-type'] !== undefined ? { instanceType: values['instance-type'] } : {}),
    ...(values['bridge-instance-type'] !== undefined ? { bridgeInstanceType: values['bridge-instance-type'] } : {}),
  };
  const file = stackFileFor(stack, deps.projectDir);
  const { spec, warnings } = loadSpecOrThrow(file, stack);
  for (const w of warnings) warn(w);
  refuseOutsideAws('upgrade', spec);
  checkRequest(request, spec);

  const workspace = await deps.openWorkspace();
  await deps.requireCredentials(spec.region);
  const outputs = await workspace.outputs(stack).catch((error: unknown) => {
    if (error instanceof StackMissingError) return {} as StackOutputs;
    throw error;
  });
  const instanceId = outputText(outputs, 'signalingInstanceId');
  if (!instanceId) {
    throw new UsageError([`${stack} is not deployed (its stack has no signaling host), so there is nothing to upgrade.`, `Deploy it with npm run deploy -- --stack ${stack}: it installs what ${basename(file)} names.`]);
  }
  const source = await deps.imageSource(spec);
  let plan: UpgradePlan;
  try {
    deps.progress(`choosing what ${stack} moves to`);
    plan = await planUpgrade(spec, request, source, outputs);
  } finally {
    source.close();
  }
  if (!Object.keys(plan.values).length) {
    deps.out(values.json ? `${JSON.stringify({ stack, changed: false }, null, 2)}\n` : `${stack} already runs what was asked: nothing to change.\n`);
    return EXIT.OK;
  }

  const edit = editStackFile(file, plan.values);
  let keep = false;
  let upgraded = spec;
  let preview: ShownPreview;
  try {
    upgraded = loadSpecOrThrow(file, stack).spec;
    const previewed = await previewStack(workspace, upgraded, deps, { ...upgraded, upgrade: plan.facts });
    if ('failure' in previewed) {
      deps.out(values.json ? `${JSON.stringify({ stack, ok: false, ...previewed }, null, 2)}\n` : `✗ ${stack}: ${previewed.failure}\n${previewed.details.map((l) => `  ${l}\n`).join('')}`);
      return EXIT.FAILED;
    }
    preview = previewed.preview;
    const text = upgradeText(stack, plan, preview, window);
    const shown = { stack, changes: plan.lines, values: plan.values, images: plan.images, preview };
    if (previewOnly) {
      deps.out(values.json ? `${JSON.stringify(shown, null, 2)}\n` : text);
      return EXIT.OK;
    }
    (values.json ? deps.onOutput : deps.out)(text);
    if (preview.changes.length) await confirmUpgrade(stack, Boolean(values.yes), deps);
    if (preview.impact.some((i) => SIGNALING_DOWN.has(i.kind))) {
      if (window.at) await waitUntilTime(window.at, deps.clock, deps.progress);
      if (window.whenIdle) {
        const hosts = await deps.hosts(spec.region);
        const idle = await waitUntilIdle(() => signalingConferences(hosts, instanceId, spec), { maxWaitMs: window.maxWaitMs, ...(deps.idlePollMs ? { pollMs: deps.idlePollMs } : {}) }, deps.clock, deps.progress);
        if (!idle.idle) {
          const running = idle.conferences === undefined ? 'the signaling host did not say how many meetings it has' : `${idle.conferences} meeting${idle.conferences === 1 ? ' was' : 's were'} still running`;
          const message = `after ${formatDuration(idle.waitedMs)} (--max-wait) ${running}: nothing was changed, ${basename(file)} is as before. Run again later, or give --at a quiet time.`;
          deps.out(values.json ? `${JSON.stringify({ stack, ok: false, failure: message, ...(idle.conferences !== undefined ? { conferences: idle.conferences } : {}) }, null, 2)}\n` : `✗ ${stack}: ${message}\n`);
          return EXIT.FAILED;
        }
      }
    }
    keep = true;
  } finally {
    if (!keep) restoreStackFile(edit);
  }

  const verify = await deps.loadVerify();
  const outcome = await deployStack(workspace, upgraded, {
    stackAction: 'selected',
    progress: deps.progress,
    onOutput: deps.onOutput,
    wait: true,
    timeouts: DEFAULT_TIMEOUTS,
    intervalMs: deps.intervalMs ?? 10_000,
    verify,
    ...(deps.probes ? { probes: deps.probes } : {}),
  });
  if (!outcome.ok) outcome.hints = [...(outcome.hints ?? []), `${basename(file)} keeps the new choice (${Object.keys(plan.values).join(', ')}); npm run deploy -- --stack ${stack} finishes the update once the cause is fixed`];
  deps.out(values.json ? `${JSON.stringify({ ...outcome, changes: plan.lines, values: plan.values, preview }, null, 2)}\n` : deploySummary(outcome));
  return outcome.ok ? EXIT.OK : EXIT.FAILED;
}
