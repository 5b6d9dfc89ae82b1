// `npm run teardown -- --stack NAME`: pulumi destroy, then the stack is removed, then the orphan
// check proves nothing tagged for the stack is left (or lists what is). --orphans only checks;
// --purge removes what the check found and may remove, after confirmation.
import { basename } from 'node:path';
import { stackFileFor } from '../../infra/spec/index.ts';
import { CLOUDS, type Cloud } from '../../infra/spec/types.ts';
import { EXIT, UsageError, parseCliOrHelp, rawOptionValue, requireStackName, stackFileAdvice, style } from '../lib/cli.ts';
import { REAL_COMMAND_DEPS, type CommandDeps } from '../lib/command-deps.ts';
import { readStackConfigFile, type StackConfig } from '../lib/workspace.ts';
import { checkOrphans, purge } from './check.ts';
import { cloudOrphans } from './clouds.ts';
import { confirmOnTerminal, type Confirm } from './confirm.ts';
import type { Orphan, OrphanScope } from './orphans.ts';
import type { PurgeOutcome } from './purge.ts';
import { orphanSummary, purgeSummary, teardownPreview } from './report.ts';
import { destroyAndRemove, removeHostAccounts, type OrphanCheck, type Purge, type StackTeardown } from './stack.ts';

export const TEARDOWN_USAGE = `Usage: npm run teardown -- --stack NAME [--yes] [--keep-state] [--json]
       npm run teardown -- --stack NAME --orphans [--purge] [--yes] [--cloud CLOUD] [--json]

Removes a deployment: \`pulumi destroy\` for the stack, then the stack itself (its state, history
and Pulumi.NAME.yaml, which git ignores: it says so before asking), then an orphan check that looks for anything in AWS still tagged
jitsi-eu:stack=NAME (Resource Groups Tagging API, EC2, Auto Scaling, and IAM roles, policies and
instance profiles, which are global), SSM parameters under /jitsi-eu/NAME/ and DNS records at the
stack's host name. The stack's host accounts (/jitsi-eu/NAME/accounts/, made by npm run accounts,
not by Pulumi) are removed after the destroy.

On Hetzner Cloud (jitsi-eu:cloud: hetzner) the check lists the servers, firewalls, primary IPs
and networks labelled jitsi-eu/stack=NAME; on OpenStack the servers, floating IPs, routers,
ports, subnets, networks and security groups tagged jitsi-eu:stack=NAME; on both, the DNS record
sets at the stack's host name. --purge removes only what also carries the project's label or tag
(DNS records: only with their ownership record, as on AWS).

Options:
  --stack NAME     the stack to remove
  --yes            do not ask for confirmation (needed when not on a terminal)
  --keep-state     destroy the resources but keep the stack, its history and its stack file
  --orphans        only run the orphan check; the stack itself is left alone
  --purge          remove what the orphan check found, after confirmation. Only resources that
                   carry both jitsi-eu:stack=NAME and jitsi-eu:project=jitsi-eu are ever touched.
                   A left-over configuration-bundle bucket loses every object version and
                   delete marker first, then goes itself
  --cloud CLOUD    aws, hetzner or openstack, when Pulumi.NAME.yaml is gone (default: its
                   jitsi-eu:cloud, else aws)
  --region REGION  region to check when Pulumi.NAME.yaml is gone (default: its aws:region or
                   openstack:region; Hetzner lists the whole project)
  --domain HOST    host name whose DNS records to check when Pulumi.NAME.yaml is gone
  --json           print one JSON object on stdout
  -h, --help       show this help

Environment: as for deploy (PULUMI_CONFIG_PASSPHRASE or _FILE, PULUMI_BACKEND_URL, AWS credentials).
AWS_ENDPOINT_URL is honoured, e.g. for an AWS API emulator. Hetzner: HCLOUD_TOKEN (HCLOUD_ENDPOINT
is honoured). OpenStack: the clouds.yaml entry named by openstack:cloud or OS_CLOUD (./clouds.yaml,
~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml), else OS_AUTH_URL, OS_USERNAME,
OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME and OS_REGION_NAME.

Exit codes: 0 removed and nothing left; 1 resources are left (listed), or a step failed;
2 bad arguments, no confirmation, or a missing Pulumi CLI, passphrase or cloud credentials.`;

export interface TeardownDeps extends CommandDeps {
  findOrphans: OrphanCheck;
  purge: Purge;
  readStackConfig: (stack: string) => StackConfig | undefined;
  confirm: Confirm;
  env: NodeJS.ProcessEnv;
}

