// TLS as a client sees it: which protocol versions, suites and DH groups the server accepts, and
// whether the certificate is trusted, names the domain, is not about to expire, uses a strong key,
// says where its revocation is published and comes with a stapled OCSP answer where one exists.
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate, type SecureVersion } from 'node:tls';
import type { VerifyContext } from '../context.ts';
import { tlsHandshake, type TlsProbe, type TlsSuccess } from '../net/tls.ts';
import { readStapledOcsp, type StapledAnswer } from '../ocsp.ts';
import { revocationInfo, signatureAlgorithm } from '../x509.ts';
import { type CheckDefinition, fail, list, pass, reason, warn } from './define.ts';

/** Project thresholds: renewal runs 30 days ahead, so under 21 days means renewal is failing. */
export const EXPIRY_WARN_DAYS = 21;
export const EXPIRY_FAIL_DAYS = 7;
const DAY_MS = 86_400_000;

/** TLS 1.2 suites without forward secrecy or without AEAD (CBC, 3DES, RC4). */
const WEAK_TLS12_SUITES = [
  'AES128-SHA', 'AES256-SHA', 'AES128-SHA256', 'AES256-SHA256', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384',
  'DES-CBC3-SHA', 'RC4-SHA', 'RC4-MD5', 'CAMELLIA128-SHA', 'CAMELLIA256-SHA',
  'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES128-SHA256', 'ECDHE-RSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384',
  'DHE-RSA-AES128-SHA', 'DHE-RSA-AES256-SHA', 'DHE-RSA-AES128-SHA256', 'DHE-RSA-AES256-SHA256', 'ECDHE-RSA-DES-CBC3-SHA',
].join(':');

function handshake(ctx: VerifyContext, options: Omit<Parameters<typeof tlsHandshake>[1], 'timeoutMs' | 'signal' | 'extraCa'>): Promise<TlsProbe> {
  return tlsHandshake(ctx.endpoint(443), { ...options, extraCa: ctx.extraCa, timeoutMs: ctx.probeTimeoutMs, signal: ctx.signal });
}

async function certificate(ctx: VerifyContext): Promise<{ probe: TlsSuccess; cert: DetailedPeerCertificate } | { error: string }> {
  const probe = await ctx.tls();
  if (!probe.ok) return { error: `no TLS handshake: ${probe.message}` };
  if (!probe.certificate?.raw) return { error: 'the server sent no certificate' };
  return { probe, cert: probe.certificate };
}

const modernVersions: CheckDefinition = {
  id: 'tls-modern-versions',
  title: 'TLS 1.2 and 1.3 offered',
  area: 'tls',
  mode: 'external',
  description: 'Handshakes limited to TLS 1.3 and to TLS 1.2 both succeed. FAIL without 1.2, WARN without 1.3.',
  async run(ctx) {
    const [v13, v12] = await Promise.all([
      handshake(ctx, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }),
      handshake(ctx, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }),
    ]);
    if (!v12.ok) return fail(`TLS 1.2 refused (${v12.code}); older clients cannot connect`);
    if (!v13.ok) return warn(`TLS 1.2 only (TLS 1.3 refused: ${v13.code}); enable TLSv1.3 in ssl_protocols`);
    return pass(`TLS 1.3 (${v13.cipher}) and TLS 1.2 (${v12.cipher})`);
  },
};

/**
 * OpenSSL errors this client raises after the server already agreed to what was offered: the
 * server picked a legacy version below the offered maximum (downgrade marker), signed with a
 * legacy algorithm, or sent a too-small DH group. The server accepted; only this client stopped.
 */
const ACCEPTED_THEN_CLIENT_STOPPED = new Set([
  'ERR_SSL_INAPPROPRIATE_FALLBACK',
  'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED',
  'ERR_SSL_DH_KEY_TOO_SMALL',
]);

/** What a probe says about the server: it accepted, it refused, or this client cannot tell. */
export type ServerAnswer = 'accepted' | 'refused' | 'unknown';

/**
 * Judges a probe from the server's side. Only a TLS alert the server sent, a protocol version the
 * server chose outside the offer, or the server closing the connection count as refusal; an error
 * this client raised on its own (it cannot offer the version, a timeout) is never counted as one.
 */
