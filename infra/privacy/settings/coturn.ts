// coturn is the deployment's own STUN/TURN server, so no client has to ask a third party for its
// address or a relay. Present only when the spec turns TURN on.
import type { DeploymentSpec } from '../../spec/types.ts';
import type { PrivacySetting } from '../types.ts';
import { FORWARD_SECRET_AEAD_CIPHERS } from './nginx.ts';

/**
 * Address ranges the relay must never send to: this network, private and shared address space,
 * loopback, link-local (with the instance metadata service at 169.254.169.254), documentation and
 * benchmarking ranges, reserved space, and their IPv6 counterparts (IPv4-mapped, NAT64, unique local
 * with AWS's fd00:ec2::254, link-local). Media servers are reached on their public addresses.
 */
export const DENIED_PEER_RANGES = [
  '0.0.0.0-0.255.255.255',
  '10.0.0.0-10.255.255.255',
  '100.64.0.0-100.127.255.255',
  '127.0.0.0-127.255.255.255',
  '169.254.0.0-169.254.255.255',
  '172.16.0.0-172.31.255.255',
  '192.0.0.0-192.0.0.255',
  '192.0.2.0-192.0.2.255',
  '192.88.99.0-192.88.99.255',
  '192.168.0.0-192.168.255.255',
  '198.18.0.0-198.19.255.255',
  '198.51.100.0-198.51.100.255',
  '203.0.113.0-203.0.113.255',
  '240.0.0.0-255.255.255.255',
  '::1',
  '::ffff:0.0.0.0-::ffff:255.255.255.255',
  '64:ff9b::-64:ff9b::ffff:ffff',
  'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
] as const;

export function coturnSettings(spec: DeploymentSpec): PrivacySetting[] {
  if (!spec.turn) return [];
  return [
    {
      id: 'coturn-logging',
      component: 'coturn',
      key: 'log-file',
      value: '/dev/null',
      category: 'logging',
      reason: 'coturn logs every session with the client address and cannot leave it out, so its log goes nowhere (no syslog, no stdout).',
      upstreamDefault: 'syslog (Debian turnserver.conf)',
    },
    {
      id: 'coturn-tls-protocols',
      component: 'coturn',
      key: 'no-tlsv1, no-tlsv1_1',
      // coturn 4.6.1 (Debian 12) picks its TLS 1.2 context for every modern ClientHello, so 1.3 is
      // never negotiated on the TLS port; 4.6.2 fixed that. The value is what clients actually get.
      value: ['TLSv1.2'],
      category: 'encryption',
      reason: 'TURN over TLS refuses TLS 1.0 and 1.1; the pinned coturn speaks TLS 1.2.',
      upstreamDefault: 'TLSv1 to TLSv1.2 accepted',
    },
    {
      id: 'coturn-tls-ciphers',
      component: 'coturn',
      key: 'cipher-list',
      value: [...FORWARD_SECRET_AEAD_CIPHERS],
      category: 'encryption',
      reason: 'TURN over TLS 1.2 uses forward-secret, authenticated cipher suites only, like the web entry.',
      upstreamDefault: 'DEFAULT',
    },
    {
      id: 'coturn-auth-secret',
      component: 'coturn',
      key: 'use-auth-secret',
      value: true,
      category: 'exposure',
      reason: 'Only participants holding short-lived credentials that Prosody derives from the shared secret can open a relay.',
      upstreamDefault: 'no authentication mechanism set',
    },
    {
      id: 'coturn-denied-peer-ips',
      component: 'coturn',
      key: 'denied-peer-ip',
      value: [...DENIED_PEER_RANGES],
      category: 'exposure',
      reason: 'The relay cannot be used to reach the private network, loopback services or the instance metadata service.',
      upstreamDefault: 'none (only loopback peers refused)',
    },
    {
      id: 'coturn-software-attribute',
      component: 'coturn',
      key: 'no-software-attribute',
      value: true,
      category: 'exposure',
      reason: 'STUN and TURN responses do not name the server software and version.',
      upstreamDefault: 'SOFTWARE attribute with the coturn version',
    },
    {
      id: 'coturn-cli',
      component: 'coturn',
      key: 'no-cli',
      value: true,
      category: 'exposure',
      reason: 'The telnet admin console, which lists sessions with client addresses and has no password by default, is off.',
      upstreamDefault: 'on, 127.0.0.1:5766, empty password',
    },
  ];
}
