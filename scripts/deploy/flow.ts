// One deployment from start to verdict: select (or create) the stack, `pulumi up` (with the policy
// pack) with its output streamed, the bounded waits, then the live verification. Shared by
// `deploy` (which previews and asks first) and `sandbox create`.
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { READY_URL_PATH } from '../../infra/render/paths.ts';
import type { StackOutputs, Workspace } from '../lib/workspace.ts';
import { bootTroubleHints } from './hints.ts';
import { printableOutputs, readOutputs, type DeployedOutputs } from './outputs.ts';
import type { VerifyReport, VerifyRunner } from './verify.ts';
import type { AppliedHost } from './applied.ts';
import type { DrainReport } from './bridge-drain.ts';
import type { AccountsCarrier, CarriedAccounts } from './carry-accounts.ts';
import { probeDns, probeHttps, probeReady, waitUntil, type Probe, type WaitResult } from './waits.ts';

export interface WaitTimeouts {
  dnsMs: number;
  httpsMs: number;
  readyMs: number;
  verifyMs: number;
}

/** A fresh host installs Jitsi from packages before it answers; DNS may take a while to propagate. */
export const DEFAULT_TIMEOUTS: WaitTimeouts = { dnsMs: 20 * 60_000, httpsMs: 20 * 60_000, readyMs: 30 * 60_000, verifyMs: 5 * 60_000 };

export interface Probes {
  dns: (host: string, ip: string) => Promise<Probe>;
  https: (host: string, ip: string) => Promise<Probe>;
  ready: (host: string, ip: string, insecure: boolean) => Promise<Probe>;
}

export const REAL_PROBES: Probes = {
  dns: (host, ip) => probeDns(host, ip),
  https: (host, ip) => probeHttps({ host, ip }),
  ready: (host, ip, insecure) => probeReady({ host, ip, path: READY_URL_PATH, insecure }),
};

export interface DeployFlowOptions {
  progress: (message: string) => void;
  /** Pulumi's own output while it works. */
  onOutput: (text: string) => void;
  /** False: stop after `up` (no waits, no verification). */
  wait: boolean;
  timeouts: WaitTimeouts;
  intervalMs: number;
  verify: { run: VerifyRunner } | { missing: string };
  probes?: Probes;
  /** Whether the stack was just created or selected, when the caller already did it (for its preview). */
  stackAction?: 'created' | 'selected';
  /**
   * Right after `up`, with its outputs: applies the configuration on the running hosts and says what
   * each did (AWS: SSM Run Command on every host; Hetzner Cloud, OpenStack: the channel to the
   * signaling node, whose failure fails the deploy).
   */
  applyConfiguration?: (outputs: StackOutputs) => Promise<AppliedHost[]>;
  /** Variables the program sees during `up` (JITSI_EU_DEPLOYED_SIGNALING_HOST). */
  upEnv?: Record<string, string>;
  /**
   * Hetzner Cloud, OpenStack: drains the bridges `up` is about to delete (bridge-drain.ts), and
   * takes the requests back when `up` fails, so those bridges serve new meetings again.
   */
  drainAhead?: { run: () => Promise<DrainReport>; withdraw: () => Promise<void> };
  /** Hetzner Cloud, OpenStack: the accounts of a signaling node this update replaces, for the new one. */
  carryAccounts?: AccountsCarrier;
}

export interface DeployOutcome {
  stack: string;
  region: string;
  stackAction?: 'created' | 'selected';
  url: string;
  outputs: Record<string, unknown>;
  deployed: DeployedOutputs;
  waits: WaitResult[];
  /** What each running host did with the new configuration. */
  applied?: AppliedHost[];
  /** How the bridges this update removed were drained before it. */
  drained?: DrainReport;
  /** The added accounts of a replaced signaling node, and whether the new one has them. */
  accounts?: CarriedAccounts;
  verify?: VerifyReport;
  /** Why the verification did not run, when it did not. */
  verifySkipped?: string;
  ok: boolean;
  /** What went wrong, when ok is false. */
  failure?: string;
  /** Where to look next, when a wait failed: the instance's console output, the boot log, a shell. */
  hints?: string[];
}