export function serverAnswer(probe: TlsProbe): ServerAnswer {
  if (probe.ok || ACCEPTED_THEN_CLIENT_STOPPED.has(probe.code)) return 'accepted';
  const refused =
    /^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/.test(probe.code) || probe.code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' || probe.code === 'ECONNRESET' || probe.code === 'EPIPE';
  return refused ? 'refused' : 'unknown';
}

/** How a probe ended, for detail lines: the suite, or the alert name, or the error. */
function probeText(probe: TlsProbe): string {
  if (probe.ok) return probe.cipher;
  if (ACCEPTED_THEN_CLIENT_STOPPED.has(probe.code)) return `chosen by the server, then stopped by this client: ${probe.code}`;
  const alert = /_ALERT_(.+)$/.exec(probe.code);
  if (alert) return `alert ${alert[1]!.toLowerCase().replaceAll('_', ' ')}`;
  if (probe.code === 'ERR_SSL_UNSUPPORTED_PROTOCOL') return 'answered with another version';
  if (probe.code === 'ECONNRESET' || probe.code === 'EPIPE') return 'connection closed';
  return `${probe.code}: ${probe.message}`;
}

const LEGACY_VERSIONS: { version: SecureVersion; name: string }[] = [
  { version: 'TLSv1', name: 'TLS 1.0' },
  { version: 'TLSv1.1', name: 'TLS 1.1' },
];

const legacyRefused: CheckDefinition = {
  id: 'tls-legacy-refused',
  title: 'TLS 1.0 and 1.1 refused',
  area: 'tls',
  mode: 'external',
  description:
    'Handshakes offering only TLS 1.0, and only TLS 1.1, each fail with the server refusing. The probes lower their own security level so a server ' +
    'that accepts them is really seen; when this client stops a handshake itself, the result is WARN, never a pass.',
  async run(ctx) {
    // One version per handshake: offering 1.0 and 1.1 together lets a server that has 1.0 but not
    // 1.1 answer 1.0 with the downgrade marker, and this client would abort as if refused.
    // Node's OpenSSL refuses TLS 1.0/1.1 itself at the default security level: lower it.
    const probes = await Promise.all(
      LEGACY_VERSIONS.map(async ({ version, name }) => {
        const probe = await handshake(ctx, { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' });
        return { name, probe, answer: serverAnswer(probe), text: `${name} (${probeText(probe)})` };
      }),
    );
    const accepted = probes.filter((p) => p.answer === 'accepted');
    if (accepted.length > 0) return fail(`the server accepted ${accepted.map((p) => p.text).join(' and ')}; allow only TLSv1.2 TLSv1.3 in ssl_protocols`);
    const unknown = probes.filter((p) => p.answer === 'unknown');
    if (unknown.length > 0) return warn(`cannot tell whether the server refuses ${unknown.map((p) => p.text).join(' and ')}`);
    return pass(`refused: ${probes.map((p) => p.text).join(', ')}`);
  },
};

const forwardSecrecy: CheckDefinition = {
  id: 'tls-forward-secrecy',
  title: 'TLS 1.2 uses forward-secret AEAD suites only',
  area: 'tls',
  mode: 'external',
  description: 'A TLS 1.2 handshake offering only suites without forward secrecy or with CBC/3DES/RC4 fails.',
  async run(ctx) {
    const [weak, normal] = await Promise.all([
      handshake(ctx, { maxVersion: 'TLSv1.2', ciphers: `${WEAK_TLS12_SUITES}@SECLEVEL=0` }),
      handshake(ctx, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }),
    ]);
    if (weak.ok) return fail(`the server accepted ${weak.cipher} over ${weak.protocol}; use ECDHE/DHE with GCM or ChaCha20 only`);
    if (serverAnswer(weak) === 'accepted') return fail(`the server accepted a weak suite (${probeText(weak)}); use ECDHE/DHE with GCM or ChaCha20 only`);
    if (serverAnswer(weak) === 'unknown') return warn(`cannot tell whether the server refuses weak suites (${probeText(weak)})`);
    if (!normal.ok) return warn(`weak suites refused, but no TLS 1.2 handshake succeeded either (${normal.code})`);
    return pass(`weak suites refused; TLS 1.2 negotiates ${normal.cipher}`);
  },
};

function isStagingIssuer(cert: DetailedPeerCertificate): boolean {
  const issuer = cert.issuer ? Object.values(cert.issuer).flat().join(' ') : '';
  return /staging/i.test(issuer);
}

function issuerName(cert: DetailedPeerCertificate): string {
  const issuer = cert.issuer as unknown as Record<string, string | string[]> | undefined;
  const pick = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(' ') : v);
  return pick(issuer?.CN) ?? pick(issuer?.O) ?? 'unknown issuer';
}

