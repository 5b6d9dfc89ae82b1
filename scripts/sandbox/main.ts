// `npm run sandbox -- <create|list|extend|destroy|reap>`: short-lived deployments with an expiry.
import { join, resolve } from 'node:path';
import { CLOUDS, type AuthMode, type Cloud, type TlsMode } from '../../infra/spec/types.ts';
import { EXIT, UsageError, checkStackName, parseCli, rawOptionValue, style } from '../lib/cli.ts';
import { readStackConfigFile } from '../lib/workspace.ts';
import { formatDuration } from '../deploy/duration.ts';
import { timeoutsFrom } from '../deploy/main.ts';
import { deploySummary } from '../deploy/report.ts';
import { orphanSummary } from '../teardown/report.ts';
import { createSandboxes, planAll, type CreatedSandbox } from './create.ts';
import { REAL_SANDBOX_DEPS, type SandboxDeps } from './deps.ts';
import { destroySandbox, reapSandboxes, type ReapAction, type ReapReport } from './destroy.ts';
import { extendSandbox } from './extend.ts';
import { LEFTOVER_FILE } from './leftovers.ts';
import { listSandboxes, sandboxTable } from './list.ts';
import { checkSandboxName } from './name.ts';
import { HETZNER_SANDBOX_SIZES, SANDBOX_SIZES, isSandboxSize } from './sizes.ts';
import { reapCronLine } from './cron.ts';
import { parseTtl } from './ttl.ts';

export const DEFAULT_BASE = 'Pulumi.example-sandbox.yaml';
export const DEFAULT_PARALLEL = 2;

const sizes = Object.entries(SANDBOX_SIZES)
  .map(([name, s]) => `                           ${name.padEnd(7)} ${s.instanceType.padEnd(12)} ${HETZNER_SANDBOX_SIZES[name as keyof typeof HETZNER_SANDBOX_SIZES].padEnd(6)} ${s.fits}`)
  .join('\n');

export const SANDBOX_USAGE = `Usage: npm run sandbox -- <command> [options]

Short-lived Jitsi deployments (sandboxes), on AWS, Hetzner Cloud or OpenStack. On AWS a sandbox
stops itself at its expiry (an AWS schedule stops its hosts); reap then removes what is left.
Hetzner Cloud and OpenStack have no scheduler jitsi-eu can use: there a sandbox runs, and costs,
until reap removes it, so run reap from cron, e.g. every 15 minutes:
  ${reapCronLine('/path/to/jitsi-eu')}
(the env file sets PATH, PULUMI_CONFIG_PASSPHRASE_FILE and the cloud's credentials; chmod 600).
The expiry is in the stack file (jitsi-eu:expiresAt), which reap reads, and in each resource's
labels (Hetzner) or tags and metadata (OpenStack).

Commands:
  create NAME [NAME...] --ttl DURATION [options]
      A new stack from a base stack file, deployed and verified as by npm run deploy. NAME is a
      host name label of up to 32 characters, not starting with example- (the example stacks'
      names). Its host name is NAME.<jitsi-eu:dnsZone of the base>; its certificate comes from
      Let's Encrypt staging (browsers warn; no rate limits). Prints the URL and the expiry.
        --ttl DURATION     how long it lives, e.g. 12h, 7d, 2w (1h to 180d)
        --owner EMAIL      who answers for it (default: the base's jitsi-eu:owner)
        --cloud CLOUD      aws, hetzner or openstack (default: the base's jitsi-eu:cloud); moving an
                           AWS base to hetzner needs only a location; an AWS or OpenStack
                           sandbox needs a base stack file of that cloud (--from)
        --location LOC     Hetzner Cloud location: fsn1 (default), nbg1 or hel1
        --size SIZE        instance size (default: the base's jitsi-eu:instanceType; AWS type,
                           Hetzner type; none on OpenStack, whose flavors are the cloud's own):
${sizes}
        --auth MODE        anonymous, secure or jwt (anonymous turns the lobby off: nobody could admit guests)
        --tls MODE         letsencrypt-staging (default) or letsencrypt (trusted; mind its rate limits)
        --from FILE        base stack file (default: ${DEFAULT_BASE})
        --domain HOST      full host name, when the base has no jitsi-eu:dnsZone (one NAME only)
        --parallel N       create at most N at once (default ${DEFAULT_PARALLEL})
        --no-wait          stop after pulumi up: no waits, no verification
        --wait-timeout D   longest each wait after pulumi up may take (default: 20m/20m/30m)
  list
      Every sandbox: URL, owner, state, time left, estimated cost per hour and so far, and what
      it costs stopped on its cloud (AWS: its address and disk; Hetzner Cloud and OVHcloud bill
      a stopped server in full, so there only reap or destroy ends the cost).
  extend NAME --ttl DURATION
      Sets the expiry to now + DURATION (never earlier than it was). On AWS it also moves the
      schedule that stops the sandbox to that time, and starts its hosts again if an expiry had
      stopped them; elsewhere reap goes by the stack file, and the labels follow at the next deploy.
  destroy NAME [--yes]
      Destroys a sandbox and its stack, then checks that nothing tagged for it is left.
  reap [--dry-run] [--parallel N]
      Destroys every sandbox whose expiry has passed; stacks that are not sandboxes, or have time
      left, are listed with the reason and never touched. Safe to run from cron or CI, again and again.
      What a teardown left behind is kept in ${LEFTOVER_FILE} and checked again by every reap
      (exit 1 while anything is left), with the teardown command that removes it.

Common options:
  --json       one JSON document on stdout (progress stays on stderr)
  -h, --help   show this help

Environment: as for npm run deploy (PULUMI_CONFIG_PASSPHRASE or _FILE, PULUMI_BACKEND_URL, and the
cloud's credentials: AWS, HCLOUD_TOKEN, or OS_CLOUD / clouds.yaml / OS_* for OpenStack).

Exit codes: 0 done; 1 a deploy, verification or removal failed, or resources were left behind;
2 bad arguments, invalid config, no confirmation, or a missing Pulumi CLI, passphrase or cloud credentials.`;

