// Everything a check may read: the target, the expectations (spec and privacy profile) and shared
// probes. Probes several checks need (the home page, config.js, the default TLS handshake, the
// browser session, the AWS inventory) run once per run and are shared.
import { isIPv4 } from 'node:net';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { PrivacyProfile } from '../../infra/privacy/types.ts';
import { Limiter, httpRequest, type Endpoint, type HttpRequest, type HttpResponse } from './net/http.ts';
import { tlsHandshake, type TlsProbe } from './net/tls.ts';
import { mappedPort, type Target } from './target.ts';
import { evaluateConfigScript, type JsonObject } from './js-config.ts';
import type { VerifyOptions } from './types.ts';
import { randomRoom } from './checks/define.ts';

export interface Resolved {
  addresses: string[];
  via: string;
}

export interface ServedScript {
  response: HttpResponse;
  /** The evaluated object, or why it could not be read. */
  value?: JsonObject;
  error?: string;
}

export interface ContextInit {
  target: Target;
  spec: DeploymentSpec;
  profile: PrivacyProfile;
  fromStack: boolean;
  expectationSource: string;
  extraCa: string[];
  resolved: Resolved;
  signal: AbortSignal;
  probeTimeoutMs: number;
  deadline: number;
  now: Date;
  options: VerifyOptions;
}

export class VerifyContext {
  readonly target: Target;
  readonly spec: DeploymentSpec;
  readonly profile: PrivacyProfile;
  readonly fromStack: boolean;
  readonly expectationSource: string;
  readonly extraCa: string[];
  readonly resolved: Resolved;
  readonly signal: AbortSignal;
  readonly now: Date;
  readonly options: VerifyOptions;
  /** Epoch ms by which the whole run must end. */
  readonly deadline: number;
  /** A random room for this run: pages under it are the app's room pages. */
  readonly room = randomRoom();
  /** A path under a static folder that cannot exist: the site's 404 answer. */
  readonly missingPath = `/libs/${randomRoom()}.js`;
  private readonly baseProbeTimeoutMs: number;
  private readonly limiter = new Limiter(6);
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(init: ContextInit) {
    this.target = init.target;
    this.spec = init.spec;
    this.profile = init.profile;
    this.fromStack = init.fromStack;
    this.expectationSource = init.expectationSource;
    this.extraCa = init.extraCa;
    this.resolved = init.resolved;
    this.signal = init.signal;
    this.now = init.now;
    this.options = init.options;
    this.deadline = init.deadline;
    this.baseProbeTimeoutMs = init.probeTimeoutMs;
  }

  get host(): string {
    return this.target.host;
  }

  /** The address connections go to: the first IPv4 address, else the first one. */
  get ip(): string {
    return this.resolved.addresses.find((a) => isIPv4(a)) ?? this.resolved.addresses[0]!;
  }

  /** Deadline for one network exchange: the base probe timeout, cut to what is left of the run. */
  get probeTimeoutMs(): number {
    return Math.max(50, Math.min(this.baseProbeTimeoutMs, this.deadline - Date.now()));
  }

  port(wellKnown: number): number {
    return mappedPort(this.target, wellKnown);
  }

  endpoint(wellKnown: number, ip: string = this.ip): Endpoint {
    return { host: this.host, ip, port: this.port(wellKnown) };
  }

  /** Memoises a probe for the whole run. */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let promise = this.memo.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = make();
      // A rejected shared probe is reported by each check that awaits it; avoid an unhandled rejection here.
      promise.catch(() => undefined);
      this.memo.set(key, promise);
    }
    return promise;
  }

  /** A request to the HTTPS site. Plain GETs are shared between checks. */
  https(path: string, request: Omit<HttpRequest, 'scheme' | 'path'> = {}): Promise<HttpResponse> {
    const run = () => this.limiter.run(() => httpRequest(this.endpoint(443), { ...request, scheme: 'https', path }, this.probeTimeoutMs, this.signal));
    const plain = (request.method ?? 'GET') === 'GET' && request.body === undefined && !request.headers && !request.acceptCompression;
    return plain ? this.once(`https ${path}`, run) : run();
  }

  /** A request to port 80. */
  http(path: string): Promise<HttpResponse> {
    return this.once(`http ${path}`, () =>
      this.limiter.run(() => httpRequest(this.endpoint(80), { scheme: 'http', path }, this.probeTimeoutMs, this.signal)),
    );
  }

  /** The default handshake (any protocol the server prefers), shared by the certificate checks. */
  tls(): Promise<TlsProbe> {
    return this.once('tls default', () =>
      tlsHandshake(this.endpoint(443), { extraCa: this.extraCa, timeoutMs: this.probeTimeoutMs, signal: this.signal }),
    );
  }

  /** `/config.js` as served, evaluated. */
  webConfig(): Promise<ServedScript> {
    return this.once('config.js', () => this.servedScript('/config.js', 'config'));
  }

  /** `/interface_config.js` as served, evaluated. */
  interfaceConfig(): Promise<ServedScript> {
    return this.once('interface_config.js', () => this.servedScript('/interface_config.js', 'interfaceConfig'));
  }

  private async servedScript(path: string, globalName: 'config' | 'interfaceConfig'): Promise<ServedScript> {
    const response = await this.https(path);
    if (response.status !== 200) return { response, error: `${path} answered HTTP ${response.status}` };
    try {
      return { response, value: evaluateConfigScript(response.body, globalName) };
    } catch (error) {
      return { response, error: `${path} ${(error as Error).message}` };
    }
  }

  /** `https://host[:port]` as a browser would write the origin. */
  get origin(): string {
    const port = this.port(443);
    return `https://${this.host}${port === 443 ? '' : `:${port}`}`;
  }
}