const chainTrusted: CheckDefinition = {
  id: 'tls-chain-trusted',
  title: 'Certificate chain complete and trusted',
  area: 'tls',
  mode: 'external',
  description:
    "The served chain verifies against the system roots (plus --ca). Let's Encrypt staging stacks get WARN: their CA is untrusted by design.",
  async run(ctx) {
    const got = await certificate(ctx);
    if ('error' in got) return fail(got.error);
    const { probe, cert } = got;
    if (probe.trusted) return pass(`chain verifies up to a trusted root (issuer: ${issuerName(cert)})`);
    const why = probe.trustError ?? 'untrusted';
    if (ctx.spec.tls === 'letsencrypt-staging' && isStagingIssuer(cert)) {
      return warn(`issued by ${issuerName(cert)}: Let's Encrypt staging is not trusted by browsers, by design for this stack (${why})`);
    }
    const hint =
      why === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
        ? 'the intermediate certificate is missing: serve fullchain.pem'
        : why === 'DEPTH_ZERO_SELF_SIGNED_CERT' || why === 'SELF_SIGNED_CERT_IN_CHAIN'
          ? "a self-signed certificate: the Let's Encrypt certificate was not installed"
          : why === 'CERT_HAS_EXPIRED'
            ? 'a certificate in the chain has expired'
            : 'issuer not trusted';
    return fail(`${why}: ${hint} (issuer: ${issuerName(cert)})`);
  },
};

const hostname: CheckDefinition = {
  id: 'tls-hostname',
  title: 'Certificate names the domain',
  area: 'tls',
  mode: 'external',
  description: "The certificate's subject alternative names cover the domain.",
  async run(ctx) {
    const got = await certificate(ctx);
    if ('error' in got) return fail(got.error);
    const error = checkServerIdentity(ctx.host, got.cert);
    if (error) return fail(`${error.message.split('\n')[0]}`);
    return pass(`${ctx.host} matches ${got.cert.subjectaltname ?? got.cert.subject?.CN}`);
  },
};

const expiry: CheckDefinition = {
  id: 'tls-expiry',
  title: 'Certificate valid and not close to expiry',
  area: 'tls',
  mode: 'external',
  description: `The certificate is already valid and has at least ${EXPIRY_WARN_DAYS} days left (WARN below, FAIL under ${EXPIRY_FAIL_DAYS} days or expired).`,
  async run(ctx) {
    const got = await certificate(ctx);
    if ('error' in got) return fail(got.error);
    const notBefore = new Date(got.cert.valid_from);
    const notAfter = new Date(got.cert.valid_to);
    const now = ctx.now.getTime();
    const daysLeft = Math.floor((notAfter.getTime() - now) / DAY_MS);
    const until = notAfter.toISOString().slice(0, 10);
    if (notBefore.getTime() > now) return fail(`not valid before ${notBefore.toISOString()}: check the server clock and the certificate`);
    if (notAfter.getTime() <= now) return fail(`expired on ${until}: renewal is not working (see the jitsi-eu-acme timer on the host)`);
    if (daysLeft < EXPIRY_FAIL_DAYS) return fail(`expires in ${daysLeft} days (${until}): renewal is not working`);
    if (daysLeft < EXPIRY_WARN_DAYS) return warn(`expires in ${daysLeft} days (${until}); renewal should have happened by now`);
    return pass(`${daysLeft} days left (until ${until})`);
  },
};

