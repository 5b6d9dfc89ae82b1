// After `pulumi up`: bounded waits, with progress, until the new host can be verified — its name
// points at the Elastic IP, HTTPS answers, and the host's ready endpoint says every service
// passed its own health wait. HTTP probes connect to the Elastic IP directly (with the host name
// for SNI and Host), so a resolver that cached "no such name" cannot stall them.
import { promises as dnsPromises } from 'node:dns';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { formatDuration } from './duration.ts';

export interface Probe {
  ok: boolean;
  /** What was seen, e.g. `resolves to 192.0.2.1` or `HTTP 404`. */
  detail: string;
  /** The host reported something more waiting cannot change (a failed boot): stop at once. */
  final?: boolean;
}

export type WaitId = 'dns' | 'https' | 'ready';

export interface WaitResult {
  id: WaitId;
  title: string;
  ok: boolean;
  detail: string;
  elapsedMs: number;
  attempts: number;
  /** True when the wait stopped before its deadline because the probe's answer was final. */
  final?: boolean;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  progress: (message: string) => void;
  /** Progress is repeated at least this often while nothing changes. */
  reportEveryMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it succeeds or `timeoutMs` has passed; never throws for a failed probe. */
export async function waitUntil(id: WaitId, title: string, probe: () => Promise<Probe>, options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const reportEvery = options.reportEveryMs ?? 60_000;
  const start = now();
  let attempts = 0;
  let lastDetail = '';
  let lastReport = -Infinity;
  for (;;) {
    attempts += 1;
    let result: Probe;
    try {
      result = await probe();
    } catch (error) {
      result = { ok: false, detail: (error as Error).message };
    }
    const elapsed = now() - start;
    if (result.ok) {
      options.progress(`${title}: ${result.detail} (after ${formatDuration(elapsed)})`);
      return { id, title, ok: true, detail: result.detail, elapsedMs: elapsed, attempts };
    }
    if (result.final) {
      return { id, title, ok: false, detail: `${result.detail} (after ${formatDuration(elapsed)})`, elapsedMs: elapsed, attempts, final: true };
    }
    if (elapsed >= options.timeoutMs) {
      return { id, title, ok: false, detail: `gave up after ${formatDuration(elapsed)}: ${result.detail}`, elapsedMs: elapsed, attempts };
    }
    if (result.detail !== lastDetail || elapsed - lastReport >= reportEvery) {
      options.progress(`waiting for ${title}: ${result.detail} (${formatDuration(elapsed)} of at most ${formatDuration(options.timeoutMs)})`);
      lastDetail = result.detail;
      lastReport = elapsed;
    }
    await sleep(Math.min(options.intervalMs, Math.max(0, options.timeoutMs - elapsed)));
  }
}

export type Resolve4 = (host: string) => Promise<string[]>;

/** The host name resolves to exactly the expected address (a stale second record also fails). */
export async function probeDns(host: string, expectedIp: string, resolve4: Resolve4 = (h) => dnsPromises.resolve4(h)): Promise<Probe> {
  let addresses: string[];
  try {
    addresses = await resolve4(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return { ok: false, detail: `${host} has no A record yet` };
    return { ok: false, detail: `lookup of ${host} failed (${code ?? (error as Error).message})` };
  }
  const sorted = [...addresses].sort();
  if (sorted.length === 1 && sorted[0] === expectedIp) return { ok: true, detail: `${host} resolves to ${expectedIp}` };
  return { ok: false, detail: `${host} resolves to ${sorted.join(', ') || 'nothing'}, expected ${expectedIp}` };
}

export interface HttpsTarget {
  host: string;
  /** Address to connect to instead of resolving `host`. */
  ip: string;
  port?: number;
  path: string;
  /** Accept any certificate (the self-signed stand-in at first boot, or a staging CA). */
  insecure: boolean;
  /** Extra trusted CA certificates (PEM). */
  ca?: string;
  timeoutMs?: number;
}

export interface HttpsAnswer {
  status: number;
  body: string;
}

/** One GET over HTTPS to a pinned address; rejects with a short reason when no answer arrives. */
export function httpsGet(target: HttpsTarget): Promise<HttpsAnswer> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    const family = target.ip.includes(':') ? 6 : 4;
    if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.ip, family }]);
    else callback(null, target.ip, family);
  };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        servername: target.host,
        port: target.port ?? 443,
        path: target.path,
        method: 'GET',
        lookup,
        agent: false,
        rejectUnauthorized: !target.insecure,
        ...(target.ca ? { ca: target.ca } : {}),
        headers: { 'user-agent': 'jitsi-eu-deploy' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 4096) body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.setTimeout(target.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer within ${Math.round((target.timeoutMs ?? 10_000) / 1000)} s`)));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(describeConnectError(error))));
    req.end();
  });
}

function describeConnectError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nginx not running yet)';
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return `no answer (${error.code})`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `certificate not trusted yet (${error.code}): the host serves a stand-in until Let's Encrypt has issued one`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'certificate is for another name';
    default:
      return error.message;
  }
}

/** HTTPS answers at all (any status, any certificate): nginx is up. */
export async function probeHttps(target: Omit<HttpsTarget, 'insecure' | 'path'>): Promise<Probe> {
  const answer = await httpsGet({ ...target, path: '/', insecure: true });
  return { ok: true, detail: `HTTPS answers (HTTP ${answer.status})` };
}

/** The step name from a ready file that says `failed: <step>`, made safe to print; undefined otherwise. */
export function failedBootStep(body: string): string | undefined {
  const firstLine = body.trim().split('\n', 1)[0]!;
  if (!firstLine.startsWith('failed:')) return undefined;
  // The text comes from the network: keep it to one short line of plain characters.
  const step = firstLine.slice('failed:'.length).replace(/[^\w .:/+-]/g, '').trim().slice(0, 60);
  return step || 'an unnamed step';
}

/**
 * The ready endpoint, over a connection as trusted as `insecure` allows: 200 `ok` once every
 * service passed its health wait, 200 `failed: <step>` when the boot script gave up (final: no
 * amount of waiting helps), 404 while the boot is still running.
 */
export async function probeReady(target: HttpsTarget): Promise<Probe> {
  const answer = await httpsGet(target);
  if (answer.status === 200) {
    if (answer.body.trim() === 'ok') return { ok: true, detail: `${target.path} answers ok` };
    const step = failedBootStep(answer.body);
    if (step) return { ok: false, final: true, detail: `the host's boot failed at step ${step} (${target.path} says so)` };
    return { ok: false, detail: `${target.path} answers 200 with ${JSON.stringify(answer.body.trim().slice(0, 40))} instead of ok` };
  }
  if (answer.status === 404) return { ok: false, detail: `${target.path} answers 404: services are still starting` };
  return { ok: false, detail: `${target.path} answers HTTP ${answer.status}` };
}
