// Reads a served config.js / interface_config.js the way a browser would: evaluated in an empty
// sandbox, then the resulting object is converted to plain JSON so values compare exactly.
import { runInNewContext } from 'node:vm';
import type { JsonValue } from '../../infra/privacy/types.ts';

export type JsonObject = { [key: string]: JsonValue };

export class ConfigEvalError extends Error {}

/** Evaluates `source` and returns the global it defines (`config` or `interfaceConfig`). */
export function evaluateConfigScript(source: string, globalName: 'config' | 'interfaceConfig', timeoutMs = 1000): JsonObject {
  const sandbox: Record<string, unknown> = {
    // Upstream files read these; give harmless stand-ins.
    window: {},
    navigator: { userAgent: '' },
    location: { hostname: '', href: '' },
    document: {},
  };
  (sandbox.window as Record<string, unknown>).location = sandbox.location;
  let value: unknown;
  try {
    value = runInNewContext(`${source}\n;typeof ${globalName} === 'undefined' ? undefined : ${globalName}`, sandbox, {
      timeout: timeoutMs,
      filename: `${globalName}.js`,
    });
  } catch (error) {
    throw new ConfigEvalError(`does not evaluate: ${(error as Error).message.split('\n')[0]}`);
  }
  if (value === undefined || value === null || typeof value !== 'object') {
    throw new ConfigEvalError(`does not define ${globalName}`);
  }
  // JSON round trip: drops functions and the sandbox's prototypes, keeps what the app reads.
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/** Value at a dotted path (`p2p.stunServers`), or undefined when any part is missing. */
export function valueAt(root: JsonValue, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = root;
  for (const part of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as JsonObject)[part];
  }
  return current;
}

export function hasPath(root: JsonValue, path: string): boolean {
  return valueAt(root, path) !== undefined;
}

/** Every string inside a value (deep), with its dotted path. */
export function stringsIn(value: JsonValue, path = ''): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => stringsIn(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** Short, single-line JSON for detail lines. */
export function show(value: JsonValue | undefined, max = 80): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