export async function deployStack(workspace: Workspace, spec: DeploymentSpec, options: DeployFlowOptions): Promise<DeployOutcome> {
  const probes = options.probes ?? REAL_PROBES;
  const outcome: DeployOutcome = { stack: spec.stack, region: spec.region, url: `https://${spec.domain}`, outputs: {}, deployed: {}, waits: [], ok: false };

  outcome.stackAction = options.stackAction ?? (await workspace.createOrSelectStack(spec.stack));
  if (outcome.stackAction === 'created' && !options.stackAction) options.progress(`created stack ${spec.stack} in ${workspace.backendDescription}`);
  if (options.drainAhead) {
    outcome.drained = await options.drainAhead.run();
    if (!outcome.drained.ok) {
      return { ...outcome, failure: `${outcome.drained.failure}; nothing was changed`, hints: [`run npm run deploy -- --stack ${spec.stack} again once the signaling node answers, or with --drain-wait 0 to remove the bridges without draining them first`] };
    }
  }
  let carrier = options.carryAccounts;
  if (carrier) {
    const count = await carrier.read().catch((error: unknown) => {
      options.progress(`could not read the accounts on the signaling node this update replaces (${(error as Error).message}): they are not carried over`);
      return 0;
    });
    if (count > 0) options.progress(`read ${count} account${count === 1 ? '' : 's'} on the signaling node this update replaces: deploy writes ${count === 1 ? 'it' : 'them'} on the new one once it is ready`);
    else carrier = undefined;
  }
  const notCarried = (detail: string): CarriedAccounts => ({ names: carrier!.names(), restored: false, detail });
  const addAgain = () => outcome.accounts!.names.map((name) => `npm run accounts -- add ${name} --stack ${spec.stack}  (a new password)`);
  options.progress(`pulumi up for ${spec.stack} (${spec.topology}, ${spec.region}); this takes a few minutes`);
  let outputs: StackOutputs;
  try {
    outputs = await workspace.up(spec.stack, options.onOutput, { allowNonEuRegion: spec.allowNonEuRegion }, options.upEnv ? { env: options.upEnv } : {});
  } catch (error) {
    const failure = `pulumi up failed for ${spec.stack}: ${(error as Error).message}`;
    if (!outcome.drained) return { ...outcome, failure };
    // The bridges it was to remove stay: they take new meetings again.
    const withdrawn = await options.drainAhead!.withdraw().then(() => 'the drained bridges take new meetings again', (e: unknown) => `the drain requests could not be withdrawn (${(e as Error).message}); they lapse by themselves`);
    return { ...outcome, failure: `${failure}; ${withdrawn}` };
  }
  outcome.outputs = printableOutputs(outputs);
  outcome.deployed = readOutputs(outputs);
  if (outcome.deployed.url) outcome.url = outcome.deployed.url;
  if (spec.cloud !== 'aws' && options.applyConfiguration) {
    const retry = `run npm run deploy -- --stack ${spec.stack} again: it sends the configuration to the signaling node through the channel`;
    try {
      outcome.applied = await options.applyConfiguration(outputs);
    } catch (error) {
      return { ...outcome, applied: [], failure: `the new configuration could not be sent to the signaling node: ${(error as Error).message}`, hints: [retry] };
    }
    const failed = outcome.applied.find((a) => !a.ok);
    if (failed) return { ...outcome, failure: `the signaling node did not apply the new configuration: ${failed.detail}`, hints: [retry] };
  } else if (options.applyConfiguration) {
    options.progress('applying the new configuration on the running hosts (jitsi-eu-apply through SSM Run Command)');
    try {
      outcome.applied = await options.applyConfiguration(outputs);
    } catch (error) {
      outcome.applied = [];
      options.progress(`could not reach the hosts through SSM: ${(error as Error).message}; State Manager applies the configuration by itself`);
    }
  }

  if (!options.wait) {
    if (carrier) outcome.accounts = notCarried('deploy did not wait for the new signaling node (--no-wait)');
    return { ...outcome, ok: true, verifySkipped: 'not waited for (--no-wait): run npm run verify once the host is up', ...(carrier ? { hints: addAgain() } : {}) };
  }
  const ip = outcome.deployed.publicIp;
  if (!ip) return { ...outcome, failure: `stack ${spec.stack} has no publicIp output, so there is nothing to wait for` };

  const waitOptions = (timeoutMs: number) => ({ timeoutMs, intervalMs: options.intervalMs, progress: options.progress });
  if (!spec.dnsZone) {
    options.progress(`jitsi-eu:dnsZone is not set: create the DNS record ${spec.domain}. A ${ip} now (the wait below watches for it)`);
  }
  const steps: [WaitResult['id'], string, () => Promise<Probe>, number][] = [
    ['dns', `DNS: ${spec.domain} → ${ip}`, () => probes.dns(spec.domain, ip), options.timeouts.dnsMs],
    ['https', `HTTPS on ${spec.domain}`, () => probes.https(spec.domain, ip), options.timeouts.httpsMs],
    [
      'ready',
      `ready endpoint ${READY_URL_PATH}`,
      () => probes.ready(spec.domain, ip, spec.tls === 'letsencrypt-staging'),
      options.timeouts.readyMs,
    ],
  ];
  for (const [id, title, probe, timeoutMs] of steps) {
    const result = await waitUntil(id, title, probe, waitOptions(timeoutMs));
    outcome.waits.push(result);
    if (!result.ok) {
      if (carrier) outcome.accounts = notCarried('the new signaling node did not get ready');
      return { ...outcome, failure: `${title}: ${result.detail}`, hints: [...bootTroubleHints(outcome.deployed, spec), ...(carrier ? addAgain() : [])] };
    }
  }
  if (carrier) {
    options.progress(`writing ${carrier.names().length === 1 ? 'the account' : `${carrier.names().length} accounts`} on the new signaling node (accounts.sh sync)`);
    outcome.accounts = await carrier.restore();
    if (!outcome.accounts.restored) return { ...outcome, failure: `the accounts could not be written on the new signaling node: ${outcome.accounts.detail}`, hints: addAgain() };
  }

  if ('missing' in options.verify) {
    return { ...outcome, verifySkipped: options.verify.missing, failure: `deployed, but not verified: ${options.verify.missing}` };
  }
  options.progress(`verifying ${outcome.url}`);
  try {
    outcome.verify = await options.verify.run({
      url: outcome.url,
      spec,
      host: spec.domain,
      ip,
      timeoutMs: options.timeouts.verifyMs,
      progress: options.progress,
    });
  } catch (error) {
    return { ...outcome, failure: `the live verification could not run: ${(error as Error).message}` };
  }
  if (outcome.verify.unreachable) return { ...outcome, failure: `the live verification could not reach the host: ${outcome.verify.unreachable}` };
  if (outcome.verify.verdict !== 'pass') {
    const failed = outcome.verify.checks.filter((c) => c.status === 'FAIL').map((c) => c.id);
    return { ...outcome, failure: `the live verification failed${failed.length ? `: ${failed.join(', ')}` : ''}` };
  }
  return { ...outcome, ok: true };
}
