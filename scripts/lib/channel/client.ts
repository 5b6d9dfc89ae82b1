// Commands on a signaling node outside AWS, through the stack's channel: one signed HTTPS POST per
// script (infra/channel.ts), answered with the script's exit code and output. What SsmHostCommands
// is on AWS. TLS is verified as for any site; tests and staging certificates add a CA, never skip
// the check. Neither the key, the script nor the output is logged here.
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { CHANNEL_MAX_SCRIPT_SECONDS, type ChannelAnswer, type ChannelRequest } from '../../../infra/channel.ts';
import type { HostAnswer, HostCommands, RunOptions } from '../host-commands.ts';
import { signChannelRequest } from './signature.ts';

export interface ChannelTarget {
  /** `https://<domain>/_jitsi-eu/channel/run` (the stack's channelUrl output). */
  url: string;
  /** The stack's domain: part of what is signed. */
  domain: string;
  /** PKCS#8 PEM Ed25519 key (the stack's channelPrivateKey output); kept in memory only. */
  privateKeyPem: string;
  /** For the advice in refusals. */
  stack: string;
}

export interface ChannelClientOptions {
  /** Extra trusted CA certificates (PEM), for a test or staging certificate. */
  ca?: string[];
  /** Pause between two tries while the host does not answer yet. */
  retryMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Extra time for the answer beyond the script's own bound (the host stops the script at its bound). */
  marginMs?: number;
  /** Told before each new try (for progress): why the last one got no answer. */
  onRetry?: (reason: string) => void;
  /** Name resolution for the channel's host (a test reaching a site on loopback by its own name). */
  lookup?: LookupFunction;
}

/** Statuses that mean "the service behind nginx is not there yet": worth another try. */
const RETRY_STATUSES = new Set([502, 503, 504]);


interface Exchange {
  status: number;
  body: string;
}

type Attempt = { answer: HostAnswer } | { retry: string };

export class ChannelHostCommands implements HostCommands {
  private readonly retryMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly target: ChannelTarget,
    private readonly options: ChannelClientOptions = {},
  ) {
    this.retryMs = options.retryMs ?? 5000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** The channel reaches one host, the signaling node: every id gets that host's answer. */
  async run(instanceIds: readonly string[], script: string, options: RunOptions): Promise<Map<string, HostAnswer>> {
    const answers = new Map<string, HostAnswer>();
    if (!instanceIds.length) return answers;
    const answer = await this.send(script, options.timeoutMs);
    for (const id of instanceIds) {
      answers.set(id, answer);
      options.onAnswer?.(id, answer);
    }
    return answers;
  }

  /** Runs one script on the signaling node, trying again while it is not reachable, within `timeoutMs`. */
  async send(script: string, timeoutMs: number): Promise<HostAnswer> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const left = deadline - this.now();
      const attempt = await this.attempt(script, left);
      if ('answer' in attempt) return attempt.answer;
      if (this.now() + this.retryMs >= deadline) {
        return { state: 'no-answer', stdout: '', detail: `no answer from ${this.target.url} within ${Math.round(timeoutMs / 1000)} s: ${attempt.retry}` };
      }
      this.options.onRetry?.(attempt.retry);
      await this.sleep(this.retryMs);
    }
  }

  private async attempt(script: string, leftMs: number): Promise<Attempt> {
    const timeoutSeconds = Math.min(CHANNEL_MAX_SCRIPT_SECONDS, Math.max(1, Math.ceil(leftMs / 1000)));
    const body: ChannelRequest = { script, timeoutSeconds };
    const signed = signChannelRequest(this.target.privateKeyPem, this.target.domain, Buffer.from(JSON.stringify(body), 'utf8'), this.now);
    let exchange: Exchange;
    try {
      exchange = await this.post(signed.headers, signed.body, Math.max(1000, leftMs) + (this.options.marginMs ?? 15_000));
    } catch (error) {
      const problem = connectionProblem(error as NodeJS.ErrnoException, this.target.url);
      return problem.retry ? { retry: problem.text } : { answer: { state: 'no-answer', stdout: '', detail: problem.text } };
    }
    if (RETRY_STATUSES.has(exchange.status)) {
      return { retry: `HTTP ${exchange.status} from ${this.target.url}: the channel service on the signaling node is not running (yet); is the node still booting?` };
    }
    return { answer: this.answerOf(exchange) };
  }

  private answerOf({ status, body }: Exchange): HostAnswer {
    const json = parseJson(body);
    if (status === 200) {
      const answer = json as Partial<ChannelAnswer> | undefined;
      if (!answer || typeof answer.exitCode !== 'number') return { state: 'failed', stdout: '', detail: `${this.target.url} answered 200 without the channel's JSON answer: is something else serving that path?` };
      const stdout = typeof answer.stdout === 'string' ? answer.stdout : '';
      if (answer.exitCode === 0) return { state: 'answered', stdout };
      return { state: 'failed', stdout, exitCode: answer.exitCode, detail: `the script ended with exit code ${answer.exitCode}${stderrTail(answer.stderr)}` };
    }
    const said = json && typeof (json as { error?: unknown }).error === 'string' ? ` (the host said: ${(json as { error: string }).error})` : '';
    const deploy = `npm run deploy -- --stack ${this.target.stack}`;
    const detail: Record<number, string> = {
      400: `the signaling node refused the request as malformed${said}: are this checkout and the deployed release the same version? Update the checkout and run ${deploy}`,
      401: `the signaling node does not accept this stack's channel key${said}: was the signaling node created by another stack state? If the host says the clock is off, set this machine's clock (NTP)`,
      404: `the signaling node has no channel at ${this.target.url} (HTTP 404): run ${deploy} once: it adds the channel (the signaling node is replaced once)`,
      405: `the signaling node refused the method${said}`,
      413: `the request is larger than the signaling node accepts${said}: the configuration archive is too large to send`,
    };
    return {
      state: 'failed',
      stdout: '',
      detail: detail[status] ?? (status >= 500 ? `the channel service on the signaling node failed (HTTP ${status})${said}: its journal on the host says why` : `unexpected HTTP ${status} from ${this.target.url}${said}`),
    };
  }

  private post(headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const req = request(
        this.target.url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(body.length) },
          ...(this.options.ca?.length ? { ca: this.options.ca } : {}),
          ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The last lines of the script's standard error, for a failure's detail. */
function stderrTail(stderr: unknown): string {
  if (typeof stderr !== 'string') return '';
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean).slice(-3);
  return lines.length ? `: ${lines.join(' / ')}` : '';
}

/** TLS failures: the certificate is wrong for this name or not trusted; trying again does not help. */
const TLS_CODES = /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_SSL_|EPROTO)/;

function connectionProblem(error: NodeJS.ErrnoException, url: string): { retry: boolean; text: string } {
  const code = error.code ?? '';
  const host = new URL(url).hostname;
  if (TLS_CODES.test(code)) {
    return { retry: false, text: `TLS with ${host} failed (${code}: ${error.message}): does ${host} point at the signaling node, and does it have its certificate yet (npm run verify -- --stack … shows it)?` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { retry: true, text: `${host} does not resolve (${code}): check its DNS record` };
  // The script may be running: sending it again could run it twice.
  if (code === 'ETIMEDOUT') return { retry: false, text: `${url} did not answer within the bound: the script may still be running on the signaling node; is port 443 open to this machine?` };
  return { retry: true, text: `${url}: ${code || error.message}: is the signaling node running, and port 443 open to this machine?` };
}
