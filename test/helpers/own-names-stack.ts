// A stack file like an example, with the example names (example.org, RFC 2606) replaced by a
// name of the operator's own, written next to Pulumi.yaml (where deploy reads it; such files are
// git-ignored) for tests that must get past deploy's refusal of example names.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PROJECT_DIR, stackFileFor } from '../../infra/spec/load.ts';
import { join } from 'node:path';

export const OWN_DOMAIN = 'jitsi-eu-selftest.eu';

/** Writes Pulumi.<stack>.yaml from Pulumi.example-<example>.yaml; returns a function that removes it. */
export function writeOwnNamesStack(example: string, stack: string): () => void {
  const text = readFileSync(join(PROJECT_DIR, `Pulumi.example-${example}.yaml`), 'utf8');
  const path = stackFileFor(stack);
  writeFileSync(path, text.replaceAll('example.org', OWN_DOMAIN));
  return () => rmSync(path, { force: true });
}
