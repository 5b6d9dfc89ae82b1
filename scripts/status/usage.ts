// status's command line: what it accepts, and the parsed options. Loads no AWS SDK, so --help
// and argument errors answer at once.
import { isIP } from 'node:net';
import { UsageError, parseCliOrHelp, requireStackName } from '../lib/cli.ts';

export const STATUS_USAGE = `Usage: npm run status -- --stack NAME [--json] [--timeout SECONDS] [--resolve HOST:IP]

How a deployed stack is doing, from the cloud's API and from the hosts themselves (on AWS through
SSM Run Command; nothing new is exposed publicly):
  versions       the Jitsi release the stack pins, and the packages each host runs
  hosts          the stack's instances (tag jitsi-eu:stack=NAME), the bridge Auto Scaling group:
                 desired, in service, draining
  conferences    conferences and participants right now, from each videobridge's statistics
  certificate    expiry on the host and as served publicly
  revision       the configuration revision each host runs, against what the stack renders
  sandbox        time left before the sandbox expires
  cost           this month so far, in EUR, from the cost model

On Hetzner Cloud and OpenStack (jitsi-eu:cloud) status lists the stack's servers as the provider
reports them (state, addresses, role, server type, created, expiry), what its servers and
public IPv4 addresses cost (a month, and this month so far, from the dated price tables; what
has no recorded price is named) and checks the public certificate. It reads the signaling node
through the stack's operator channel (signed HTTPS to the node; the key is a stack output):
its packages, jicofo's conferences, its certificate and its configuration revision, judged as
on AWS. The bridges have no channel: their versions and statistics are not read there (the
report says so). A stack deployed before the channel: the report says so and how to add it.

Options:
  --stack NAME       the stack (Pulumi.NAME.yaml next to Pulumi.yaml)
  --json             print one JSON object on stdout
  --timeout SECONDS  how long to wait for the hosts (or the channel) to answer (default 60); a
                     host that does not answer in time is reported as such
  --resolve HOST:IP  dial IP for the public TLS handshake with HOST (e.g. before DNS points
                     at the deployment); like curl --resolve
  -h, --help         show this help

Environment: AWS credentials as for deploy; AWS_ENDPOINT_URL is honoured. Hetzner: HCLOUD_TOKEN
(HCLOUD_ENDPOINT is honoured). OpenStack: the clouds.yaml entry openstack:cloud or OS_CLOUD, or
the OS_* variables, as for teardown. Hetzner and OpenStack: the Pulumi backend, for the stack's
channel outputs; JITSI_EU_CHANNEL_CA adds CA certificates (PEM files, ':'-separated) the
channel's certificate may come from (e.g. Let's Encrypt staging).

Exit codes: 0 every host answered and everything matches; 1 something is wrong (a host down or
silent, a revision or version mismatch, a certificate expiring within 14 days, the bridge group
below its minimum, an expired sandbox); 2 bad arguments, an invalid stack file or no cloud credentials.`;

export interface StatusOptions {
  stack: string;
  json: boolean;
  timeoutMs: number;
  /** Address to dial for the public handshake, instead of asking DNS. */
  resolve?: { host: string; ip: string };
}

export const DEFAULT_TIMEOUT_SECONDS = 60;

/** argv → options; undefined after printing --help. */
export function parseStatusArgs(argv: string[], out?: (text: string) => void): StatusOptions | undefined {
  const parsed = parseCliOrHelp(
    argv,
    { stack: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string' }, resolve: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    STATUS_USAGE,
    out,
  );
  if (!parsed) return undefined;
  const { values, positionals } = parsed;
  const stack = requireStackName(values.stack, positionals, 'checked');
  let seconds = DEFAULT_TIMEOUT_SECONDS;
  if (values.timeout !== undefined) {
    seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout ${values.timeout}: give a positive number of seconds, e.g. --timeout 90`);
  }
  let resolve: StatusOptions['resolve'];
  if (values.resolve !== undefined) {
    const match = /^([^:\s]+):(.+)$/.exec(values.resolve);
    if (!match || isIP(match[2]!) === 0) throw new UsageError(`--resolve ${values.resolve}: give HOST:IP, e.g. --resolve meet.example.org:203.0.113.10`);
    resolve = { host: match[1]!, ip: match[2]! };
  }
  return { stack, json: Boolean(values.json), timeoutMs: seconds * 1000, ...(resolve ? { resolve } : {}) };
}
