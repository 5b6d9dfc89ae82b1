// A JSON HTTP server on 127.0.0.1 (random port) for the fake cloud APIs: it logs every request
// (method, path, query, and whether it carried the expected credential) and turns a handler's
// answer into the response. A handler may answer once with a throttle (429) to exercise retries.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface FakeServer {
  url: string;
  log: LoggedRequest[];
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startFakeServer(handle: (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>): Promise<FakeServer> {
  const log: LoggedRequest[] = [];
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let answer: FakeAnswer;
    try {
      answer = await handle({ method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers, body: await readBody(request) });
    } catch (error) {
      answer = { status: 500, body: { error: { code: 'server_error', message: (error as Error).message } } };
    }
    log.push({ method: request.method ?? 'GET', path: url.pathname, query: url.search, status: answer.status });
    const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
    response.writeHead(answer.status, { ...(body ? { 'Content-Type': 'application/json' } : {}), ...answer.headers });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
