// `npm run deploy -- --stack NAME`: the stack's config validated, Pulumi and AWS checked, then
// `pulumi up`, the waits and the live verification; the exit code is the verification's verdict.
import { stackFileFor } from '../../infra/spec/index.ts';
import { EXIT, UsageError, loadSpecOrThrow, parseCliOrHelp, rawOptionValue, refuseExampleNames, requireStackName, stackFileAdvice, warn } from '../lib/cli.ts';
import { REAL_COMMAND_DEPS, type CommandDeps } from '../lib/command-deps.ts';
import { requireDuration } from './duration.ts';
import { DEFAULT_TIMEOUTS, deployStack, type Probes, type WaitTimeouts } from './flow.ts';
import { deploySummary } from './report.ts';
import { loadVerifyRunner, type VerifyRunner } from './verify.ts';

export const DEPLOY_USAGE = `Usage: npm run deploy -- --stack NAME [--json] [--no-wait] [--wait-timeout DURATION]

Deploys the stack whose config is Pulumi.NAME.yaml (next to Pulumi.yaml): validates the config,
runs \`pulumi up\` through the Automation API with Pulumi's output on stderr, then waits until the
host name points at the Elastic IP, HTTPS answers and the host reports ready, and finally runs the
live verification. A stack that does not exist yet is created.

Options:
  --stack NAME             the stack to deploy (its file must be Pulumi.NAME.yaml next to
                           Pulumi.yaml, where Pulumi reads it: there is no --config)
  --json                   print one JSON object on stdout: stack, url, outputs (secrets masked),
                           waits and the verification report
  --no-wait                stop after pulumi up: no waits and no verification
  --wait-timeout DURATION  longest each wait may take, e.g. 45m (defaults: DNS 20m, HTTPS 20m, ready 30m)
  -h, --help               show this help

Environment:
  PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE   passphrase for the stack's secrets (required)
  PULUMI_BACKEND_URL       where Pulumi keeps state (default: file://~/.pulumi-jitsi-eu, no account needed)
  JITSI_EU_SECRETS_PROVIDER  another secrets provider for new stacks, e.g. awskms://alias/jitsi-eu?region=eu-central-1
  AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ...   credentials for the target account

When a wait fails (or the host reports that its boot failed, which ends the wait at once), the
summary says where to look: the instance's console output and the boot log on the host.

Exit codes: 0 deployed and verified; 1 pulumi up failed, a wait timed out, the host's boot failed
or the verification failed; 2 bad arguments, invalid config, or a missing Pulumi CLI, passphrase
or AWS credentials.`;

export interface DeployDeps extends CommandDeps {
  loadVerify: () => Promise<{ run: VerifyRunner } | { missing: string }>;
  probes?: Probes;
  intervalMs?: number;
}

export const REAL_DEPLOY_DEPS: DeployDeps = { ...REAL_COMMAND_DEPS, loadVerify: loadVerifyRunner };

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
      'no-wait': { type: 'boolean' },
      'wait-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    DEPLOY_USAGE,
    deps.out,
  );
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  const stack = requireStackName(values.stack, positionals, 'deployed');
  const timeouts = timeoutsFrom(values['wait-timeout']);
  const { spec, warnings } = loadSpecOrThrow(stackFileFor(stack), stack);
  for (const w of warnings) warn(w);

  const workspace = await deps.openWorkspace();
  await deps.requireCredentials(spec.region);
  refuseExampleNames(spec, stackFileFor(stack));
  const verify = values['no-wait'] ? { missing: 'skipped (--no-wait)' } : await deps.loadVerify();
  const outcome = await deployStack(workspace, spec, {
    progress: deps.progress,
    onOutput: deps.onOutput,
    wait: !values['no-wait'],
    timeouts,
    intervalMs: deps.intervalMs ?? 10_000,
    verify,
    ...(deps.probes ? { probes: deps.probes } : {}),
  });
  deps.out(values.json ? `${JSON.stringify(outcome, null, 2)}\n` : deploySummary(outcome));
  return outcome.ok ? EXIT.OK : EXIT.FAILED;
}