const keyStrength: CheckDefinition = {
  id: 'tls-key-strength',
  title: 'Strong key and signature',
  area: 'tls',
  mode: 'external',
  description: 'RSA keys have at least 2048 bits, EC keys at least 256; the signature uses SHA-256 or better.',
  async run(ctx) {
    const got = await certificate(ctx);
    if ('error' in got) return fail(got.error);
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(got.cert.raw);
    } catch (error) {
      return fail(`cannot parse the certificate: ${reason(error)}`);
    }
    const key = x509.publicKey;
    const details = key.asymmetricKeyDetails ?? {};
    const problems: string[] = [];
    let keyText: string;
    if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
      const bits = details.modulusLength ?? 0;
      keyText = `RSA ${bits}`;
      if (bits < 2048) problems.push(`RSA key of ${bits} bits (need 2048+)`);
    } else if (key.asymmetricKeyType === 'ec') {
      const curve = details.namedCurve ?? 'unknown curve';
      const bits = Number(/(\d{3})/.exec(curve)?.[1] ?? 0);
      keyText = `EC ${curve}`;
      if (bits < 256) problems.push(`EC key on ${curve} (need P-256 or stronger)`);
    } else {
      keyText = key.asymmetricKeyType ?? 'unknown key type';
    }
    let signature = 'unknown signature';
    try {
      const algorithm = signatureAlgorithm(got.cert.raw);
      signature = algorithm.name;
      if (algorithm.weak) problems.push(`signature ${algorithm.name} is weak`);
    } catch (error) {
      problems.push(`cannot read the signature algorithm: ${reason(error)}`);
    }
    if (problems.length > 0) return fail(problems.join('; '));
    return pass(`${keyText}, ${signature}`);
  },
};

/** Below this a DH group is breakable by a well-funded attacker (Logjam); testssl.sh and Mozilla draw the line here too. */
export const DH_MIN_BITS = 2048;

// testssl.sh: DH_groups, LOGJAM. Logjam (weakdh.org) showed 512- and 1024-bit groups breakable.
const dhParameters: CheckDefinition = {
  id: 'tls-dh-params',
  title: 'DHE uses a group of at least 2048 bits',
  area: 'tls',
  mode: 'external',
  description:
    `A TLS 1.2 handshake offering only finite-field DHE suites is refused (ECDHE only), or gets a DH group of at least ${DH_MIN_BITS} bits. ` +
    "FAIL below, WARN when this client cannot tell. (TLS 1.3's finite-field groups are 2048 bits or more by definition.)",
  async run(ctx) {
    // Lowered security level: this client accepts any group size, so a small one is seen and measured.
    const probe = await handshake(ctx, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'kDHE@SECLEVEL=0' });
    const answer = serverAnswer(probe);
    if (answer === 'refused') return pass(`no DHE suite offered (${probeText(probe)}); key exchange is ECDHE only`);
    if (answer === 'unknown') return warn(`cannot tell whether DHE suites are offered (${probeText(probe)})`);
    const fix = `use ssl_dhparam with a ${DH_MIN_BITS}-bit or larger group (RFC 7919 ffdhe2048), or drop the DHE suites`;
    if (!probe.ok) return fail(`DHE offered with a group too small for this client (${probeText(probe)}); ${fix}`);
    const size = probe.keyExchange?.type === 'DH' ? probe.keyExchange.size : undefined;
    if (size === undefined) return warn(`DHE suite ${probe.cipher} negotiated, but the group size was not reported`);
    if (size < DH_MIN_BITS) return fail(`${probe.cipher} with a ${size}-bit DH group (Logjam); ${fix}`);
    return pass(`${probe.cipher} with a ${size}-bit DH group`);
  },
};

/** Certificates valid this long or less need no revocation information (CA/Browser Forum short-lived certificates). */
export const SHORT_LIVED_DAYS = 10;

function ocspUrls(cert: DetailedPeerCertificate): string[] {
  const access = cert.infoAccess as Record<string, string[] | undefined> | undefined;
  return access?.['OCSP - URI'] ?? [];
}

function revocationOf(cert: DetailedPeerCertificate): { crlUrls: string[]; mustStaple: boolean } | { error: string } {
  try {
    return revocationInfo(cert.raw);
  } catch (error) {
    return { error: `cannot read the certificate's extensions: ${reason(error)}` };
  }
}

