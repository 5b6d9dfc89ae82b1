// Name resolution with a deadline. The public records (A/AAAA, CAA, PTR) come from DNS servers (the
// system's, or the ones given with --dns); names only known to /etc/hosts fall back to the
// system lookup, so a test host or an internal name still works.
import { promises as dns, type CaaRecord } from 'node:dns';
import { isIP } from 'node:net';
import { ProbeError } from './probe-error.ts';

export interface Resolution {
  addresses: string[];
  /** How the addresses were found, for the detail line. */
  via: string;
}

/** A DNS lookup that failed or found nothing. */
export class DnsError extends ProbeError {}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DnsError('ETIMEOUT', `${what}: no DNS answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function resolverFor(servers: readonly string[] | undefined, timeoutMs: number): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 });
  if (servers && servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}

const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

/** A and AAAA records of a host. Rejects with DnsError when the name does not resolve. */
export async function resolveHost(host: string, timeoutMs: number, servers?: readonly string[]): Promise<Resolution> {
  if (isIP(host)) return { addresses: [host], via: 'literal address' };
  const resolver = resolverFor(servers, timeoutMs);
  const attempt = async (rrtype: 'A' | 'AAAA'): Promise<string[]> => {
    try {
      return rrtype === 'A' ? await resolver.resolve4(host) : await resolver.resolve6(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NO_RECORD.has(code)) return [];
      throw new DnsError(code || 'EDNS', `${host} ${rrtype}: ${code || (error as Error).message}`);
    }
  };
  const work = (async () => {
    const settled = await Promise.allSettled([attempt('A'), attempt('AAAA')]);
    const addresses = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    if (addresses.length > 0) return { addresses, via: servers?.length ? `DNS server ${servers.join(', ')}` : 'DNS' };
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (!servers?.length) {
      // /etc/hosts and other local sources.
      try {
        const local = await dns.lookup(host, { all: true });
        if (local.length > 0) return { addresses: local.map((a) => a.address), via: 'system lookup (not DNS)' };
      } catch {
        // fall through to the DNS error
      }
    }
    if (failure) throw failure.reason as DnsError;
    throw new DnsError('ENOTFOUND', `${host} has no A or AAAA record`);
  })();
  return withDeadline(work, timeoutMs, host).catch((error: unknown) => {
    resolver.cancel();
    throw error;
  });
}

/** CAA records of the host or of its closest ancestor that has some (RFC 8659 tree climbing). */
export async function resolveCaaClimbing(
  host: string,
  timeoutMs: number,
  servers?: readonly string[],
): Promise<{ name: string; records: CaaRecord[] } | undefined> {
  const resolver = resolverFor(servers, timeoutMs);
  const work = (async () => {
    const labels = host.split('.');
    for (let i = 0; i < labels.length - 1; i += 1) {
      const name = labels.slice(i).join('.');
      try {
        const records = await resolver.resolveCaa(name);
        if (records.length > 0) return { name, records };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (!NO_RECORD.has(code)) throw new DnsError(code || 'EDNS', `CAA ${name}: ${code || (error as Error).message}`);
      }
    }
    return undefined;
  })();
  return withDeadline(work, timeoutMs, `CAA ${host}`).catch((error: unknown) => {
    resolver.cancel();
    throw error;
  });
}

/** The PTR names of an address (empty when it has none). Rejects with DnsError when DNS fails. */
export async function reverseLookup(ip: string, timeoutMs: number, servers?: readonly string[]): Promise<string[]> {
  const resolver = resolverFor(servers, timeoutMs);
  const work = resolver.reverse(ip).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (NO_RECORD.has(code)) return [];
    throw new DnsError(code || 'EDNS', `PTR ${ip}: ${code || (error as Error).message}`);
  });
  return withDeadline(work, timeoutMs, `PTR ${ip}`).catch((error: unknown) => {
    resolver.cancel();
    throw error;
  });
}
