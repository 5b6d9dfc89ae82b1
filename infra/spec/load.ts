// Reads the stack file Pulumi itself reads (`Pulumi.<stack>.yaml`, top-level `config:` map) and
// validates it. YAML errors are reported with their line.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import type { SpecProblem, SpecResult } from './types.ts';
import { specFromConfig } from './validate.ts';

/** The project directory: where Pulumi.yaml and the stack files live. */
export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function stackFileFor(stack: string, dir: string = PROJECT_DIR): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

/** `Pulumi.prod.yaml` → `prod`; any other file name → its name without extension. */
export function stackNameFromPath(path: string): string {
  const name = basename(path);
  const match = /^Pulumi\.(.+)\.ya?ml$/.exec(name);
  return match ? match[1]! : name.replace(/\.ya?ml$/, '');
}

export interface ParseOptions {
  stack: string;
  now?: Date;
}

export function parseStackConfig(text: string, options: ParseOptions): SpecResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const problems: SpecProblem[] = doc.errors.map((error) => {
      const line = error.linePos?.[0]?.line;
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return { key: '(yaml)', message: `invalid YAML${line ? ` at line ${line}` : ''}: ${message}`, ...(line ? { line } : {}) };
    });
    return { ok: false, problems, warnings: [] };
  }
  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    return { ok: false, problems: [{ key: '(yaml)', message: 'the stack file must be a YAML mapping with a config: section' }], warnings: [] };
  }
  const configNode = isMap(root) ? root.get('config', true) : undefined;
  if (configNode === undefined || configNode === null) {
    return specFromConfig({}, { stack: options.stack, ...(options.now ? { now: options.now } : {}) });
  }
  if (!isMap(configNode)) {
    const line = configNode && 'range' in configNode && configNode.range ? lineCounter.linePos(configNode.range[0]).line : undefined;
    return {
      ok: false,
      problems: [{ key: 'config', message: 'config: must be a mapping of keys such as jitsi-eu:domain to values', ...(line ? { line } : {}) }],
      warnings: [],
    };
  }
  const lines = new Map<string, number>();
  const config: Record<string, unknown> = {};
  for (const pair of configNode.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (isScalar(pair.key) && pair.key.range) lines.set(key, lineCounter.linePos(pair.key.range[0]).line);
    const value = pair.value;
    config[key] = value && typeof value === 'object' && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value;
  }
  return specFromConfig(config, { stack: options.stack, lines, ...(options.now ? { now: options.now } : {}) });
}

/** Loads and validates a stack file; a missing or unreadable file is a problem, not an exception. */
export function loadStackFile(path: string, options: Partial<ParseOptions> = {}): SpecResult {
  const stack = options.stack ?? stackNameFromPath(path);
  if (!existsSync(path)) {
    return { ok: false, problems: [{ key: '(file)', value: path, message: `stack file ${path} does not exist: give a Pulumi.<stack>.yaml path, or --stack NAME for ${stackFileFor('NAME')}` }], warnings: [] };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ key: '(file)', value: path, message: `cannot read ${path}: ${(error as Error).message}` }], warnings: [] };
  }
  return parseStackConfig(text, { stack, ...(options.now ? { now: options.now } : {}) });
}

/** One line per problem, with the file and line when known: `Pulumi.x.yaml:4: jitsi-eu:domain: ...`. */
export function formatProblems(problems: readonly SpecProblem[], source?: string): string[] {
  return problems.map((p) => `${source ? `${source}${p.line ? `:${p.line}` : ''}: ` : p.line ? `line ${p.line}: ` : ''}${p.message}`);
}