// testssl.sh: cert_crlDistributionPoints, cert_ocspURL (neither is rated HIGH there too).
const revocationInformation: CheckDefinition = {
  id: 'tls-revocation-info',
  title: 'Certificate says where revocation is published',
  area: 'tls',
  mode: 'external',
  description:
    'The certificate names a CRL distribution point or an OCSP responder, so a revoked certificate can be refused. ' +
    `Let's Encrypt certificates name a CRL since OCSP ended in 2025; certificates valid ${SHORT_LIVED_DAYS} days or less need neither.`,
  async run(ctx) {
    const got = await certificate(ctx);
    if ('error' in got) return fail(got.error);
    const revocation = revocationOf(got.cert);
    if ('error' in revocation) return fail(revocation.error);
    const ocsp = ocspUrls(got.cert);
    const found = [...revocation.crlUrls.map((u) => `CRL ${u}`), ...ocsp.map((u) => `OCSP ${u}`)];
    if (found.length > 0) return pass(list(found, 2));
    const days = (new Date(got.cert.valid_to).getTime() - new Date(got.cert.valid_from).getTime()) / DAY_MS;
    if (days <= SHORT_LIVED_DAYS) return pass(`short-lived certificate (${Math.round(days)} days): it expires before revocation would matter`);
    return fail(`neither a CRL distribution point nor an OCSP responder in the certificate (issuer: ${issuerName(got.cert)}): nobody can learn that it was revoked; get it from a CA that publishes revocation`);
  },
};

// testssl.sh: OCSP_stapling, cert_mustStapleExtension; RFC 6066 (status_request), RFC 7633 (must staple).
const ocspStapling: CheckDefinition = {
  id: 'tls-ocsp-stapling',
  title: 'OCSP answer stapled when the certificate names a responder',
  area: 'tls',
  mode: 'external',
  description:
    'When the certificate names an OCSP responder, the server staples a current "good" answer, so browsers need not ask the CA (which would learn ' +
    'who visits). WARN when not stapled, FAIL when stapled "revoked" or missing on a must-staple certificate. ' +
    "PASS without a responder: Let's Encrypt ended OCSP in 2025, nothing to staple.",
  async run(ctx) {
    const got = await certificate(ctx);
    if ('error' in got) return fail(got.error);
    const revocation = revocationOf(got.cert);
    if ('error' in revocation) return fail(revocation.error);
    const responders = ocspUrls(got.cert);
    const stapled = got.probe.stapledOcsp;
    if (!stapled) {
      if (revocation.mustStaple) return fail('the certificate promises a stapled OCSP answer (must-staple), but none was sent: browsers refuse the site; set ssl_stapling on');
      if (responders.length === 0) return pass("the certificate names no OCSP responder: nothing to staple, and browsers ask nobody (revocation comes from the CA's CRL)");
      return warn(`no stapled OCSP answer: browsers ask ${list(responders, 1)}, telling the CA who visits; set ssl_stapling on and ssl_stapling_verify on`);
    }
    let answer: StapledAnswer;
    try {
      answer = readStapledOcsp(stapled, got.cert.serialNumber);
    } catch (error) {
      return fail(`the stapled OCSP answer is unreadable: ${reason(error)}`);
    }
    if (answer.responseStatus !== 'successful') return fail(`the stapled OCSP answer is an error (${answer.responseStatus})`);
    if (!answer.certStatus) return fail('the stapled OCSP answer is about another certificate');
    if (answer.certStatus === 'revoked') return fail('the stapled OCSP answer says the certificate is REVOKED: replace it');
    if (answer.certStatus === 'unknown') return fail('the stapled OCSP answer says the responder does not know the certificate');
    if (answer.nextUpdate && answer.nextUpdate.getTime() < ctx.now.getTime()) return fail(`the stapled OCSP answer expired on ${answer.nextUpdate.toISOString()}: nginx is not refreshing it`);
    return pass(`stapled: good${answer.nextUpdate ? ` until ${answer.nextUpdate.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}`);
  },
};

export const TLS_CHECKS: CheckDefinition[] = [
  modernVersions, legacyRefused, forwardSecrecy, dhParameters, chainTrusted, hostname, expiry, keyStrength, revocationInformation, ocspStapling,
];
