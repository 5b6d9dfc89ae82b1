// Changing a few settings in an existing Pulumi.<stack>.yaml the way a person would: the other
// keys, their order and every comment stay as they were (yaml's Document API, not a re-dump).
import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument } from 'yaml';
import { UsageError } from './cli.ts';

export interface StackFileEdit {
  path: string;
  /** The file's text before the edit, to put back when the change is abandoned. */
  before: string;
  after: string;
}

/**
 * The text with `config.<key>` set to each value: a key that exists keeps its place and comments;
 * new keys go last. A dotted key names a field of a mapping: `jitsi-eu:bridges.instanceType`.
 */
export function withConfigValues(text: string, path: string, values: Readonly<Record<string, string>>): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new UsageError(`${path} is not valid YAML (${doc.errors[0]!.message}): fix it, then run the command again`);
  const config = doc.get('config', true);
  if (config !== undefined && !isMap(config)) throw new UsageError(`${path}: config is not a mapping of settings`);
  for (const [key, value] of Object.entries(values)) {
    const path = ['config', ...key.split('.')];
    const node = doc.getIn(path, true);
    // Changing the scalar in place keeps a comment on the same line.
    if (isScalar(node)) node.value = value;
    else doc.setIn(path, value);
  }
  return doc.toString({ lineWidth: 0 });
}

/** Writes the new values into the stack file; `restore` of the result puts the old text back. */
export function editStackFile(path: string, values: Readonly<Record<string, string>>): StackFileEdit {
  const before = readFileSync(path, 'utf8');
  const after = withConfigValues(before, path, values);
  if (after !== before) writeFileSync(path, after);
  return { path, before, after };
}

export function restoreStackFile(edit: StackFileEdit): void {
  if (readFileSync(edit.path, 'utf8') !== edit.before) writeFileSync(edit.path, edit.before);
}
