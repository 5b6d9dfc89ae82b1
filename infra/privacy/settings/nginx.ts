// nginx is the deployment's only public web entry. Its settings are the response headers a browser
// sees and the directives that decide what is logged, which TLS is spoken and what stays internal.
// Header values are exactly what goes on the wire, so verify compares them byte for byte.
import { getDomain } from 'tldts';
import type { DeploymentSpec } from '../../spec/types.ts';
import type { PrivacySetting } from '../types.ts';

/** TLS 1.2 suites: ECDHE key exchange (forward secrecy) with AEAD ciphers only. TLS 1.3 suites all qualify. */
export const FORWARD_SECRET_AEAD_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

/** Two years, the value Jitsi's own site files use; browsers and scanners want at least 180 days. */
const HSTS_MAX_AGE_SECONDS = 63_072_000;

/**
 * Ids of the settings that are HTTP response headers (their `key` is the header name). nginx sends
 * each on every HTTPS response, errors included.
 */
export const NGINX_RESPONSE_HEADER_SETTING_IDS = [
  'nginx-hsts',
  'nginx-csp',
  'nginx-referrer-policy',
  'nginx-content-type-options',
  'nginx-frame-options',
  'nginx-permissions-policy',
] as const;

/**
 * HSTS for the meeting host. Its own subdomains (guest., conference., ...) are XMPP names that no
 * browser visits, so they are included, unless the meeting host is the organisation's registrable
 * domain itself, whose other sites a deployment must not force onto HTTPS.
 */
export function strictTransportSecurity(domain: string): string {
  const subdomains = getDomain(domain) !== domain ? '; includeSubDomains' : '';
  return `max-age=${HSTS_MAX_AGE_SECONDS}${subdomains}`;
}

/**
 * Who may frame the meeting pages: the institution's own origins that embed meetings through
 * /external_api.js, or nobody. Not even the site itself needs to: the app never frames its own pages.
 */
export function frameAncestors(embedOrigins: readonly string[]): string {
  return embedOrigins.length > 0 ? embedOrigins.join(' ') : "'none'";
}

