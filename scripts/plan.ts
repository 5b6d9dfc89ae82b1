// npm run plan -- --config PATH | --stack NAME [--json]
// What a stack would create on its cloud (AWS, Hetzner Cloud, OpenStack), whether it passes jitsi-eu's policies, and what it costs:
// the Pulumi program runs offline under Pulumi's mocks (no CLI, no credentials, no network).
import { pathToFileURL } from 'node:url';
import { DEFAULT_ASSUMPTIONS } from '../infra/cost/model.ts';
import { policiesPass } from '../infra/policy/offline.ts';
import { EXIT, UsageError, loadSpecOrThrow, parseCli, printJson, progress, runCli, stackFileFromArgs, warn } from './lib/cli.ts';

export const USAGE = `Usage: npm run plan -- (--config PATH | --stack NAME) [options]

Shows what a stack would create on its cloud (AWS, Hetzner Cloud or OpenStack): where,
which servers, what the firewall admits, how each security promise is met there, the
policy verdict and a monthly cost estimate in euros from dated price lists,
without credentials or network: the Pulumi program runs offline under Pulumi's mocks.

Options:
  --config PATH               stack file to plan (Pulumi.<stack>.yaml)
  --stack NAME                plan Pulumi.NAME.yaml in the project directory
  --participant-hours N       monthly participant-hours for the egress estimate (default ${DEFAULT_ASSUMPTIONS.participantHoursPerMonth})
  --meeting-size N            typical meeting size for the egress estimate (default ${DEFAULT_ASSUMPTIONS.meetingSize})
  --json                      print {stack, region, resources, policy, cost} as JSON (secrets masked)
  -h, --help                  show this help

Exit codes: 0 the plan passes every policy, 1 a policy fails, 2 bad arguments or an invalid stack.`;

function positiveNumber(name: string, value: string | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < minimum) throw new UsageError(`--${name} ${JSON.stringify(value)}: give a number of at least ${minimum}`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, {
    config: { type: 'string' },
    stack: { type: 'string' },
    json: { type: 'boolean', default: false },
    'participant-hours': { type: 'string' },
    'meeting-size': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const assumptions = {
    participantHoursPerMonth: positiveNumber('participant-hours', values['participant-hours'], DEFAULT_ASSUMPTIONS.participantHoursPerMonth, 0),
    meetingSize: positiveNumber('meeting-size', values['meeting-size'], DEFAULT_ASSUMPTIONS.meetingSize, 2),
  };
  const file = stackFileFromArgs(values);
  const { spec, warnings } = loadSpecOrThrow(file, values.stack);
  for (const warning of warnings) warn(warning);

  progress(`running the program for ${spec.stack} offline`);
  // Loaded here: the Pulumi SDK is only needed once the arguments and the stack are valid.
  const { planStack } = await import('./plan/run.ts');
  const { plan } = await planStack(spec, file, assumptions);
  if (values.json) {
    printJson(plan);
  } else {
    const { formatPlan } = await import('./plan/report.ts');
    process.stdout.write(`${formatPlan(plan, spec)}\n`);
  }
  return policiesPass(plan.policy) ? EXIT.OK : EXIT.FAILED;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runCli(() => main(process.argv.slice(2)));
}
