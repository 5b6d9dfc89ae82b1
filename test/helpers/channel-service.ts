// The operator channel's host service (channel.py, rendered for a Hetzner stack) run by the real
// python3 on loopback, with a test key pair in a temporary folder standing for /etc/jitsi-eu and
// its nonces kept there too; and a client that posts signed (or unsigned) requests to it.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { CHANNEL_PATH } from '../../infra/channel.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { CHANNEL_FILES } from '../../infra/render/cloud-layer.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { signChannelRequest } from '../../scripts/lib/channel/signature.ts';
import { makeSpec } from './spec.ts';
import { stopChild, waitForTcp } from './child-process.ts';
import { freePort, requireTool } from './tools.ts';

export const CHANNEL_SPEC: DeploymentSpec = { ...makeSpec(), cloud: 'hetzner', region: 'fsn1', country: 'DE', regionLabel: 'Falkenstein, Germany' };

export function channelKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A rendered file of the stack's signaling bundle. */
export function renderedChannelFile(path: string, spec: DeploymentSpec = CHANNEL_SPEC): string {
  const file = renderBundle(spec).files.find((f) => f.path === path.slice(1));
  if (!file) throw new Error(`the bundle has no ${path}`);
  return file.content;
}

export interface RunningChannel {
  port: number;
  /** Everything the service wrote to standard error (its journal on a host). */
  log(): string;
  exited(): Promise<number | null>;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts channel.py from `dir` (channel.py, channel.pub, nonces/ and a stand-in unit file in there). */
export async function startChannel(dir: string, publicKeyPem: string): Promise<RunningChannel> {
  const python = requireTool('python3');
  requireTool('openssl');
  const script = join(dir, 'channel.py');
  writeFileSync(script, renderedChannelFile(CHANNEL_FILES.service));
  writeFileSync(join(dir, 'channel.pub'), publicKeyPem);
  writeFileSync(join(dir, 'channel.service'), '[Unit]\n');
  const port = await freePort();
  const child = spawn(python, [script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      JITSI_EU_CHANNEL_PORT: String(port),
      JITSI_EU_CHANNEL_KEY: join(dir, 'channel.pub'),
      JITSI_EU_CHANNEL_NONCES: join(dir, 'nonces'),
      JITSI_EU_CHANNEL_UNIT: join(dir, 'channel.service'),
    },
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitForTcp(port, child, 'channel.py', () => text);
  return { port, child, log: () => text, exited: () => exit, stop: () => stopChild(child) };
}

export interface ChannelResponse {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

/** One HTTP request to the service (or to nginx in front of it). */
export function post(port: number, headers: Record<string, string>, body: Buffer, options: { method?: string; path?: string; host?: string } = {}): Promise<ChannelResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? CHANNEL_PATH, headers: { 'content-length': String(body.length), host: options.host ?? CHANNEL_SPEC.domain, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON: the test reads `text`
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The JSON body of a request for `script`. */
export function scriptBody(script: string, timeoutSeconds = 30): Buffer {
  return Buffer.from(JSON.stringify({ script, timeoutSeconds }));
}

/** Signs and posts a script. */
export function runSigned(port: number, privateKeyPem: string, script: string, timeoutSeconds = 30, domain = CHANNEL_SPEC.domain): Promise<ChannelResponse> {
  const body = scriptBody(script, timeoutSeconds);
  const signed = signChannelRequest(privateKeyPem, domain, body);
  return post(port, signed.headers, signed.body);
}
