// A throwaway certificate authority for tests that speak real TLS: a CA certificate, and leaf
// certificates it signs for any names and validity window (valid, wrong name, expired, not yet
// valid), with or without revocation information; it revokes them and signs OCSP answers about
// them. Made with the openssl CLI; keys and certificates live only in the directory given.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { requireTool } from './tools.ts';

export type KeySpec = { type: 'ec'; curve?: 'prime256v1' | 'secp384r1' } | { type: 'rsa'; bits?: number };

export interface IssueOptions {
  /** DNS names and IP addresses for the subjectAltName; the first is also the common name. */
  names: string[];
  /** Defaults to one day ago. */
  notBefore?: Date;
  /** Defaults to 90 days from now. */
  notAfter?: Date;
  /** Defaults to EC P-256. */
  key?: KeySpec;
  /** A CRL distribution point URL (as Let's Encrypt certificates carry). */
  crlUrl?: string;
  /** An OCSP responder URL (authority information access). */
  ocspUrl?: string;
  /** The TLS feature "must staple" (RFC 7633). */
  mustStaple?: boolean;
}

export interface IssuedCertificate {
  /** The leaf certificate alone (PEM). */
  certPath: string;
  /** The leaf's private key (PEM, unencrypted). */
  keyPath: string;
  /** Leaf followed by the CA certificate, as servers send it. */
  fullchainPath: string;
  certPem: string;
  keyPem: string;
  fullchainPem: string;
}

export interface TestCa {
  /** The CA certificate (PEM): what a client passes as `ca` to trust the leaves. */
  caCertPath: string;
  caCertPem: string;
  issue(options: IssueOptions): IssuedCertificate;
  /** Marks a certificate revoked in the CA's database. */
  revoke(cert: IssuedCertificate): void;
  /** An OCSP response (DER file) about the certificate, as the CA's database has it now; valid for a day. */
  ocspResponse(cert: IssuedCertificate): string;
}

/** openssl's `ca` command takes dates as YYYYMMDDHHMMSSZ (UTC). */
function opensslDate(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function keyArgs(key: KeySpec): string[] {
  return key.type === 'ec'
    ? ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${key.curve ?? 'prime256v1'}`]
    : ['-newkey', `rsa:${key.bits ?? 2048}`];
}

const CA_CONFIG = (dir: string) => `
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = any_subject
unique_subject = no
copy_extensions = none
email_in_dn = no

[ any_subject ]
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = jitsi-eu test CA

[ ca_extensions ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

/** Creates a CA in `dir` (which must exist). Every certificate it issues lands in the same directory. */
export function createTestCa(dir: string): TestCa {
  const openssl = requireTool('openssl');
  const run = (args: string[]) => execFileSync(openssl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const caDir = join(dir, 'test-ca');
  mkdirSync(join(caDir, 'issued'), { recursive: true });
  writeFileSync(join(caDir, 'index.txt'), '');
  writeFileSync(join(caDir, 'serial'), '1000\n');
  const configPath = join(caDir, 'openssl.cnf');
  writeFileSync(configPath, CA_CONFIG(caDir));

  const caCertPath = join(caDir, 'ca.pem');
  run([
    'req', '-x509', '-config', configPath, '-extensions', 'ca_extensions', '-nodes',
    ...keyArgs({ type: 'ec' }), '-keyout', join(caDir, 'ca.key'), '-out', caCertPath, '-days', '3650',
  ]);
  const caCertPem = readFileSync(caCertPath, 'utf8');
  let count = 0;

  return {
    caCertPath,
    caCertPem,
    issue(options) {
      if (options.names.length === 0) throw new Error('a certificate needs at least one name');
      count += 1;
      const base = join(dir, `leaf-${count}`);
      const keyPath = `${base}.key`;
      const csrPath = `${base}.csr`;
      const certPath = `${base}.pem`;
      const fullchainPath = `${base}-fullchain.pem`;
      const extPath = `${base}.ext`;
      const san = options.names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(', ');
      writeFileSync(
        extPath,
        [
          'basicConstraints = critical, CA:false',
          'keyUsage = critical, digitalSignature, keyEncipherment',
          'extendedKeyUsage = serverAuth',
          `subjectAltName = ${san}`,
          'subjectKeyIdentifier = hash',
          'authorityKeyIdentifier = keyid',
          ...(options.crlUrl ? [`crlDistributionPoints = URI:${options.crlUrl}`] : []),
          ...(options.ocspUrl ? [`authorityInfoAccess = OCSP;URI:${options.ocspUrl}`] : []),
          ...(options.mustStaple ? ['tlsfeature = status_request'] : []),
          '',
        ].join('\n'),
      );
      const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3600_000);
      const notAfter = options.notAfter ?? new Date(Date.now() + 90 * 24 * 3600_000);
      run(['req', '-new', '-nodes', ...keyArgs(options.key ?? { type: 'ec' }), '-keyout', keyPath, '-subj', `/CN=${options.names[0]}`, '-out', csrPath]);
      run([
        'ca', '-batch', '-config', configPath, '-notext', '-in', csrPath, '-out', certPath, '-extfile', extPath,
        '-startdate', opensslDate(notBefore), '-enddate', opensslDate(notAfter),
      ]);
      const certPem = readFileSync(certPath, 'utf8');
      const fullchainPem = certPem + caCertPem;
      writeFileSync(fullchainPath, fullchainPem);
      return { certPath, keyPath, fullchainPath, certPem, keyPem: readFileSync(keyPath, 'utf8'), fullchainPem };
    },
    revoke(cert) {
      run(['ca', '-config', configPath, '-revoke', cert.certPath]);
    },
    ocspResponse(cert) {
      const base = cert.certPath.replace(/\.pem$/, '');
      const responsePath = `${base}-ocsp-${Date.now()}.der`;
      run(['ocsp', '-issuer', caCertPath, '-cert', cert.certPath, '-no_nonce', '-reqout', `${base}-ocsp-request.der`]);
      run([
        'ocsp', '-index', join(caDir, 'index.txt'), '-CA', caCertPath, '-rsigner', caCertPath, '-rkey', join(caDir, 'ca.key'),
        '-reqin', `${base}-ocsp-request.der`, '-respout', responsePath, '-ndays', '1',
      ]);
      return responsePath;
    },
  };
}