/** The Content-Security-Policy the Jitsi web app works under, with nothing but the deployment's own origin. */
export function contentSecurityPolicy(domain: string, embedOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    // index.html carries inline scripts; noise suppression, virtual backgrounds and E2EE compile WebAssembly.
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
    // React components set inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    `connect-src 'self' wss://${domain}`,
    "frame-src 'self'",
    `frame-ancestors ${frameAncestors(embedOrigins)}`,
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

/**
 * Features the app uses stay with this origin; features it never needs are off for everyone.
 * Only names Chromium knows: it warns in the console of every page about any other name
 * (Web Bluetooth, for one, has no policy name there).
 */
const PERMISSIONS_POLICY = [
  'camera=(self)',
  'microphone=(self)',
  'display-capture=(self)',
  'fullscreen=(self)',
  'autoplay=(self)',
  'picture-in-picture=(self)',
  'accelerometer=()',
  'browsing-topics=()',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'idle-detection=()',
  'magnetometer=()',
  'midi=()',
  'payment=()',
  'serial=()',
  'usb=()',
].join(', ');

/**
 * Paths that belong to the internal HTTP APIs of Prosody, the videobridge and jicofo. nginx proxies
 * none of them; it answers each with its own plain 404 so no room list, occupant list or stats
 * can leak even if a proxy rule is added by hand later. `exact` paths match only themselves;
 * `prefix` paths match everything below them.
 */
export const INTERNAL_ENDPOINTS = {
  exact: ['/room', '/room-census', '/room-size', '/room-info', '/sessions', '/debug', '/metrics', '/stats'],
  prefix: ['/about/', '/colibri/', '/colibri-ws/', '/conference-request/', '/debug/', '/_api/'],
};

/**
 * X-Frame-Options for browsers that predate CSP frame-ancestors, saying the same thing: DENY when no
 * site may embed meetings. It cannot name other origins (ALLOW-FROM is ignored by every current
 * browser), so with an allow-list it is left out: any value would contradict frame-ancestors, which
 * current browsers obey instead of it.
 */
function frameOptions(spec: DeploymentSpec): PrivacySetting[] {
  if (spec.embedOrigins.length > 0) return [];
  return [
    {
      id: 'nginx-frame-options',
      component: 'nginx',
      key: 'X-Frame-Options',
      value: 'DENY',
      category: 'exposure',
      reason: 'No site can frame the meeting page and trick participants into granting camera or microphone access (older browsers; CSP frame-ancestors covers current ones).',
      upstreamDefault: 'none',
    },
  ];
}

export function nginxSettings(spec: DeploymentSpec): PrivacySetting[] {
  return [
    ...frameOptions(spec),
    {
      id: 'nginx-hsts',
      component: 'nginx',
      key: 'Strict-Transport-Security',
      value: strictTransportSecurity(spec.domain),
      category: 'encryption',
      reason: 'Browsers refuse plain HTTP to the meeting domain for two years, so no room name travels unencrypted.',
      upstreamDefault: 'max-age=63072000 (Jitsi Debian site)',
    },
    {
      id: 'nginx-csp',
      component: 'nginx',
      key: 'Content-Security-Policy',
      value: contentSecurityPolicy(spec.domain, spec.embedOrigins),
      category: 'no-third-party',
      reason: 'The browser itself refuses scripts, images, frames and connections to any other origin, even if a crafted meeting link re-enables a third-party option.',
      upstreamDefault: 'none',
    },
    {
      id: 'nginx-referrer-policy',
      component: 'nginx',
      key: 'Referrer-Policy',
      value: 'no-referrer',
      category: 'no-third-party',
      reason: 'Links followed from a meeting page do not tell the next site the meeting URL, which contains the room name.',
      upstreamDefault: 'none (browser default strict-origin-when-cross-origin)',
    },
    {
      id: 'nginx-content-type-options',
      component: 'nginx',
      key: 'X-Content-Type-Options',
      value: 'nosniff',
      category: 'exposure',
      reason: 'Browsers use the declared content type and never run a served file as script by guessing.',
      upstreamDefault: 'none',
    },
    {
      id: 'nginx-permissions-policy',
      component: 'nginx',
      key: 'Permissions-Policy',
      value: PERMISSIONS_POLICY,
      category: 'data-minimisation',
      reason: 'Camera, microphone and screen capture are available to this origin only; location, sensors, payment, device access and ad-topic APIs are off.',
      upstreamDefault: 'none',
    },
    {
      id: 'nginx-server-tokens',
      component: 'nginx',
      key: 'server_tokens',
      value: 'off',
      category: 'exposure',
      reason: 'Responses and error pages do not reveal the nginx version.',
      upstreamDefault: 'on (Server: nginx/<version>)',
    },
    {
      id: 'nginx-access-log',
      component: 'nginx',
      key: 'access_log',
      value: 'off',
      category: 'logging',
      reason: 'No request log: every request URL carries a room name and every request a client address, so none is kept.',
      upstreamDefault: '/var/log/nginx/access.log (Debian nginx.conf: address, room URL, user agent)',
    },
    {
      id: 'nginx-error-log-level',
      component: 'nginx',
      key: 'error_log',
      value: 'crit',
      category: 'logging',
      reason: 'Per-request errors name the client address and the URL; only server-level failures are logged.',
      upstreamDefault: 'error (Debian nginx.conf)',
    },
    {
      id: 'nginx-tls-protocols',
      component: 'nginx',
      key: 'ssl_protocols',
      value: ['TLSv1.2', 'TLSv1.3'],
      category: 'encryption',
      reason: 'Only TLS 1.2 and 1.3 are offered; legacy protocols that allow downgrade attacks are refused.',
      upstreamDefault: 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3 (Debian nginx.conf)',
    },
    {
      id: 'nginx-tls-ciphers',
      component: 'nginx',
      key: 'ssl_ciphers',
      value: [...FORWARD_SECRET_AEAD_CIPHERS],
      category: 'encryption',
      reason: 'TLS 1.2 uses forward-secret key exchange and authenticated encryption only, so recorded traffic cannot be decrypted later.',
      upstreamDefault: 'HIGH:!aNULL:!MD5 (nginx default)',
    },
    {
      id: 'nginx-tls-session-tickets',
      component: 'nginx',
      key: 'ssl_session_tickets',
      value: 'off',
      category: 'encryption',
      reason: 'Session tickets would reuse one key until nginx restarts and weaken forward secrecy; the server-side session cache is used instead.',
      upstreamDefault: 'on',
    },
    {
      id: 'nginx-proxy-client-address',
      component: 'nginx',
      key: 'proxy_set_header X-Forwarded-For',
      value: '',
      category: 'data-minimisation',
      reason: 'Prosody is not told the participant address (an empty value drops the header, including one a client sent).',
      upstreamDefault: '$remote_addr (Jitsi Debian site)',
    },
    {
      id: 'nginx-internal-endpoints',
      component: 'nginx',
      key: 'location (return 404)',
      value: { exact: [...INTERNAL_ENDPOINTS.exact], prefix: [...INTERNAL_ENDPOINTS.prefix] },
      category: 'exposure',
      reason: 'Room lists, occupant names, conference stats and versions from Prosody, the videobridge and jicofo are never reachable from outside.',
      upstreamDefault: 'Jitsi Debian site proxies /_api/room-info to Prosody and /conference-request/v1 to jicofo',
    },
  ];
}
