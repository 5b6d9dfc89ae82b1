// A small HTTP(S) client that connects to a chosen address while sending the deployment's name as
// TLS SNI and Host header, never follows redirects, caps the body and always ends by its deadline.
// Certificate trust is judged by the TLS checks; the HTTP checks read headers even from a staging
// or broken certificate, so they accept any certificate here.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ProbeError } from './probe-error.ts';

export interface Endpoint {
  /** Name sent as SNI and Host. */
  host: string;
  /** Address dialled. */
  ip: string;
  port: number;
}

export interface HttpRequest {
  scheme: 'http' | 'https';
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Bytes kept of the body; the rest is discarded (default 2 MiB). */
  maxBody?: number;
  /**
   * Ask for compressed answers (gzip, deflate, br) as browsers do; the body is decoded, and the
   * Content-Encoding header shows what the server did.
   */
  acceptCompression?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  truncated: boolean;
}

/** An HTTP exchange that failed before a complete answer. */
export class HttpProbeError extends ProbeError {}

const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** Limits concurrent requests per run so a live server sees a polite client. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    try {
      return await job();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

export function hostHeader(endpoint: Endpoint, scheme: 'http' | 'https'): string {
  return endpoint.port === DEFAULT_PORT[scheme] ? endpoint.host : `${endpoint.host}:${endpoint.port}`;
}

export function httpRequest(endpoint: Endpoint, request: HttpRequest, timeoutMs: number, signal?: AbortSignal): Promise<HttpResponse> {
  const maxBody = request.maxBody ?? 2 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (code: string, message: string) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(new HttpProbeError(code, message));
    };
    const options: https.RequestOptions = {
      host: endpoint.ip,
      port: endpoint.port,
      method: request.method ?? 'GET',
      path: request.path,
      headers: {
        host: hostHeader(endpoint, request.scheme),
        'user-agent': 'jitsi-eu-verify',
        accept: '*/*',
        ...(request.acceptCompression ? { 'accept-encoding': 'gzip, deflate, br' } : {}),
        ...request.headers,
      },
      agent: false,
      ...(request.scheme === 'https' ? { servername: endpoint.host, rejectUnauthorized: false } : {}),
    };
    const req = (request.scheme === 'https' ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const body = request.acceptCompression ? decoded(res, headerValue(res.headers, 'content-encoding')) : res;
      body.on('data', (chunk: Buffer) => {
        if (size >= maxBody) {
          truncated = true;
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      body.on('end', () => {
        if (settled) return;
        settled = true;
        cleanup();
        const body = Buffer.concat(chunks).subarray(0, maxBody).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, truncated: truncated || size > maxBody });
      });
      res.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ERESPONSE', error.message));
      if (body !== res) body.on('error', (error: NodeJS.ErrnoException) => fail('EDECODE', `undecodable ${headerValue(res.headers, 'content-encoding')} body: ${error.message}`));
    });
    const timer = setTimeout(() => {
      fail('ETIMEOUT', `no complete answer within ${timeoutMs} ms`);
      req.destroy();
    }, timeoutMs);
    const onAbort = () => {
      fail('EABORTED', 'the run ended before an answer came');
      req.destroy();
    };
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'EREQUEST', error.message));
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}

/** The body stream decoded per Content-Encoding (unknown encodings are passed through as they are). */
function decoded(res: Readable, encoding: string | undefined): Readable {
  const name = encoding?.trim().toLowerCase();
  const decoder = name === 'gzip' || name === 'x-gzip' ? createGunzip() : name === 'deflate' ? createInflate() : name === 'br' ? createBrotliDecompress() : undefined;
  return decoder ? res.pipe(decoder) : res;
}

/** A header as one string (joined with `, ` when repeated), or undefined. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export function isHtml(response: HttpResponse): boolean {
  return /^text\/html\b/i.test(headerValue(response.headers, 'content-type') ?? '');
}
