// The few certificate facts Node's X509Certificate does not expose: the signature algorithm, the
// CRL distribution points and the must-staple feature, read from the DER with a minimal reader.
// A certificate is SEQUENCE { tbsCertificate, signatureAlgorithm, signature }.

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

export interface Tlv {
  tag: number;
  start: number; // first content byte
  end: number; // one past the last content byte
}

export function readTlv(der: Buffer, offset: number): Tlv {
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

export function decodeOid(bytes: Buffer): string {
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

/** The signature algorithm of a DER certificate: the OID in the element after tbsCertificate. */
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

/** The children of a constructed DER element. */
export function children(der: Buffer, parent: Tlv): Tlv[] {
  const found: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    const child = readTlv(der, offset);
    found.push(child);
    offset = child.end;
  }
  return found;
}

/** The extensions of a DER certificate: OID → extnValue contents. */
function extensions(der: Buffer): Map<string, Buffer> {
  const certificate = readTlv(der, 0);
  const tbs = readTlv(der, certificate.start);
  const found = new Map<string, Buffer>();
  // extensions is the [3] EXPLICIT element of tbsCertificate, holding a SEQUENCE of Extension.
  const wrapper = children(der, tbs).find((c) => c.tag === 0xa3);
  if (!wrapper) return found;
  for (const extension of children(der, readTlv(der, wrapper.start))) {
    const parts = children(der, extension);
    const oid = parts[0];
    const value = parts[parts.length - 1];
    if (oid?.tag !== 0x06 || value?.tag !== 0x04) continue;
    found.set(decodeOid(der.subarray(oid.start, oid.end)), der.subarray(value.start, value.end));
  }
  return found;
}

/** Every uniformResourceIdentifier ([6] IA5String) anywhere inside a DER value. */
function uris(der: Buffer): string[] {
  const found: string[] = [];
  const walk = (start: number, end: number) => {
    let offset = start;
    while (offset < end) {
      const element = readTlv(der, offset);
      if (element.tag === 0x86) found.push(der.subarray(element.start, element.end).toString('latin1'));
      else if (element.tag & 0x20) walk(element.start, element.end);
      offset = element.end;
    }
  };
  walk(0, der.length);
  return found;
}

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const TLS_FEATURE = '1.3.6.1.5.5.7.1.24';
/** TLS feature status_request (RFC 7633): the "must staple" promise. */
const STATUS_REQUEST = 5;

/** Revocation facts of a DER certificate: CRL URLs, and whether it must be served with a stapled OCSP response. */
export function revocationInfo(der: Buffer): { crlUrls: string[]; mustStaple: boolean } {
  const found = extensions(der);
  const crl = found.get(CRL_DISTRIBUTION_POINTS);
  const feature = found.get(TLS_FEATURE);
  let mustStaple = false;
  if (feature) {
    const features = readTlv(feature, 0);
    mustStaple = children(feature, features).some((f) => f.tag === 0x02 && feature.readUIntBE(f.start, f.end - f.start) === STATUS_REQUEST);
  }
  return { crlUrls: crl ? uris(crl) : [], mustStaple };
}
