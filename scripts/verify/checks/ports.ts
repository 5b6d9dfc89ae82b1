// What the Internet can reach: the web ports answer, SSH and every internal Jitsi port do not.
import { ADMIN_PORTS, PORTS } from '../../../infra/ports.ts';
import type { VerifyContext } from '../context.ts';
import { probeTcp, type TcpProbe } from '../net/tcp.ts';
import { type CheckDefinition, fail, list, pass, warn } from './define.ts';

/** Port probes wait at most this long: a dropped SYN (the expected answer) costs the full wait.
 * 2.5 s covers a round trip plus one SYN retransmission (sent after 1 s). */
const PORT_PROBE_MS = 2500;

const PORT_NAMES: Record<number, string> = {
  22: 'SSH',
  3389: 'RDP',
  5222: 'XMPP client (Prosody)',
  5269: 'XMPP server-to-server',
  5280: 'Prosody HTTP',
  5281: 'Prosody HTTPS',
  5347: 'XMPP components',
  8080: 'JVB private HTTP',
  8443: 'JVB HTTPS',
  8888: 'jicofo REST',
  9090: 'JVB public HTTP',
  [PORTS.turn]: 'TURN/STUN',
  [PORTS.turns]: 'TURN over TLS',
};

async function probeAll(ctx: VerifyContext, ports: readonly number[]): Promise<{ port: number; ip: string; probe: TcpProbe }[]> {
  const timeout = Math.min(PORT_PROBE_MS, ctx.probeTimeoutMs);
  const jobs = ctx.resolved.addresses.flatMap((ip) =>
    ports.map(async (port) => ({ port, ip, probe: await probeTcp(ip, ctx.port(port), timeout, ctx.signal) })),
  );
  return Promise.all(jobs);
}

function label(ctx: VerifyContext, port: number, ip: string): string {
  const actual = ctx.port(port);
  const where = ctx.resolved.addresses.length > 1 ? `${ip} ` : '';
  return `${where}${port}${actual !== port ? ` (as ${actual})` : ''} ${PORT_NAMES[port] ?? ''}`.trim();
}

/** Closed means filtered (dropped). Refused is a WARN: something lets packets through to that port. */
function judgeClosed(ctx: VerifyContext, results: Awaited<ReturnType<typeof probeAll>>, what: string) {
  const open = results.filter((r) => r.probe.state === 'open').map((r) => label(ctx, r.port, r.ip));
  const refused = results.filter((r) => r.probe.state === 'refused').map((r) => label(ctx, r.port, r.ip));
  if (open.length > 0) return fail(`reachable from outside: ${list(open)}; close them in the security group`);
  if (refused.length > 0) {
    return warn(`${what} closed, but ${list(refused)} answered with a reset instead of silence: a firewall rule lets packets reach ${refused.length === 1 ? 'it' : 'them'}`);
  }
  return pass(`${what} filtered (no answer within ${PORT_PROBE_MS / 1000} s)`);
}

const webPorts: CheckDefinition = {
  id: 'ports-web-open',
  title: 'HTTPS (443) and HTTP (80) answer',
  area: 'ports',
  mode: 'external',
  description: 'TCP connections to 443 and 80 succeed (80 serves the ACME challenge and the redirect).',
  async run(ctx) {
    const results = await probeAll(ctx, [PORTS.https, PORTS.http]);
    const closed = results.filter((r) => r.probe.state !== 'open').map((r) => `${label(ctx, r.port, r.ip)}: ${r.probe.state} (${r.probe.reason})`);
    if (closed.length > 0) return fail(`${list(closed)}; open tcp/443 and tcp/80 to the world`);
    return pass(`${[PORTS.https, PORTS.http].map((p) => ctx.port(p)).join(' and ')} accept connections`);
  },
};

const sshClosed: CheckDefinition = {
  id: 'ports-ssh-closed',
  title: 'SSH is not reachable',
  area: 'ports',
  mode: 'external',
  description: 'TCP 22 does not accept connections (administration goes through SSM Session Manager). WARN on a reset (port filtered too loosely).',
  async run(ctx) {
    return judgeClosed(ctx, await probeAll(ctx, [22]), 'SSH');
  },
};

/** Internal ports: every admin port except SSH, plus coturn's ports when the deployment runs no TURN. */
export function internalPorts(turn: boolean): number[] {
  const ports: number[] = ADMIN_PORTS.filter((p) => p !== 22);
  if (!turn) ports.push(PORTS.turn, PORTS.turns);
  return ports;
}

const internalClosed: CheckDefinition = {
  id: 'ports-internal-closed',
  title: 'Internal Jitsi ports are not reachable',
  area: 'ports',
  mode: 'external',
  description:
    'XMPP (5222, 5269, 5347), Prosody HTTP (5280/5281), JVB and jicofo HTTP (8080, 8443, 8888, 9090), RDP, ' +
    "and coturn's ports when TURN is off, do not accept connections from outside.",
  async run(ctx) {
    return judgeClosed(ctx, await probeAll(ctx, internalPorts(ctx.spec.turn)), 'internal ports');
  },
};

export const PORT_CHECKS: CheckDefinition[] = [webPorts, sshClosed, internalClosed];
