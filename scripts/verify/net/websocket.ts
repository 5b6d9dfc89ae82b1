// Opens an XMPP-over-WebSocket stream (RFC 7395) and waits for the server's <open/> and its
// stream features: proof that nginx upgrades the connection and Prosody answers behind it.
import { isIPv6, type LookupFunction } from 'node:net';
import WebSocket from 'ws';
import type { Endpoint } from './http.ts';
import { hostHeader } from './http.ts';

export type XmppWebSocketProbe =
  | { ok: true; protocol: string; features: string }
  | { ok: false; reason: string };

export function probeXmppWebSocket(
  endpoint: Endpoint,
  path: string,
  xmppDomain: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<XmppWebSocketProbe> {
  return new Promise((resolve) => {
    // The URL names the deployment (SNI and Host follow from it); the lookup sends the connection
    // to the address under test.
    const family = isIPv6(endpoint.ip) ? 6 : 4;
    const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options?.all) callback(null, [{ address: endpoint.ip, family }]);
      else callback(null, endpoint.ip, family);
    }) as unknown as LookupFunction;
    const ws = new WebSocket(`wss://${endpoint.host}:${endpoint.port}${path}`, 'xmpp', {
      lookup,
      headers: { host: hostHeader(endpoint, 'https') },
      rejectUnauthorized: false,
      handshakeTimeout: timeoutMs,
    });
    let settled = false;
    let opened = false;
    let received = '';
    const finish = (result: XmppWebSocketProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, reason: 'the run ended first' });
    const timer = setTimeout(
      () => finish({ ok: false, reason: opened ? `no stream features within ${timeoutMs} ms (got: ${received.slice(0, 120) || 'nothing'})` : `no WebSocket upgrade within ${timeoutMs} ms` }),
      timeoutMs,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('unexpected-response', (_req, res) => finish({ ok: false, reason: `HTTP ${res.statusCode} instead of a WebSocket upgrade` }));
    ws.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, reason: error.code ?? error.message }));
    ws.on('open', () => {
      opened = true;
      if (ws.protocol !== 'xmpp') {
        finish({ ok: false, reason: `upgrade without the xmpp subprotocol (got "${ws.protocol}")` });
        return;
      }
      ws.send(`<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="${xmppDomain}" version="1.0"/>`);
    });
    ws.on('message', (data: WebSocket.RawData) => {
      received += data.toString();
      if (/<(stream:)?features[\s>]/.test(received)) {
        const mechanisms = [...received.matchAll(/<mechanism>([^<]+)<\/mechanism>/g)].map((m) => m[1]);
        finish({ ok: true, protocol: ws.protocol, features: mechanisms.length ? `SASL ${mechanisms.join(', ')}` : 'stream features' });
      } else if (/<(stream:)?error|<close\b/.test(received)) {
        finish({ ok: false, reason: `stream refused: ${received.slice(0, 160)}` });
      }
    });
  });
}
