// Where verify connects: the deployment's host name (TLS SNI, HTTP Host, expected values) and the
// addresses and ports it actually dials. `--resolve HOST:IP` and `--port-map 443=8443` change the
// second without changing the first, so a deployment can be checked before DNS points at it.
import { isIP } from 'node:net';
import { UsageError } from '../lib/cli.ts';

export interface Target {
  /** The URL as given, normalised (`https://meet.example.org/`). */
  url: string;
  /** Host name of the deployment, lowercase. */
  host: string;
  /** Address given with --resolve for this host; DNS is not consulted then. */
  resolvedBy?: string;
  /** Maps a well-known port (443, 80, 22, ...) to the port actually dialled. */
  portMap: ReadonlyMap<number, number>;
}

/** `HOST:IP` (IPv6 in brackets or bare after the first colon). */
export function parseResolve(entries: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const host = colon > 0 ? entry.slice(0, colon).toLowerCase() : '';
    const ip = colon > 0 ? entry.slice(colon + 1).replace(/^\[(.*)\]$/, '$1') : '';
    if (!host || !isIP(ip)) {
      throw new UsageError(`--resolve ${entry}: expected HOST:IP, e.g. --resolve meet.example.org:203.0.113.10`);
    }
    map.set(host, ip);
  }
  return map;
}

/** `WELL_KNOWN=ACTUAL` pairs, e.g. `443=8443`. */
export function parsePortMap(entries: readonly string[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of entries) {
    const match = /^(\d{1,5})=(\d{1,5})$/.exec(entry);
    const from = match ? Number(match[1]) : NaN;
    const to = match ? Number(match[2]) : NaN;
    if (!match || from < 1 || from > 65535 || to < 1 || to > 65535) {
      throw new UsageError(`--port-map ${entry}: expected WELL_KNOWN=ACTUAL with ports 1-65535, e.g. --port-map 443=8443`);
    }
    map.set(from, to);
  }
  return map;
}

/**
 * Builds the target from the URL. A port in the URL maps 443 to it (unless --port-map says
 * otherwise); a path or query is ignored because verify checks the whole site.
 */
export function parseTarget(url: string, resolve: readonly string[] = [], portMap: readonly string[] = []): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url ${url} is not a URL: give the deployment's address, e.g. --url https://meet.example.org`);
  }
  if (parsed.protocol !== 'https:') {
    throw new UsageError(`--url ${url}: verify checks the HTTPS site, give https://${parsed.host || 'DOMAIN'}`);
  }
  const host = parsed.hostname.toLowerCase();
  if (isIP(host.replace(/^\[(.*)\]$/, '$1'))) {
    throw new UsageError([
      `--url ${url} names an IP address; verify needs the deployment's domain (certificate, config.js and Host header all use it)`,
      `to connect to an address of your choice: --url https://DOMAIN --resolve DOMAIN:${host}`,
    ]);
  }
  const resolveMap = parseResolve(resolve);
  for (const name of resolveMap.keys()) {
    if (name !== host) throw new UsageError(`--resolve ${name}:...: verify only connects to ${host}; remove it or fix the host name`);
  }
  const ports = parsePortMap(portMap);
  if (parsed.port && !ports.has(443)) ports.set(443, Number(parsed.port));
  const ip = resolveMap.get(host);
  return {
    url: `https://${host}${parsed.port ? `:${parsed.port}` : ''}/`,
    host,
    ...(ip ? { resolvedBy: ip } : {}),
    portMap: ports,
  };
}

/** The port actually dialled for a well-known port. */
export function mappedPort(target: Target, port: number): number {
  return target.portMap.get(port) ?? port;
}
