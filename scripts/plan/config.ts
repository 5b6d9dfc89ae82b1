// A stack file's `config:` map in the form the Pulumi CLI hands it to a program: every value a
// string, mappings as JSON. The offline plan feeds the program exactly what `pulumi up` would.
import { readStackConfigFile } from '../lib/workspace.ts';

export type PulumiConfig = Record<string, string>;

export function toPulumiConfig(config: Readonly<Record<string, unknown>>): PulumiConfig {
  const out: PulumiConfig = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** Reads `Pulumi.<stack>.yaml`; the file has been validated by the spec loader already. */
export function readStackConfig(path: string): PulumiConfig {
  return toPulumiConfig(readStackConfigFile(path) ?? {});
}
