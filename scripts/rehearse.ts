// `npm run rehearse`: boots a stack's hosts locally, as EC2 would, from the user data deploy
// sends (Debian 12 under systemd-nspawn, cloud-init, stand-ins for Jitsi's repository and AWS),
// and prints each boot phase with its duration. For trying a change before deploying it.
import { EXIT, UsageError, loadSpecOrThrow, parseCliOrHelp, printJson, progress, renderTable, runCli, stackFileFromArgs, style, warn } from './lib/cli.ts';
import { hostRoles } from '../infra/render/roles.ts';
import type { HostRole } from '../infra/render/types.ts';
import { DEFAULT_BOOT_BOUND_SECONDS, hostLogs, rehearse } from './rehearse/run.ts';
import { type BootReport, bootResult, phaseRows } from './rehearse/report.ts';

const USAGE = `Usage: npm run rehearse -- (--config PATH | --stack NAME) [--role ROLE] [--keep] [--timeout SECONDS] [--json]

Boots the stack's hosts on this machine the way EC2 boots them: a Debian 12 root (built once
with debootstrap, kept in /var/cache/jitsi-eu/rehearsal) under systemd-nspawn with systemd as
PID 1, cloud-init reading the user data deploy would send, byte for byte. Jitsi's packages, the
SSM agent, SSM Parameter Store, the Auto Scaling API and the instance metadata service are local
stand-ins in a network namespace of their own; only Debian's archive is reached. Prints each
boot phase (bootcmd, apt, packages, files, secrets, services, ready) with its duration.
Needs root and systemd-container, debootstrap, equivs, dpkg-dev, gnupg, iproute2, moto_server.

Options:
  --config PATH       stack file (Pulumi.<stack>.yaml)
  --stack NAME        same as --config Pulumi.NAME.yaml in the project directory
  --role ROLE         signaling or bridge (default: every role of the stack, one after another)
  --keep              keep each host's folder (its root's changes, console and logs) and print it
  --timeout SECONDS   a boot without a ready marker after this long has hung (default ${DEFAULT_BOOT_BOUND_SECONDS})
  --json              print [{role, result, seconds, phases}] as JSON on stdout
  -h, --help          show this help

Exit codes: 0 every host ready, 1 a boot failed or hung, 2 invalid arguments or a machine that
cannot run the rehearsal.`;

const OPTIONS = {
  config: { type: 'string' },
  stack: { type: 'string' },
  role: { type: 'string' },
  keep: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function main(): Promise<number> {
  const parsed = parseCliOrHelp(process.argv.slice(2), OPTIONS, USAGE);
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError([`unexpected argument ${positionals[0]}: give the stack file with --config PATH`, '', USAGE]);
  const { spec, warnings } = loadSpecOrThrow(stackFileFromArgs(values));
  for (const warning of warnings) warn(warning);
  const roles = hostRoles(spec);
  if (values.role !== undefined && !roles.includes(values.role as HostRole)) {
    throw new UsageError(`--role ${values.role}: ${spec.stack} has the roles ${roles.join(', ')}`);
  }
  const bound = values.timeout === undefined ? DEFAULT_BOOT_BOUND_SECONDS : Number(values.timeout);
  if (!Number.isInteger(bound) || bound <= 0) throw new UsageError(`--timeout ${values.timeout}: give a whole number of seconds, e.g. --timeout 600`);

  const reports: BootReport[] = [];
  for (const role of values.role ? [values.role as HostRole] : roles) {
    progress(`booting the ${role} host of ${spec.stack} (at most ${bound} s)`);
    let r;
    try {
      r = await rehearse({ spec, role, boundSeconds: bound, progress });
    } catch (error) {
      throw new UsageError(`this machine cannot run the rehearsal: ${error instanceof Error ? error.message : String(error)}`);
    }
    const result = bootResult(r.marker);
    const lastLines = result === 'ok' ? undefined : hostLogs(r.host).output.trim().split('\n').slice(-15);
    await r.host.stop({ keep: values.keep });
    reports.push({ role, result, seconds: Math.round(r.seconds * 10) / 10, phases: r.phases, ...(values.keep ? { kept: r.host.workDir } : {}), ...(lastLines ? { lastLines } : {}) });
  }

  if (values.json) printJson(reports);
  else {
    for (const report of reports) {
      const verdict = report.result === 'ok' ? style.ok('ready') : style.fail(report.result);
      process.stdout.write(`${report.role}: ${verdict} after ${report.seconds.toFixed(0)} s\n${renderTable(['phase', 'duration'], phaseRows(report))}\n`);
      if (report.lastLines) process.stdout.write(`last lines of /var/log/cloud-init-output.log:\n${report.lastLines.map((l) => `  ${l}`).join('\n')}\n`);
      if (report.kept) process.stdout.write(`kept: ${report.kept} (the host's changes are under upper/)\n`);
    }
  }
  return reports.every((r) => r.result === 'ok') ? EXIT.OK : EXIT.FAILED;
}

await runCli(main);
