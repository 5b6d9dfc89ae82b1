// `npm run verify`: checks a live jitsi-eu deployment from outside (and, with --aws, from the AWS
// side) against the privacy profile. Exit 0 when nothing failed, 1 when a check failed, 2 on usage
// errors or when the host cannot be reached at all.
import { EXIT, UsageError, checkStackName, parseCliOrHelp, printJson, progress, renderTable, runCli } from './lib/cli.ts';
// The checks (and the network, TLS and browser libraries behind them) load only after the
// arguments are known to be good, so that --help and usage errors answer at once.
const checks = () => import('./verify/registry.ts');
const runner = () => Promise.all([import('./verify/run.ts'), import('./verify/report.ts')]);

const USAGE = `Usage: npm run verify -- --url https://DOMAIN [options]
       npm run verify -- --stack NAME [options]

Checks a live deployment: DNS and region, open ports, TLS, HTTP headers, the Jitsi
endpoints, the privacy profile's values in the served configuration, and TURN.

  --url URL            the deployment, e.g. https://meet.example.org (optional with --stack)
  --stack NAME         expected values (domain, region, auth, P2P, TURN, ...) from Pulumi.NAME.yaml;
                       without it, jitsi-eu's defaults for the URL's host are expected
  --config PATH        like --stack, with the stack file's path
  --resolve HOST:IP    connect to IP for HOST (TCP, TLS with SNI, HTTP Host, WebSocket, browser),
                       e.g. before DNS points at the deployment; like curl --resolve
  --ca FILE            also trust this CA certificate (PEM), e.g. a test or staging CA
  --only IDS           run only these checks (ids or areas, comma-separated or repeated)
  --skip IDS           leave these checks (ids or areas) out
  --timeout SECONDS    bound for the whole run (default 60; 180 with --browser or --aws)
  --browser            also open the site in headless Chromium (Debian's chromium package):
                       third-party requests, ICE servers, pre-join and muted entry, lobby, media
  --host-credentials FILE
                       with --browser on a secure-auth stack: log in as this host for the lobby
                       and media checks; FILE holds the user name on its first line and the
                       password on its second, readable by you only (chmod 600). With --aws and
                       --stack, the host account's password is read from SSM instead
  --aws                also check the AWS side of an AWS stack (credentials from the usual AWS variables or
                       profile; AWS_ENDPOINT_URL is honoured): region, IMDSv2, encryption,
                       security groups, key pairs, and service health through SSM Run Command
  --port-map A=B       dial port B wherever port A would be used (e.g. 443=8443), for a
                       deployment behind port forwarding; a port in --url maps 443 to it
  --dns IP[:PORT]      ask this DNS server instead of the system resolver
  --aws-ranges FILE    read AWS's EC2 address ranges from FILE (default: the file the refresh
                       command below writes, .jitsi-eu/aws-ec2-ip-ranges.json)
  --json               print { url, verdict, checks: [{ id, title, status, detail }] }
                       (plus "error" when the host cannot be reached)
  --list               list every check (id, area, title, what it checks) and exit
  -h, --help           this text

Areas: dns, ports, tls, http, jitsi, privacy, turn, browser, aws.

Region (dns-aws-eu-region): an address is placed in an AWS region by its reverse DNS name
(AWS names EC2 addresses ec2-a-b-c-d.REGION.compute.amazonaws.com) and by AWS's published EC2
ranges, which jitsi-eu does not ship: download them (again every 90 days) with
  npx tsx scripts/refresh-aws-ip-ranges.ts              (or --from FILE without Internet access)
Without them, an address whose reverse DNS is custom or missing gets WARN instead of a verdict.

Other clouds: on a Hetzner Cloud or OpenStack stack (--stack) the external checks run as on AWS;
the AWS-side checks (--aws) and dns-aws-eu-region are skipped with the reason (no provider
publishes per-location address ranges jitsi-eu can check offline), and privacy-residency judges
the place the stack declares (location, or region and jitsi-eu:country).

With --browser and JWT auth, set JITSI_EU_VERIFY_JWT to a host token for the lobby and media
checks. Exit codes: 0 nothing failed, 1 a check failed, 2 usage error or host unreachable.`;

const OPTIONS = {
  url: { type: 'string' },
  stack: { type: 'string' },
  config: { type: 'string' },
  resolve: { type: 'string', multiple: true },
  ca: { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  browser: { type: 'boolean' },
  'host-credentials': { type: 'string' },
  aws: { type: 'boolean' },
  'port-map': { type: 'string', multiple: true },
  dns: { type: 'string', multiple: true },
  'aws-ranges': { type: 'string' },
  json: { type: 'boolean' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<number> {
  const parsed = parseCliOrHelp(process.argv.slice(2), OPTIONS, USAGE);
  if (!parsed) return EXIT.OK;
  const { values, positionals } = parsed;
  if (values.list) {
    const { CHECK_CATALOGUE } = await checks();
    if (values.json) printJson(CHECK_CATALOGUE);
    else process.stdout.write(`${renderTable(['id', 'area', 'needs', 'title', 'checks'], CHECK_CATALOGUE.map((c) => [c.id, c.area, c.mode === 'external' ? '-' : `--${c.mode}`, c.title, c.description]))}\n`);
    return EXIT.OK;
  }
  if (positionals.length > 0) throw new UsageError([`unexpected argument ${positionals[0]}: give the address with --url https://DOMAIN`, 'run with --help for usage']);
  if (!values.url && !values.stack && !values.config) throw new UsageError(['missing --url https://DOMAIN (or --stack NAME)', 'run with --help for usage']);
  if (values.stack && values.config) throw new UsageError('give either --stack NAME or --config PATH, not both');
  let timeoutSeconds: number | undefined;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout ${values.timeout}: give a positive number of seconds`);
  }
  if (values['host-credentials'] && !values.browser) throw new UsageError('--host-credentials is for the browser checks: add --browser');
  const hostCredentials = values['host-credentials'] ? (await import('./verify/browser/host-login.ts')).readHostCredentialsFile(values['host-credentials']) : undefined;
  const [{ runVerify, verifyExitCode }, { reportJson, reportTable }] = await runner();
  const report = await runVerify({
    ...(values.url ? { url: values.url } : {}),
    ...(values.stack ? { stack: checkStackName(values.stack) } : {}),
    ...(values.config ? { stackFile: values.config } : {}),
    resolve: values.resolve ?? [],
    ca: values.ca ?? [],
    only: values.only ?? [],
    skip: values.skip ?? [],
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    browser: Boolean(values.browser),
    ...(hostCredentials ? { hostCredentials } : {}),
    aws: Boolean(values.aws),
    portMap: values['port-map'] ?? [],
    dnsServers: values.dns ?? [],
    ...(values['aws-ranges'] ? { awsRangesFile: values['aws-ranges'] } : {}),
    onProgress: progress,
  });
  if (values.json) {
    printJson(reportJson(report));
    if (report.unreachable) process.stderr.write(`error: ${report.unreachable}\n`);
  } else if (report.unreachable) {
    // Nothing ran: show only what was found (DNS) and why the run stopped.
    process.stdout.write(reportTable({ ...report, checks: report.checks.filter((c) => c.status !== 'SKIP') }));
  } else {
    process.stdout.write(reportTable(report));
  }
  return verifyExitCode(report);
}

await runCli(main);
