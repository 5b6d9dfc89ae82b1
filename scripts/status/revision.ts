// The configuration revision of a host role: a short hash of the files the stack renders for that
// role (render is pure, so the same stack always gives the same revision). A host that records
// the revision it applied lets status tell whether it runs what the stack says.
import { createHash } from 'node:crypto';
import { JITSI_EU_ETC } from '../../infra/render/paths.ts';
import type { Bundle, HostRole } from '../../infra/render/types.ts';

/** Where a host records the revision it runs: one line, the hash below. */
export const REVISION_FILE = `${JITSI_EU_ETC}/revision`;

/** Hex digits kept: enough to tell revisions apart, short enough to read in a table. */
const REVISION_LENGTH = 12;

/**
 * The role's files, except the cloud-init user data: that is how the files reach a new host, not
 * configuration the host runs.
 */
export function bundleRevision(bundle: Bundle, role: HostRole): string {
  const hash = createHash('sha256');
  for (const file of bundle.files) {
    if (file.component === 'cloud-init' || !file.roles.includes(role)) continue;
    // Length-prefixed fields: no two different bundles hash the same bytes.
    for (const field of [file.path, file.mode, file.owner ?? '', file.content]) {
      hash.update(`${Buffer.byteLength(field)}:`);
      hash.update(field);
    }
  }
  return hash.digest('hex').slice(0, REVISION_LENGTH);
}

/** The revision in a host's record: its first word, when it looks like one. */
export function parseRecordedRevision(text: string): string | undefined {
  const word = text.trim().split(/\s+/)[0] ?? '';
  return /^[0-9a-f]{6,64}$/.test(word) ? word : undefined;
}
