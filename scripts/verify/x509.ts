// The few certificate facts Node's X509Certificate does not expose: the signature algorithm.
// A certificate is SEQUENCE { tbsCertificate, signatureAlgorithm, signature }; we skip the first
// element and read the OID of the second.

const SIGNATURE_ALGORITHMS: Record<string, { name: string; weak: boolean }> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', weak: true },
  '1.2.840.113549.1.1.10': { name: 'RSASSA-PSS', weak: false },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', weak: false },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', weak: false },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', weak: true },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', weak: false },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', weak: false },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', weak: false },
  '1.3.101.112': { name: 'Ed25519', weak: false },
  '1.3.101.113': { name: 'Ed448', weak: false },
};

interface Tlv {
  tag: number;
  start: number; // first content byte
  end: number; // one past the last content byte
}

function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw new Error('truncated DER');
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  if (start + length > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + length };
}

function decodeOid(bytes: Buffer): string {
  const first = bytes[0]!;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

/** The signature algorithm of a DER certificate. */
export function signatureAlgorithm(der: Buffer): { oid: string; name: string; weak: boolean } {
  const certificate = readTlv(der, 0);
  const tbs = readTlv(der, certificate.start);
  const algorithm = readTlv(der, tbs.end);
  const oid = readTlv(der, algorithm.start);
  if (oid.tag !== 0x06) throw new Error('no algorithm identifier');
  const dotted = decodeOid(der.subarray(oid.start, oid.end));
  const known = SIGNATURE_ALGORITHMS[dotted];
  return { oid: dotted, name: known?.name ?? dotted, weak: known?.weak ?? false };
}
