// A throwaway certificate authority for one rehearsal: the host trusts it, and the HTTPS
// stand-ins present a certificate it signed for the real service names. Made with openssl; the
// keys live only in the rehearsal's work folder.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RehearsalCa {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

export function makeRehearsalCa(dir: string, names: string[]): RehearsalCa {
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=jitsi-eu rehearsal CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', `/CN=${names[0]}`);
  writeFileSync(at('server.ext'), [
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', at('server.ext'), '-out', at('server.pem'));
  return { caCert: at('ca.pem'), serverCert: at('server.pem'), serverKey: at('server.key') };
}