export const REAL_TEARDOWN_DEPS: TeardownDeps = {
  ...REAL_COMMAND_DEPS,
  findOrphans: checkOrphans,
  purge,
  readStackConfig: (stack) => readStackConfigFile(stackFileFor(stack)),
  confirm: confirmOnTerminal,
  env: process.env,
};

export interface TeardownReport {
  stack: string;
  /** Present when the stack is not on AWS. */
  cloud?: Exclude<Cloud, 'aws'>;
  region: string;
  stackTeardown?: StackTeardown;
  /** The stack file that went with the stack. */
  stackFileRemoved?: string;
  /** Why pulumi destroy or the stack removal failed, when it did. */
  stackError?: string;
  /** What the orphan check found (before any purge). */
  orphans: Orphan[];
  purged?: PurgeOutcome[];
  /** What is left after the purge (equal to orphans without --purge). */
  remaining: Orphan[];
  /** The stack's host accounts (SSM parameters made by `npm run accounts`), removed after the destroy. */
  accountsRemoved?: PurgeOutcome[];
}

/** Why teardown takes no --config: the stack it removes is Pulumi's, named as Pulumi names it. */
export const TEARDOWN_CONFIG_REFUSAL =
  'teardown works on the stack whose file is Pulumi.NAME.yaml next to Pulumi.yaml (Pulumi reads it there): use --stack NAME (with --region and --domain if the file is gone)';

export async function teardownMain(argv: string[], deps: TeardownDeps = REAL_TEARDOWN_DEPS): Promise<number> {
  const config = rawOptionValue(argv, 'config');
  if (config !== undefined) throw new UsageError([TEARDOWN_CONFIG_REFUSAL, ...(config ? [stackFileAdvice(config)] : [])]);
  const parsed = parseCliOrHelp(
    argv,
    {
      stack: { type: 'string' },
      yes: { type: 'boolean' },
      'keep-state': { type: 'boolean' },
      orphans: { type: 'boolean' },
      purge: { type: 'boolean' },
      cloud: { type: 'string' },
      region: { type: 'string' },
      domain: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    TEARDOWN_USAGE,
    deps.out,
  );
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  const stack = requireStackName(values.stack, positionals, 'removed');
  if (values.orphans && values['keep-state']) throw new UsageError('--keep-state has no effect with --orphans, which never touches the stack');

  const stackConfig = deps.readStackConfig(stack);
  const cloud = cloudOf(stack, stackConfig, values.cloud);
  const scope = scopeFor(stack, stackConfig, values.region, values.domain, deps.env, cloud);
  const report: TeardownReport = { stack, ...(cloud !== 'aws' ? { cloud } : {}), region: scope.region, orphans: [], remaining: [] };
  let findOrphans = deps.findOrphans;
  let purgeOrphans = deps.purge;
  let searching = `resources still tagged jitsi-eu:stack=${stack} in ${scope.region} and in IAM${scope.domain ? `, and DNS records at ${scope.domain}` : ''}`;
  /** Credentials first: a missing token stops the command before anything is touched. */
  const requireCredentials = async () => {
    if (cloud === 'aws') return void (await deps.requireCredentials(scope.region));
    const other = await cloudOrphans(cloud, scope, deps.env);
    ({ findOrphans, purge: purgeOrphans, searching } = other);
    scope.region = report.region = other.region;
  };

  if (!values.orphans) {
    const keepState = Boolean(values['keep-state']);
    const workspace = await deps.openWorkspace();
    const stackFile = stackConfig ? stackFileFor(stack, workspace.projectDir) : undefined;
    for (const line of teardownPreview(stack, scope.region, workspace.backendDescription, stackFile, keepState)) deps.progress(line);
    if (!values.yes) {
      const what = keepState ? 'keeping the stack' : `then the stack${stackFile ? ` and ${basename(stackFile)}` : ''}`;
      const ok = await deps.confirm(`Destroy every resource of stack ${stack} in ${scope.region}, ${what}? Type the stack name to confirm [${stack}]:`, stack);
      if (!ok) throw new UsageError('not confirmed: nothing was changed');
    }
    await requireCredentials();
    try {
      report.stackTeardown = await destroyAndRemove(workspace, stack, { keepState, onOutput: deps.onOutput, progress: deps.progress });
      if (report.stackTeardown.removed && stackFile) report.stackFileRemoved = stackFile;
    } catch (error) {
      // Still look for what is left: that is what the operator needs to see now.
      report.stackError = (error as Error).message;
      deps.progress(`removing stack ${stack} failed: ${report.stackError}`);
    }
  } else {
    await requireCredentials();
  }

  deps.progress(`looking for ${searching}`);
  report.orphans = await findOrphans(scope);
  // Host accounts live in AWS's parameter store; the other clouds keep them on the hosts.
  const accounts = cloud === 'aws' && !values.orphans && !report.stackError ? await removeHostAccounts(scope, report.orphans, deps) : undefined;
  if (accounts) {
    report.accountsRemoved = accounts.removed;
    report.orphans = accounts.orphans;
  }
  report.remaining = report.orphans;

  if (values.purge && report.orphans.some((o) => o.purgeable)) {
    const count = report.orphans.filter((o) => o.purgeable).length;
    if (!values.json) deps.out(orphanSummary(scope, report.orphans));
    if (!values.yes) {
      const ok = await deps.confirm(`Remove the ${count} resource${count === 1 ? '' : 's'} marked for purge? [y/N]`, 'y');
      if (!ok) throw new UsageError('not confirmed: nothing was removed');
    }
    report.purged = await purgeOrphans(scope.region, report.orphans, deps.progress);
    if (!values.json) deps.out(purgeSummary(report.purged));
    deps.progress('checking again');
    report.remaining = await findOrphans(scope);
  }

  if (values.json) deps.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const removedFile = report.stackFileRemoved ? `${style.ok('✓')} removed stack ${stack} and its stack file ${report.stackFileRemoved}\n` : '';
    deps.out(`${report.stackError ? `${style.fail('✗')} stack ${stack} was not removed: ${report.stackError}\n` : removedFile}${orphanSummary(scope, report.remaining)}`);
  }
  const purgeFailed = (report.purged ?? []).some((p) => !p.removed);
  return report.remaining.length === 0 && !purgeFailed && !report.stackError ? EXIT.OK : EXIT.FAILED;
}

