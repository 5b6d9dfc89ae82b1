// The cross-check from outside: the certificate the deployment serves on its public HTTPS port,
// read from an ordinary TLS handshake (the same probe verify uses).
import { lookup } from 'node:dns/promises';
import type { Endpoint } from '../verify/net/http.ts';
import { tlsHandshake } from '../verify/net/tls.ts';
import { PORTS } from '../../infra/ports.ts';

export interface PublicCertificate {
  notAfter?: string;
  /** The chain verified against the system's trusted roots. */
  trusted?: boolean;
  error?: string;
}

/** Where to dial for a domain: its address and the HTTPS port. */
export async function publicEndpoint(domain: string): Promise<Endpoint> {
  const { address } = await lookup(domain);
  return { host: domain, ip: address, port: PORTS.https };
}

export async function readPublicCertificate(endpoint: Endpoint, timeoutMs: number, extraCa?: readonly string[]): Promise<PublicCertificate> {
  const probe = await tlsHandshake(endpoint, { timeoutMs, ...(extraCa ? { extraCa } : {}) });
  if (!probe.ok) return { error: `TLS handshake with ${endpoint.host} (${endpoint.ip}:${endpoint.port}) failed: ${probe.message}` };
  const validTo = Date.parse(probe.certificate.valid_to);
  if (Number.isNaN(validTo)) return { trusted: probe.trusted, error: `the certificate ${endpoint.host} serves has no readable expiry` };
  return { notAfter: new Date(validTo).toISOString(), trusted: probe.trusted };
}
