// The verify runner: works out what to expect and where to connect, makes sure the host answers at
// all, then runs the selected checks concurrently, each under its own deadline, the whole run
// under --timeout. Used by `npm run verify`, `npm run deploy` and `npm run sandbox -- create`.
import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import { EXIT, UsageError } from '../lib/cli.ts';
import { AWS_RANGES_REFRESH_COMMAND } from './aws-ranges.ts';
import { requireAwsAccessFor } from './checks/aws.ts';
import { closeBrowser } from './checks/browser.ts';
import type { CheckDefinition } from './checks/define.ts';
import { VerifyContext, type Resolved } from './context.ts';
import { expectationsFor } from './expected.ts';
import { resolveHost } from './net/dns.ts';
import { httpRequest } from './net/http.ts';
import { tlsHandshake } from './net/tls.ts';
import { ALL_CHECKS, CHECK_AREAS } from './registry.ts';
import { notOnThisCloud } from './cloud-scope.ts';
import { parseTarget, mappedPort, type Target } from './target.ts';
import type { CheckOutcome, CheckResult, VerifyOptions, VerifyReport } from './types.ts';

export type { VerifyOptions, VerifyReport, CheckResult } from './types.ts';

/** Default bound for a run without --timeout: external checks, or with the browser / AWS checks. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_TIMEOUT_WITH_BROWSER_OR_AWS_SECONDS = 180;

/** 0 when nothing failed, 1 when a check failed, 2 when the host could not be reached at all. */
export function verifyExitCode(report: VerifyReport): number {
  if (report.unreachable) return EXIT.USAGE;
  return report.verdict === 'pass' ? EXIT.OK : EXIT.FAILED;
}

/** Resolves --only/--skip entries (check ids or area names) to check ids. */
export function selectChecks(only: readonly string[] = [], skip: readonly string[] = []): CheckDefinition[] {
  const expand = (flag: string, entries: readonly string[]): Set<string> => {
    const ids = new Set<string>();
    for (const raw of entries.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean)) {
      if ((CHECK_AREAS as readonly string[]).includes(raw)) {
        ALL_CHECKS.filter((c) => c.area === raw).forEach((c) => ids.add(c.id));
        continue;
      }
      if (!ALL_CHECKS.some((c) => c.id === raw)) {
        const names = [...ALL_CHECKS.map((c) => c.id), ...CHECK_AREAS];
        const best = closest(raw, names);
        const hint = distance(raw, best) <= Math.max(2, Math.floor(raw.length / 3)) ? `did you mean ${best}?` : 'run with --list to see every check id';
        throw new UsageError(`${flag} ${raw}: no such check or area; ${hint}`);
      }
      ids.add(raw);
    }
    return ids;
  };
  const onlyIds = expand('--only', only);
  const skipIds = expand('--skip', skip);
  return ALL_CHECKS.filter((c) => (onlyIds.size === 0 || onlyIds.has(c.id)) && !skipIds.has(c.id));
}

