// `npm run doctor`: every prerequisite of deploy, sandbox and teardown checked in one run, each
// missing one listed with its fix, instead of one failed run per missing piece.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { formatProblems, loadStackFile } from '../../infra/spec/index.ts';
import { exampleNameProblems } from '../../infra/spec/example-names.ts';
import { CLOUDS, type Cloud, type DeploymentSpec } from '../../infra/spec/types.ts';
import { readStackConfigFile } from '../lib/workspace.ts';
import { EXIT, UsageError, configKeyLines, parseCliOrHelp, stackFileFromArgs, style } from '../lib/cli.ts';
import { checkCredentials, checkDnsZone, checkPermissions } from './aws.ts';
import { missing, ok, unknown, type DoctorItem } from './item.ts';
import { checkPassphrase, checkPulumiCli, checkSessionManagerPlugin } from './local.ts';
import { checkHetznerToken } from './hetzner.ts';
import { type OpenStackPaths, checkOpenStackCredentials } from './openstack.ts';

export const DOCTOR_USAGE = `Usage: npm run doctor [-- --stack NAME | --config PATH] [--cloud CLOUD] [--region REGION] [--json]

Checks everything deploy, sandbox and teardown need, all at once, and says how to fix each missing
piece: the Pulumi CLI (and its version), the passphrase for the stacks' secrets, the cloud's
credentials and, for a stack, its config (including names left from the examples).
On AWS also the permissions a deploy needs (by IAM policy simulation), the AWS Session Manager
plugin and the stack's Route53 zone. On Hetzner Cloud the API token (HCLOUD_TOKEN), on OpenStack
the clouds.yaml entry or the OS_* variables: both checked locally, without calling the provider.

Options:
  --stack NAME      also check the stack Pulumi.NAME.yaml: its config, its cloud, its region and its DNS zone
  --config PATH     the same for a stack file elsewhere
  --cloud CLOUD     aws, hetzner or openstack: whose credentials to check without a stack (default aws)
  --region REGION   region for the AWS calls without a stack (default: AWS_REGION, else eu-central-1)
  --json            print {ok, items: [{id, title, status, detail, fix}]} on stdout
  -h, --help        show this help

Exit codes: 0 nothing missing; 1 something is missing (each item says what to do); 2 usage error.`;

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  out?: (text: string) => void;
  /** Where clouds.yaml is looked for (the home and working directories). */
  paths?: OpenStackPaths;
}

function stackItems(path: string): { items: DoctorItem[]; spec?: DeploymentSpec } {
  const result = loadStackFile(path);
  if (!result.ok) {
    return { items: [missing('stack-config', `stack file ${path}`, `${result.problems.length} problem(s)`, formatProblems(result.problems, path))] };
  }
  const items = [ok('stack-config', `stack file ${path}`, `valid (${result.spec.topology}, ${result.spec.region})`)];
  const names = exampleNameProblems(result.spec, configKeyLines(path));
  items.push(
    names.length === 0
      ? ok('stack-names', 'names of your own (not the examples’)', result.spec.domain)
      : missing('stack-names', 'names of your own (not the examples’)', `${names.length} setting(s) still hold names reserved for examples`, [
          ...formatProblems(names, path),
        ]),
  );
  return { items, spec: result.spec };
}

const MARK: Record<DoctorItem['status'], (s: string) => string> = {
  ok: (s) => style.ok(s),
  missing: (s) => style.fail(s),
  unknown: (s) => style.warn(s),
};
const SYMBOL: Record<DoctorItem['status'], string> = { ok: '✓', missing: '✗', unknown: '?' };

export function doctorReport(items: readonly DoctorItem[]): string {
  const lines: string[] = [];
  for (const item of items) {
    lines.push(`${MARK[item.status](SYMBOL[item.status])} ${item.title}: ${item.detail}`);
    for (const fix of item.fix ?? []) lines.push(`    ${fix}`);
  }
  const count = items.filter((i) => i.status === 'missing').length;
  const unchecked = items.filter((i) => i.status === 'unknown').length;
  lines.push('');
  lines.push(count === 0 ? `nothing missing${unchecked ? ` (${unchecked} item(s) could not be checked, see ?)` : ''}` : `${count} thing(s) missing: fix them as shown above, then run npm run doctor again`);
  return `${lines.join('\n')}\n`;
}

export async function doctorMain(argv: string[], options: DoctorOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const parsed = parseCliOrHelp(
    argv,
    { stack: { type: 'string' }, config: { type: 'string' }, cloud: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    DOCTOR_USAGE,
    out,
  );
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError([`unexpected argument ${positionals[0]}`, 'run with --help for usage']);
  const path = values.stack || values.config ? stackFileFromArgs(values) : undefined;
  if (path && !existsSync(path)) throw new UsageError(`stack file ${path} does not exist: give --stack NAME for Pulumi.NAME.yaml, or --config PATH`);
  const cloudOf = (value: unknown): Cloud | undefined => CLOUDS.find((c) => c === value);
  if (values.cloud !== undefined && !cloudOf(values.cloud)) {
    throw new UsageError(`--cloud ${JSON.stringify(values.cloud)}: use one of ${CLOUDS.join(', ')}`);
  }
  const stack = path ? stackItems(path) : { items: [] };
  const stackConfig = path ? (readStackConfigFile(path) ?? {}) : {};
  // The stack's cloud wins; an invalid stack file still says which cloud it is for.
  const cloud = stack.spec?.cloud ?? cloudOf(stackConfig['jitsi-eu:cloud']) ?? cloudOf(values.cloud) ?? 'aws';
  if (cloud !== 'aws') {
    // Checked locally: nothing here calls the provider.
    const entry = stackConfig['openstack:cloud'];
    const paths = options.paths ?? { home: env.HOME ?? homedir(), cwd: process.cwd() };
    const credentials = cloud === 'hetzner'
      ? checkHetznerToken(env, stackConfig)
      : checkOpenStackCredentials(env, typeof entry === 'string' ? entry : undefined, paths);
    const items = [await checkPulumiCli(env), checkPassphrase(env), credentials, ...stack.items];
    return report(items, { cloud, region: stack.spec?.region }, values.json === true, out);
  }
  // The AWS SDK reads the region from here too; a stack's region wins.
  const region = stack.spec?.region ?? values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'eu-central-1';

  // The AWS checks after the first need to know who the credentials are; the rest runs alongside.
  const awsChecks = async (): Promise<DoctorItem[]> => {
    const { item, caller } = await checkCredentials(region);
    const zone = !path
      ? []
      : stack.spec
        ? [checkDnsZone(stack.spec.dnsZone, region, caller)]
        : [Promise.resolve(unknown('dns-zone', 'Route53 zone of the stack', 'not checked: the stack file is not valid', ['fix the stack file first']))];
    return [item, ...(await Promise.all([checkPermissions(caller, region, Boolean(stack.spec?.dnsZone)), ...zone]))];
  };
  const [pulumi, aws] = await Promise.all([checkPulumiCli(env), awsChecks()]);
  const items = [pulumi, checkPassphrase(env), ...aws, checkSessionManagerPlugin(env), ...stack.items];
  return report(items, { cloud, region }, values.json === true, out);
}

function report(items: DoctorItem[], where: { cloud: Cloud; region?: string }, json: boolean, out: (text: string) => void): number {
  const allOk = items.every((i) => i.status !== 'missing');
  out(json ? `${JSON.stringify({ ok: allOk, ...where, items }, null, 2)}\n` : doctorReport(items));
  return allOk ? EXIT.OK : EXIT.FAILED;
}
