// TLS as a client sees it: which protocol versions and suites the server accepts, and whether the
// certificate is trusted, names the domain, is not about to expire and uses a strong key.
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate } from 'node:tls';
import type { VerifyContext } from '../context.ts';
import { tlsHandshake, type TlsProbe, type TlsSuccess } from '../net/tls.ts';
import { signatureAlgorithm } from '../x509.ts';
import { type CheckDefinition, fail, pass, reason, warn } from './define.ts';

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

const legacyRefused: CheckDefinition = {
  id: 'tls-legacy-refused',
  title: 'TLS 1.0 and 1.1 refused',
  area: 'tls',
  mode: 'external',
  description:
    'A handshake offering only TLS 1.0/1.1 fails. The probe lowers its own security level so a server that accepts 1.1 is really seen.',
  async run(ctx) {
    // Node's OpenSSL refuses TLS 1.0/1.1 itself at the default security level: lower it, or every
    // server would look compliant.
    const probe = await handshake(ctx, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    if (probe.ok) return fail(`the server accepted ${probe.protocol} (${probe.cipher}); allow only TLSv1.2 TLSv1.3`);
    if (probe.code === 'timeout' || probe.code === 'aborted') return warn(`no answer to a TLS 1.0/1.1 handshake: ${probe.message}`);
    return pass(`refused (${probe.code})`);
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
    if (weak.code === 'timeout' || weak.code === 'aborted') return warn(`no answer to the weak-suite handshake: ${weak.message}`);
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

export const TLS_CHECKS: CheckDefinition[] = [modernVersions, legacyRefused, forwardSecrecy, chainTrusted, hostname, expiry, keyStrength];