/** The cloud from the stack file (jitsi-eu:cloud, default aws), or from --cloud when the file is gone. */
export function cloudOf(stack: string, config: StackConfig | undefined, option: string | undefined): Cloud {
  const configured = typeof config?.['jitsi-eu:cloud'] === 'string' ? config['jitsi-eu:cloud'] : undefined;
  for (const [value, where] of [[option, '--cloud'], [configured, `jitsi-eu:cloud in ${stackFileFor(stack)}`]] as const) {
    if (value !== undefined && !(CLOUDS as readonly string[]).includes(value)) throw new UsageError(`${where}: ${value} is not a cloud jitsi-eu knows: use ${CLOUDS.join(', ')}`);
  }
  if (option && configured && option !== configured) throw new UsageError(`--cloud ${option} differs from jitsi-eu:cloud ${configured} in ${stackFileFor(stack)}: leave --cloud out`);
  return (option ?? configured ?? 'aws') as Cloud;
}

const configString = (config: StackConfig | undefined, key: string): string | undefined => (typeof config?.[key] === 'string' ? (config[key] as string) : undefined);

/** Region and host name from the stack file, or from the options when the file is gone. */
export function scopeFor(stack: string, config: StackConfig | undefined, region: string | undefined, domain: string | undefined, env: NodeJS.ProcessEnv, cloud: Cloud = 'aws'): OrphanScope {
  const host = domain ?? configString(config, 'jitsi-eu:domain');
  const named = { stack, ...(host ? { domain: host } : {}) };
  if (cloud === 'hetzner') {
    // Hetzner lists a whole project whatever the location; the location is only reported.
    return { ...named, cloud, region: configString(config, 'jitsi-eu:location') ?? region ?? 'all locations' };
  }
  const regionKey = cloud === 'openstack' ? 'openstack:region' : 'aws:region';
  const configRegion = configString(config, regionKey);
  if (region && configRegion && region !== configRegion) {
    throw new UsageError(`--region ${region} differs from ${regionKey} ${configRegion} in ${stackFileFor(stack)}: leave --region out`);
  }
  if (cloud === 'openstack') {
    const openstackCloud = configString(config, 'openstack:cloud') ?? env.OS_CLOUD;
    // Empty: the session takes OS_REGION_NAME, the clouds.yaml entry's region, or the cloud's only one.
    return { ...named, cloud, region: region ?? configRegion ?? '', ...(openstackCloud ? { openstackCloud } : {}) };
  }
  const chosen = region ?? configRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!chosen) {
    throw new UsageError([`no region for stack ${stack}: ${stackFileFor(stack)} does not exist (or has no aws:region).`, 'Give the region it was deployed to with --region (e.g. --region eu-central-1), or set AWS_REGION']);
  }
  return { ...named, region: chosen };
}
