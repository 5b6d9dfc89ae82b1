// One TLS handshake with chosen protocol bounds and cipher list. The chain is verified against
// the system roots plus any --ca certificates; the host name is checked separately, so a wrong
// name and an untrusted chain are reported as two different findings. Every handshake asks for a
// stapled OCSP response and reports the key exchange, so one handshake serves several checks.
import { rootCertificates, connect, type ConnectionOptions, type DetailedPeerCertificate, type SecureVersion } from 'node:tls';
import type { Endpoint } from './http.ts';

export interface TlsOptions {
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  /** Extra trusted CA certificates (PEM). */
  extraCa?: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TlsSuccess {
  ok: true;
  protocol: string;
  cipher: string;
  /** The chain verified against the trusted roots (host name not included). */
  trusted: boolean;
  trustError?: string;
  certificate: DetailedPeerCertificate;
  /** The OCSP response the server stapled (DER), when it sent one. */
  stapledOcsp?: Buffer;
  /** The ephemeral key exchange: `DH` with its size in bits, or `ECDH` with the curve. */
  keyExchange?: { type: string; name?: string; size?: number };
}

export interface TlsFailure {
  ok: false;
  /** `timeout` when the handshake did not finish in time; otherwise the OpenSSL or socket error code. */
  code: string;
  message: string;
}

export type TlsProbe = TlsSuccess | TlsFailure;

export function trustedCas(extraCa: readonly string[] | undefined): string[] | undefined {
  return extraCa && extraCa.length > 0 ? [...rootCertificates, ...extraCa] : undefined;
}

export function tlsHandshake(endpoint: Endpoint, options: TlsOptions): Promise<TlsProbe> {
  return new Promise((resolve) => {
    let settled = false;
    const ca = trustedCas(options.extraCa);
    // tls.connect passes requestOCSP on to the socket; @types/node lists it only for TLSSocket.
    const connectOptions: ConnectionOptions & { requestOCSP: boolean } = {
      host: endpoint.ip,
      port: endpoint.port,
      servername: endpoint.host,
      rejectUnauthorized: false,
      // The name is judged by the hostname check; here only the chain counts.
      checkServerIdentity: () => undefined,
      ...(ca ? { ca } : {}),
      ...(options.minVersion ? { minVersion: options.minVersion } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      ...(options.ciphers ? { ciphers: options.ciphers } : {}),
      ALPNProtocols: ['http/1.1'],
      requestOCSP: true,
    };
    const socket = connect(connectOptions);
    let stapledOcsp: Buffer | undefined;
    // Emitted during the handshake, before secureConnect; null or empty when nothing was stapled.
    socket.once('OCSPResponse', (response: Buffer | null) => {
      if (response && response.length > 0) stapledOcsp = response;
    });
    const finish = (result: TlsProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, code: 'aborted', message: 'the run ended before the handshake finished' });
    const timer = setTimeout(
      () => finish({ ok: false, code: 'timeout', message: `no TLS handshake within ${options.timeoutMs} ms` }),
      options.timeoutMs,
    );
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const authError = socket.authorizationError as unknown;
      finish({
        ok: true,
        protocol: socket.getProtocol() ?? 'unknown',
        cipher: socket.getCipher()?.standardName ?? socket.getCipher()?.name ?? 'unknown',
        trusted: socket.authorized,
        ...(authError ? { trustError: authError instanceof Error ? authError.message : String(authError) } : {}),
        certificate: socket.getPeerCertificate(true),
        ...(stapledOcsp ? { stapledOcsp } : {}),
        ...keyExchangeOf(socket.getEphemeralKeyInfo()),
      });
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, code: error.code ?? 'error', message: error.message.split('\n')[0] ?? error.message }),
    );
  });
}


function keyExchangeOf(info: object | null): { keyExchange?: TlsSuccess['keyExchange'] } {
  const { type, name, size } = (info ?? {}) as { type?: string; name?: string; size?: number };
  if (!type) return {};
  return { keyExchange: { type, ...(name ? { name } : {}), ...(size ? { size } : {}) } };
}