const OPTIONS = {
  ttl: { type: 'string' },
  owner: { type: 'string' },
  size: { type: 'string' },
  cloud: { type: 'string' },
  location: { type: 'string' },
  auth: { type: 'string' },
  tls: { type: 'string' },
  from: { type: 'string' },
  domain: { type: 'string' },
  parallel: { type: 'string' },
  'no-wait': { type: 'boolean' },
  'wait-timeout': { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseCli<typeof OPTIONS>>['values'];

/** Options each command accepts, besides --json and --help. */
const ALLOWED: Record<string, (keyof Values)[]> = {
  create: ['ttl', 'owner', 'size', 'cloud', 'location', 'auth', 'tls', 'from', 'domain', 'parallel', 'no-wait', 'wait-timeout'],
  list: [],
  extend: ['ttl'],
  destroy: ['yes'],
  reap: ['dry-run', 'parallel'],
};

/** Why sandbox takes no --config: each sandbox's stack file is written, and read, where Pulumi reads it. */
export const SANDBOX_CONFIG_REFUSAL =
  'sandbox keeps each sandbox\'s stack file as Pulumi.NAME.yaml next to Pulumi.yaml (Pulumi reads it there): name the sandbox (e.g. sandbox destroy NAME); for create, give the base stack file with --from FILE';

export async function sandboxMain(argv: string[], deps: SandboxDeps = REAL_SANDBOX_DEPS): Promise<number> {
  if (rawOptionValue(argv, 'config') !== undefined) throw new UsageError(SANDBOX_CONFIG_REFUSAL);
  const { values, positionals } = parseCli(argv, OPTIONS, SANDBOX_USAGE);
  const [command, ...names] = positionals;
  if (values.help || command === 'help') {
    deps.out(`${SANDBOX_USAGE}\n`);
    return EXIT.OK;
  }
  if (!command) throw new UsageError(['missing command: create, list, extend, destroy or reap', 'run with --help for usage']);
  const allowed = ALLOWED[command];
  if (!allowed) throw new UsageError([`unknown command ${JSON.stringify(command)}: use create, list, extend, destroy or reap`, 'run with --help for usage']);
  for (const key of Object.keys(values) as (keyof Values)[]) {
    if (key !== 'json' && key !== 'help' && values[key] !== undefined && !allowed.includes(key)) {
      throw new UsageError([`--${key} does not apply to sandbox ${command}`, 'run with --help for usage']);
    }
  }
  const json = Boolean(values.json);
  const emit = (human: string, machine: unknown) => deps.out(json ? `${JSON.stringify(machine, null, 2)}\n` : human);

  switch (command) {
    case 'create': {
      if (names.length === 0) throw new UsageError('missing NAME: sandbox create NAME --ttl 7d');
      if (values.domain && names.length > 1) throw new UsageError('--domain names one host, so it works with one NAME only');
      const ttlMs = parseTtl(values.ttl);
      const size = values.size;
      if (size !== undefined && !isSandboxSize(size)) throw new UsageError(`--size ${JSON.stringify(size)} is not a size: use small, medium or large`);
      const auth = oneOf<AuthMode>('--auth', values.auth, ['anonymous', 'secure', 'jwt']);
      const tls = oneOf<TlsMode>('--tls', values.tls, ['letsencrypt-staging', 'letsencrypt']);
      const cloud = oneOf<Cloud>('--cloud', values.cloud, CLOUDS);
      const parallel = parallelFrom(values.parallel);
      const timeouts = timeoutsFrom(values['wait-timeout']);
      const baseSource = values.from ?? join(deps.projectDir, DEFAULT_BASE);
      const base = readStackConfigFile(resolve(baseSource));
      if (!base) throw new UsageError(`base stack file ${baseSource} does not exist: give an existing Pulumi.<stack>.yaml with --from`);
      const plans = planAll(
        names.map((name) => ({
          name: checkSandboxName(name),
          ttlMs,
          ...(values.owner !== undefined ? { owner: values.owner } : {}),
          ...(size ? { size } : {}),
          ...(cloud ? { cloud } : {}),
          ...(values.location !== undefined ? { location: values.location } : {}),
          ...(auth ? { auth } : {}),
          ...(tls ? { tls } : {}),
          ...(values.domain ? { domain: values.domain } : {}),
        })),
        base,
        baseSource,
        deps.now(),
      );
      const created = await createSandboxes(plans, deps, { parallel, wait: !values['no-wait'], timeouts });
      emit(created.map((c) => createdSummary(c, deps.now())).join('\n'), { sandboxes: created });
      return created.every((c) => c.ok) ? EXIT.OK : EXIT.FAILED;
    }
    case 'list': {
      if (names.length) throw new UsageError(`sandbox list takes no names (got ${names.join(' ')})`);
      const rows = await listSandboxes(deps);
      emit(sandboxTable(rows, deps.projectDir), { sandboxes: rows });
      return EXIT.OK;
    }
    case 'extend': {
      const name = single('extend', names);
      const ttlMs = parseTtl(values.ttl);
      const extended = await extendSandbox(name, ttlMs, deps);
      emit(
        `${style.ok('✓')} ${name} now expires at ${extended.expiresAt} (in ${formatDuration(Date.parse(extended.expiresAt) - deps.now().getTime())}; was ${extended.previous ?? 'not set'})\n` +
          (extended.cloud
            ? `  no schedule on ${extended.cloud === 'hetzner' ? 'Hetzner Cloud' : 'OpenStack'}: sandbox reap goes by the stack file, so the new expiry holds now (run reap from cron)\n` +
              `  the ${extended.cloud === 'hetzner' ? 'jitsi-eu/expires-at label' : 'jitsi-eu:expires-at tag'} and the date in the privacy notice follow at the next npm run deploy, which replaces the servers there\n`
            : (extended.scheduleMoved ? `  its hosts now stop at ${extended.expiresAt} (the expiry schedule moved; nothing else changed)\n` : '  not deployed: its expiry schedule is created with it\n') +
              extended.restarted.map((line) => `  ${line}\n`).join('') +
              '  the jitsi-eu:expires-at tag and the date in the privacy notice follow at the next npm run deploy\n'),
        extended,
      );
      return EXIT.OK;
    }
    case 'destroy': {
      const name = single('destroy', names);
      const destroyed = await destroySandbox(name, Boolean(values.yes), deps);
      const head = destroyed.error ? style.fail(`✗ sandbox ${name} was not removed: ${destroyed.error}`) : `${style.ok('✓')} sandbox ${name} destroyed and removed`;
      emit(`${head}\n${orphanSummary(destroyed.scope, destroyed.orphans)}`, destroyed);
      return destroyed.orphans.length === 0 && !destroyed.error ? EXIT.OK : EXIT.FAILED;
    }
    case 'reap': {
      if (names.length) throw new UsageError(`sandbox reap takes no names (got ${names.join(' ')}): it finds expired sandboxes itself; use destroy NAME for one`);
      const report = await reapSandboxes(deps, { dryRun: Boolean(values['dry-run']), parallel: parallelFrom(values.parallel) });
      emit(reapSummary(report), report);
      const bad = report.entries.some((e) => e.action === 'failed' || e.action === 'left-behind' || (e.orphans?.length ?? 0) > 0);
      return bad ? EXIT.FAILED : EXIT.OK;
    }
  }
  throw new UsageError(`unknown command ${command}`);
}

function single(command: string, names: string[]): string {
  if (names.length !== 1) throw new UsageError(`sandbox ${command} takes exactly one NAME (got ${names.length})`);
  return checkStackName(names[0]!, `sandbox ${command} ${JSON.stringify(names[0])}`);
}

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${option} ${JSON.stringify(value)} is not allowed: use ${allowed.join(', ')}`);
  return value as T;
}

export function parallelFrom(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PARALLEL;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 10) throw new UsageError(`--parallel ${JSON.stringify(value)} is not allowed: use a whole number from 1 to 10`);
  return n;
}

function createdSummary(created: CreatedSandbox, now: Date): string {
  const expiry: [string, string] = ['expires', `${created.expiresAt} (in ${formatDuration(Date.parse(created.expiresAt) - now.getTime())})`];
  const owner: [string, string][] = created.owner ? [['owner', created.owner]] : [];
  const notes: [string, string][] = created.notes.map((n) => ['note', n]);
  const cron = created.reapFromCron?.length ? `${created.reapFromCron.map((line) => `  ${line}\n`).join('')}` : '';
  if (created.deploy) {
    const text = deploySummary(created.deploy, [expiry, ...owner, ...notes]);
    return (created.ok ? text : `${text}  the stack is kept; remove it with npm run sandbox -- destroy ${created.stack}\n`) + cron;
  }
  return `${style.fail(`✗ ${created.stack}: ${created.failure ?? 'failed'}`)}\n  expires ${created.expiresAt}; remove what was made with npm run sandbox -- destroy ${created.stack}\n${cron}`;
}

function reapSummary(report: ReapReport): string {
  if (report.entries.length === 0) return 'no stacks in the backend: nothing to reap\n';
  const width = Math.max(...report.entries.map((e) => e.stack.length));
  const marks: Record<ReapAction, string> = {
    reaped: style.ok('reaped     '),
    failed: style.fail('failed     '),
    'would-reap': style.warn('would reap '),
    'left-behind': style.fail('left behind'),
    'cleaned-up': style.ok('cleaned up '),
    skipped: 'skipped    ',
  };
  const mark = (action: ReapAction) => marks[action];
  const lines = report.entries.map((e) => `  ${mark(e.action)}  ${e.stack.padEnd(width)}  ${e.reason}`);
  const reaped = report.entries.filter((e) => e.action === 'reaped' || e.action === 'would-reap').length;
  const head = report.dryRun ? `dry run at ${report.at}: ${reaped} sandbox(es) would be reaped` : `reap at ${report.at}: ${reaped} sandbox(es) reaped`;
  return `${head}\n${lines.join('\n')}\n`;
}
