// A stand-in for a signaling node's channel on 127.0.0.1 (HTTPS, certificate from a test CA): it
// checks every request as the host does (method, path, headers, clock, nonce never reused,
// Ed25519 signature over channelMessage with the body's sha256, body shape and bounds) and hands
// accepted scripts to the test: either a fixed answer, or bash running the script for real in a
// folder that stands for the host's root.
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  CHANNEL_CLOCK_SKEW_SECONDS,
  CHANNEL_HEADERS,
  CHANNEL_MAX_BODY_BYTES,
  CHANNEL_MAX_SCRIPT_SECONDS,
  CHANNEL_PATH,
  type ChannelAnswer,
  channelMessage,
} from '../../infra/channel.ts';
import type { TestCa } from './test-ca.ts';

export type ChannelReply = ChannelAnswer | { status: number; body?: unknown; hang?: boolean };

export interface ChannelHostOptions {
  ca: TestCa;
  domain: string;
  /** The public half the host trusts (PEM, see channelKeyPair). */
  publicKeyPem: string;
  /** What an accepted script gets: a fixed answer, or bash running it (bashRunner). */
  run: (script: string, timeoutSeconds: number) => ChannelReply | Promise<ChannelReply>;
  /** Names the certificate is for (default 127.0.0.1). */
  names?: string[];
}

export interface ChannelHost {
  url: string;
  port: number;
  /** Scripts accepted, in order. */
  scripts: string[];
  /** Refusals, as `status category`. */
  refusals: string[];
  stop(): Promise<void>;
}

export function channelKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export async function startChannelHost(options: ChannelHostOptions): Promise<ChannelHost> {
  const cert = options.ca.issue({ names: options.names ?? ['127.0.0.1'] });
  const key = createPublicKey(options.publicKeyPem);
  const seen = new Set<string>();
  const scripts: string[] = [];
  const refusals: string[] = [];
  const server = createServer({ key: cert.keyPem, cert: cert.fullchainPem }, async (request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const refuse = (status: number, category: string, error: string) => {
      refusals.push(`${status} ${category}`);
      send(status, { error });
    };
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size <= CHANNEL_MAX_BODY_BYTES) chunks.push(chunk as Buffer);
    }
    if (new URL(request.url ?? '/', 'https://x').pathname !== CHANNEL_PATH) return refuse(404, 'path', 'not found');
    if (request.method !== 'POST') return refuse(405, 'method', 'only POST is accepted');
    if (size > CHANNEL_MAX_BODY_BYTES) return refuse(413, 'size', 'the request body is too large');
    const body = Buffer.concat(chunks);
    const header = (name: string) => request.headers[name.toLowerCase()];
    const time = Number(header(CHANNEL_HEADERS.time));
    const nonce = String(header(CHANNEL_HEADERS.nonce) ?? '');
    const signature = String(header(CHANNEL_HEADERS.signature) ?? '');
    if (!Number.isInteger(time) || !/^[0-9a-f]{32}$/.test(nonce) || !signature) return refuse(400, 'headers', 'the request lacks the channel headers');
    const bodySha256 = createHash('sha256').update(body).digest('hex');
    const message = channelMessage({ domain: options.domain, method: 'POST', path: CHANNEL_PATH, time, nonce, bodySha256 });
    if (!verify(null, Buffer.from(message, 'utf8'), key, Buffer.from(signature, 'base64'))) return refuse(401, 'signature', 'the signature does not match this host\'s channel key');
    if (Math.abs(Date.now() / 1000 - time) > CHANNEL_CLOCK_SKEW_SECONDS) return refuse(401, 'clock', 'the request time is outside the accepted window: check the clock');
    if (seen.has(nonce)) return refuse(401, 'nonce', 'the nonce was used before');
    seen.add(nonce);
    let parsed: { script?: unknown; timeoutSeconds?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return refuse(400, 'body', 'the body is not JSON');
    }
    const { script, timeoutSeconds } = parsed;
    if (typeof script !== 'string' || typeof timeoutSeconds !== 'number' || timeoutSeconds < 1 || timeoutSeconds > CHANNEL_MAX_SCRIPT_SECONDS) {
      return refuse(400, 'body', 'the body needs a script and a timeout of 1 to 900 seconds');
    }
    scripts.push(script);
    const reply = await options.run(script, timeoutSeconds);
    if ('exitCode' in reply) return send(200, reply);
    if (reply.hang) return; // never answers
    send(reply.status, reply.body ?? {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}${CHANNEL_PATH}`,
    port,
    scripts,
    refusals,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs an accepted script with bash as the host would, with `env` (paths into a test root); each
 * `[hostPath, testPath]` of `paths` stands a test file in for a fixed path on the host.
 */
export function bashRunner(env: Record<string, string>, paths: [string, string][] = []): (script: string, timeoutSeconds: number) => Promise<ChannelAnswer> {
  return (script, timeoutSeconds) =>
    new Promise((resolve) => {
      const started = Date.now();
      const local = paths.reduce((text, [hostPath, testPath]) => text.split(hostPath).join(testPath), script);
      const child = spawn('bash', ['-c', local], { env: { PATH: '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutSeconds * 1000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ exitCode: code ?? 124, stdout, stderr: stderr.slice(-8192), seconds: (Date.now() - started) / 1000 }));
    });
}
