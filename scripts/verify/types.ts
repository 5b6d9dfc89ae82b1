// Shapes shared by the verify runner, its checks and the commands that call it (deploy, sandbox).
import type { DeploymentSpec } from '../../infra/spec/types.ts';

export type CheckStatus = 'PASS' | 'FAIL' | 'WARN' | 'SKIP';

/** Where a check looks. The README groups the check list by area. */
export type CheckArea = 'dns' | 'ports' | 'tls' | 'http' | 'jitsi' | 'privacy' | 'turn' | 'browser' | 'aws';

/**
 * What a check needs to run: `external` checks run on every call (no credentials), `browser`
 * checks only with --browser (headless Chromium), `aws` checks only with --aws (AWS credentials).
 */
export type CheckMode = 'external' | 'browser' | 'aws';

export interface CheckOutcome {
  status: CheckStatus;
  /** One line a person can act on: what was seen and, on failure, what to fix. */
  detail: string;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
}

export interface VerifyReport {
  url: string;
  verdict: 'pass' | 'fail';
  checks: CheckResult[];
  /** Set when the host could not be reached at all (DNS failure, nothing answers): exit code 2. */
  unreachable?: string;
  durationMs: number;
}

export interface VerifyOptions {
  /** `https://DOMAIN[:PORT]`; optional when the stack (or spec) names the domain. */
  url?: string;
  /** Stack name: expected values come from `Pulumi.<stack>.yaml`. */
  stack?: string;
  /** Stack file path, instead of a stack name. */
  stackFile?: string;
  /** A spec the caller already holds (deploy, sandbox), instead of reading a stack file. */
  spec?: DeploymentSpec;
  /** `HOST:IP` pairs: every connection for HOST goes to IP (like curl --resolve). */
  resolve?: string[];
  /** PEM files with extra trusted CA certificates (test or staging CAs). */
  ca?: string[];
  /** Check ids or area names to run (all when empty). */
  only?: string[];
  /** Check ids or area names to leave out. */
  skip?: string[];
  /** Bound for the whole run, in seconds. */
  timeoutSeconds?: number;
  browser?: boolean;
  aws?: boolean;
  /**
   * `WELL_KNOWN=ACTUAL` port mappings, for a deployment behind port forwarding (and for tests):
   * `80=8080` makes the HTTP checks use port 8080 where they would use 80.
   */
  portMap?: string[];
  /** DNS servers (`IP` or `IP:PORT`) to ask instead of the system resolver. */
  dnsServers?: string[];
  /** AWS range file to read instead of the one scripts/refresh-aws-ip-ranges.ts writes by default. */
  awsRangesFile?: string;
  /** Progress messages (one line each); the CLI prints them on stderr. */
  onProgress?: (message: string) => void;
  /** A host account for --browser on secure-auth stacks (the lobby and media checks log in with it). */
  hostCredentials?: { user: string; password: string };
  /** Chromium executable for --browser (default /usr/bin/chromium). */
  chromiumPath?: string;
  /** AWS API endpoint override (the SDK also honours AWS_ENDPOINT_URL). */
  awsEndpoint?: string;
  /** Clock, for tests of expiry handling. */
  now?: Date;
}

/** One entry of the documented check list (README, --list). */
export interface CheckInfo {
  id: string;
  title: string;
  area: CheckArea;
  mode: CheckMode;
  /** What the check looks at and when it passes, in a sentence or two. */
  description: string;
}