function readCaFiles(paths: readonly string[]): string[] {
  return paths.map((path) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(`--ca ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${path}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
    return text;
  });
}

function timeoutSecondsOf(options: VerifyOptions): number {
  const value = options.timeoutSeconds ?? (options.browser || options.aws ? DEFAULT_TIMEOUT_WITH_BROWSER_OR_AWS_SECONDS : DEFAULT_TIMEOUT_SECONDS);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--timeout ${value}: give a positive number of seconds`);
  return value;
}

async function resolveTarget(target: Target, timeoutMs: number, dnsServers: readonly string[] | undefined): Promise<Resolved | { error: string }> {
  if (target.resolvedBy) return { addresses: [target.resolvedBy], via: '--resolve' };
  try {
    return await resolveHost(target.host, timeoutMs, dnsServers);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const what = code === 'ENOTFOUND' || code === 'NXDOMAIN' ? 'no such domain' : code === 'ETIMEOUT' ? 'the DNS server did not answer in time' : (error as Error).message;
    return { error: `cannot resolve ${target.host}: ${what}; check the DNS record, or connect to an address directly with --resolve ${target.host}:IP` };
  }
}

/** Whether anything answers on the HTTPS or HTTP port; the reason when nothing does. */
async function reachability(target: Target, ip: string, timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
  const httpsPort = mappedPort(target, 443);
  const httpPort = mappedPort(target, 80);
  const [tls, http] = await Promise.all([
    tlsHandshake({ host: target.host, ip, port: httpsPort }, { timeoutMs, signal }),
    httpRequest({ host: target.host, ip, port: httpPort }, { scheme: 'http', path: '/', maxBody: 1024 }, timeoutMs, signal).then(
      () => undefined,
      (error: { code?: string; message: string }) => error,
    ),
  ]);
  if (tls.ok || http === undefined) return undefined;
  const explain = (code: string, message: string) =>
    code === 'ECONNREFUSED' ? 'connection refused' : code === 'timeout' || code === 'ETIMEOUT' ? message : `${code}: ${message}`;
  return `${target.host} (${ip}) cannot be reached: HTTPS port ${httpsPort}: ${explain(tls.code, tls.message)}; HTTP port ${httpPort}: ${explain(http.code ?? 'error', http.message)}`;
}

function withTimeout(check: CheckDefinition, ctx: VerifyContext, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const runDeadline = timeoutMs >= ctx.deadline - Date.now() - 5;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          status: 'FAIL',
          detail: runDeadline
            ? `not finished when the run's --timeout ended (${Math.round(timeoutMs / 100) / 10} s left for it)`
            : `no result within ${Math.round(timeoutMs / 100) / 10} s`,
        }),
      Math.max(0, timeoutMs),
    );
  });
  const work = check.run(ctx).catch((error: unknown): CheckOutcome => ({ status: 'FAIL', detail: `check error: ${(error as Error).message.split('\n')[0]}` }));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  let host: string | undefined;
  if (options.url) host = parseTarget(options.url).host;
  const expectations = expectationsFor({
    ...(host ? { host } : {}),
    ...(options.stack ? { stack: options.stack } : {}),
    ...(options.stackFile ? { stackFile: options.stackFile } : {}),
    ...(options.spec ? { spec: options.spec } : {}),
  });
  const url = options.url ?? `https://${expectations.spec.domain}`;
  const target = parseTarget(url, options.resolve ?? [], options.portMap ?? []);
  if (expectations.fromStack && target.host !== expectations.spec.domain) {
    throw new UsageError(`--url host ${target.host} is not the stack's domain ${expectations.spec.domain}; drop --url or fix it`);
  }
  const extraCa = readCaFiles(options.ca ?? []);
  if (options.awsRangesFile && !existsSync(options.awsRangesFile)) {
    throw new UsageError(`--aws-ranges ${options.awsRangesFile}: no such file; write it with ${AWS_RANGES_REFRESH_COMMAND} --out ${options.awsRangesFile}`);
  }
  const selected = selectChecks(options.only, options.skip);
  if (selected.length === 0) throw new UsageError('--only/--skip left no check to run');
  const totalMs = timeoutSecondsOf(options) * 1000;
  const deadline = started + totalMs;
  const probeTimeoutMs = Math.max(500, Math.min(8000, Math.floor(totalMs / 3)));
  const controller = new AbortController();
  // Every concurrent probe listens for the end of the run.
  setMaxListeners(0, controller.signal);
  const runTimer = setTimeout(() => controller.abort(), totalMs);
  const finish = (checks: CheckResult[], unreachable?: string): VerifyReport => ({
    url: target.url,
    verdict: !unreachable && checks.every((c) => c.status !== 'FAIL') ? 'pass' : 'fail',
    checks,
    ...(unreachable ? { unreachable } : {}),
    durationMs: Date.now() - started,
  });

  try {
    progress(`verifying ${target.url} against ${expectations.source}`);
    // AWS-only runs ask the AWS API, not the site: they need neither DNS nor a reachable host.
    const awsOnly = selected.every((c) => c.mode === 'aws');
    let resolved: Resolved | { error: string };
    if (awsOnly && expectations.fromStack && !target.resolvedBy) resolved = { addresses: [], via: 'not needed: instances are found by the stack tag' };
    else resolved = await resolveTarget(target, Math.min(probeTimeoutMs, deadline - Date.now()), options.dnsServers);
    if ('error' in resolved && awsOnly) resolved = { addresses: [], via: `not resolved (${resolved.error})` };
    if ('error' in resolved) {
      const checks = selected.map((c): CheckResult => ({
        id: c.id,
        title: c.title,
        ...(c.id === 'dns-resolves' ? { status: 'FAIL' as const, detail: resolved.error } : { status: 'SKIP' as const, detail: 'not run: the domain does not resolve' }),
      }));
      return finish(checks, resolved.error);
    }
    const ip = resolved.addresses[0];
    const unreachable = awsOnly || !ip ? undefined : await reachability(target, ip, Math.max(200, Math.min(probeTimeoutMs, deadline - Date.now() - 100)), controller.signal);
    if (unreachable) {
      const checks = selected.map((c): CheckResult => ({
        id: c.id,
        title: c.title,
        ...(c.id === 'dns-resolves' ? { status: 'PASS' as const, detail: `${resolved.addresses.join(', ')} (${resolved.via})` } : { status: 'SKIP' as const, detail: 'not run: the host cannot be reached' }),
      }));
      return finish(checks, unreachable);
    }

    const ctx = new VerifyContext({
      target,
      spec: expectations.spec,
      profile: privacyProfile(expectations.spec),
      fromStack: expectations.fromStack,
      expectationSource: expectations.source,
      extraCa,
      resolved,
      signal: controller.signal,
      probeTimeoutMs,
      deadline,
      now: options.now ?? new Date(),
      options,
    });
    // AWS's own checks on a stack elsewhere: skipped with the reason, and no AWS credentials asked for.
    const offCloud = new Map(selected.flatMap((c) => {
      const why = notOnThisCloud(c, expectations.spec, expectations.fromStack);
      return why ? [[c.id, why] as const] : [];
    }));
    if (options.aws && selected.some((c) => c.mode === 'aws' && !offCloud.has(c.id))) await requireAwsAccessFor(ctx);
    progress(`${selected.length} checks against ${target.host} (${resolved.addresses.join(', ') || resolved.via}), at most ${totalMs / 1000} s`);
    const pending = new Set(selected.map((c) => c.id));
    const ticker = setInterval(() => {
      if (pending.size > 0) progress(`waiting for ${pending.size} check${pending.size > 1 ? 's' : ''}: ${[...pending].slice(0, 6).join(', ')}${pending.size > 6 ? ', …' : ''}`);
    }, 5000);
    ticker.unref();
    const results = await Promise.all(
      selected.map(async (check): Promise<CheckResult> => {
        let outcome: CheckOutcome;
        const offCloudWhy = offCloud.get(check.id);
        if (offCloudWhy) outcome = { status: 'SKIP', detail: offCloudWhy };
        else if (check.mode === 'browser' && !options.browser) outcome = { status: 'SKIP', detail: 'needs --browser (headless Chromium)' };
        else if (check.mode === 'aws' && !options.aws) outcome = { status: 'SKIP', detail: 'needs --aws (AWS credentials)' };
        else {
          const own = check.timeoutMs ?? probeTimeoutMs * 2 + 2000;
          outcome = await withTimeout(check, ctx, Math.min(own, deadline - Date.now()));
        }
        pending.delete(check.id);
        return { id: check.id, title: check.title, status: outcome.status, detail: outcome.detail };
      }),
    );
    clearInterval(ticker);
    if (options.browser && selected.some((c) => c.mode === 'browser')) await closeBrowser(ctx);
    return finish(results);
  } finally {
    clearTimeout(runTimer);
    controller.abort();
  }
}
