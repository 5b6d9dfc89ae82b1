// What a stapled OCSP response (RFC 6960) says about one certificate: the responder's status, the
// certificate's status and until when the answer is fresh. The signature is not checked: a client
// does that; verify reports whether the server staples an answer at all and what it says.
import { children, decodeOid, readTlv, type Tlv } from './x509.ts';

const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', 'unused', 'sigRequired', 'unauthorized'];
const BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';

export interface StapledAnswer {
  responseStatus: string;
  /** For the certificate asked about; absent when the response does not name it. */
  certStatus?: 'good' | 'revoked' | 'unknown';
  nextUpdate?: Date;
}

/** GeneralizedTime YYYYMMDDHHMMSS[.fff]Z. */
function generalizedTime(der: Buffer, element: Tlv): Date {
  const text = der.subarray(element.start, element.end).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text);
  if (!m) throw new Error(`unreadable time ${text}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** Serial numbers compare as hex without leading zeros (Node gives the leaf's in upper-case hex). */
const normaliseSerial = (hex: string) => hex.toUpperCase().replace(/^0+(?=.)/, '');

/** Reads a DER OCSPResponse; `serialHex` picks the SingleResponse for the served certificate. */
export function readStapledOcsp(der: Buffer, serialHex: string): StapledAnswer {
  const response = readTlv(der, 0);
  const [status, bytesWrapper] = children(der, response);
  if (status?.tag !== 0x0a) throw new Error('not an OCSP response');
  const responseStatus = RESPONSE_STATUS[der[status.start]!] ?? `status ${der[status.start]}`;
  if (responseStatus !== 'successful' || !bytesWrapper) return { responseStatus };
  const [type, octets] = children(der, readTlv(der, bytesWrapper.start));
  if (type?.tag !== 0x06 || octets?.tag !== 0x04) throw new Error('OCSP response without responseBytes');
  if (decodeOid(der.subarray(type.start, type.end)) !== BASIC_RESPONSE) throw new Error('not a basic OCSP response');
  const basic = der.subarray(octets.start, octets.end);
  const tbs = readTlv(basic, readTlv(basic, 0).start);
  // ResponseData: [0] version?, responderID, producedAt, responses, [1] extensions?
  const responses = children(basic, tbs).find((c) => c.tag === 0x30);
  if (!responses) throw new Error('OCSP response lists no certificates');
  const wanted = normaliseSerial(serialHex);
  for (const single of children(basic, responses)) {
    const [certId, certStatus, , ...rest] = children(basic, single);
    if (!certId || !certStatus) continue;
    const serial = children(basic, certId)[3];
    if (!serial || normaliseSerial(basic.subarray(serial.start, serial.end).toString('hex')) !== wanted) continue;
    const statusName = certStatus.tag === 0x80 ? 'good' : certStatus.tag === 0xa1 ? 'revoked' : 'unknown';
    const next = rest.find((c) => c.tag === 0xa0);
    return { responseStatus, certStatus: statusName, ...(next ? { nextUpdate: generalizedTime(basic, readTlv(basic, next.start)) } : {}) };
  }
  return { responseStatus };
}
