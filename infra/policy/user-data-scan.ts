// Finds secrets written literally into EC2 user data. jitsi-eu's user data carries placeholders
// (`@@jitsi-eu-secret:<name>@@`) that the host fills from SSM at boot; anything that looks like
// a real credential is a finding. Findings describe where, never the value.
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { ARCHIVE_TEXT_PATH, archiveFromText } from '../render/archive-text.ts';

/** User data as EC2 stores it (base64 when `base64` is true) → text, un-gzipped when needed. */
export function decodeUserData(value: string, base64: boolean): string {
  const bytes = base64 ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8');
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return raw.toString('utf8');
}

const SECRET_KEY = /(password|passwd|passphrase|secret|token|apikey|api_key|private_?key|access_?key)$/i;
const HARMLESS_VALUE = /^(true|false|null|nil|none|yes|no|on|off|required|optional|\d+)$/i;

/** Is this assigned value a literal credential rather than a reference to one? */
function isLiteralSecret(value: string, quoted: boolean): boolean {
  if (value.length < 8 || HARMLESS_VALUE.test(value)) return false;
  if (value.includes('@@jitsi-eu-') || /^[$%]|^\{\{/.test(value)) return false;
  if (value.includes('://') || value.startsWith('/')) return false;
  if (!quoted && !/^[A-Za-z0-9+/=_.-]+$/.test(value)) return false;
  return true;
}

function scanText(text: string, where: string): string[] {
  const findings: string[] = [];
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) findings.push(`${where}: a PEM private key`);
  if (/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/.test(text)) findings.push(`${where}: an AWS access key id`);
  const assignment = /([A-Za-z_][\w.-]*)["']?[ \t]*(?:=|:)[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s,;{}()[\]"']+))/g;
  for (const match of text.matchAll(assignment)) {
    const key = match[1]!;
    if (!SECRET_KEY.test(key)) continue;
    const quoted = match[2] ?? match[3];
    const value = quoted ?? match[4] ?? '';
    if (isLiteralSecret(value, quoted !== undefined)) {
      const line = text.slice(0, match.index).split('\n').length;
      findings.push(`${where} line ${line}: ${key} is set to a literal value`);
    }
  }
  return findings;
}

interface WriteFile {
  path?: unknown;
  content?: unknown;
  encoding?: unknown;
}

/** Files inside a #cloud-config document may be base64 or gzip+base64 encoded: look inside them too. */
function embeddedFiles(text: string): { where: string; text: string }[] {
  if (!text.startsWith('#cloud-config')) return [];
  let document: unknown;
  try {
    document = parse(text);
  } catch {
    return [];
  }
  const files = (document as { write_files?: unknown } | null)?.write_files;
  if (!Array.isArray(files)) return [];
  const out: { where: string; text: string }[] = [];
  for (const file of files as WriteFile[]) {
    // The configuration archive outside AWS: LZMA in base85 (infra/render/archive-text.ts).
    if (file?.path === ARCHIVE_TEXT_PATH && typeof file.content === 'string') {
      try {
        out.push({ where: `write_files ${ARCHIVE_TEXT_PATH}`, text: archiveFromText(file.content).toString('utf8') });
      } catch {
        // not decodable: nothing more to look at
      }
      continue;
    }
    if (typeof file?.content !== 'string' || typeof file.encoding !== 'string') continue;
    const encoding = file.encoding.toLowerCase();
    if (!['b64', 'base64', 'gz+b64', 'gzip+base64', 'gz+base64', 'gzip+b64'].includes(encoding)) continue;
    try {
      out.push({ where: `write_files ${String(file.path)}`, text: decodeUserData(file.content, true) });
    } catch {
      // not decodable: nothing more to look at
    }
  }
  return out;
}

/** Descriptions of every literal secret found; empty when the user data is clean. */
export function findLiteralSecrets(userData: string): string[] {
  return [scanText(userData, 'user data'), ...embeddedFiles(userData).map((file) => scanText(file.text, file.where))].flat();
}
