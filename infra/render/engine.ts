// The Handlebars engine every template goes through: strict (a missing variable is an error),
// no HTML escaping (these are config files), and helpers that format values for each file's
// language. Settings are read through `setting`, which records what each render used, so a
// profile setting that no template reads is caught by the tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { JsonValue, PrivacySetting } from '../privacy/types.ts';
import { secretPlaceholder, SECRET_NAMES, type SecretName } from '../secrets.ts';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

const sourceCache = new Map<string, string>();

function templateSource(name: string): string {
  let source = sourceCache.get(name);
  if (source === undefined) {
    source = readFileSync(`${TEMPLATES_DIR}${name}`, 'utf8');
    sourceCache.set(name, source);
  }
  return source;
}

/** A Lua literal for a JSON value (strings, numbers, booleans, arrays, string-keyed tables). */
export function luaLiteral(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '{}' : `{ ${value.map(luaLiteral).join('; ')} }`;
  const fields = Object.entries(value).map(([k, v]) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${k} = ${luaLiteral(v)}` : `[${luaString(k)}] = ${luaLiteral(v)}`,
  );
  return fields.length === 0 ? '{}' : `{ ${fields.join('; ')} }`;
}

function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export interface EngineOptions {
  /** The resolved privacy settings for this deployment. */
  settings: readonly PrivacySetting[];
  /** Receives the id of every setting a template reads. */
  onSettingUsed?: (id: string) => void;
}

export interface TemplateEngine {
  /** Renders `templates/<name>` (e.g. `web/config.js.hbs`) with `context`. */
  render(name: string, context: object): string;
}

export function createEngine(options: EngineOptions): TemplateEngine {
  const hbs = Handlebars.create();
  const byId = new Map(options.settings.map((s) => [s.id, s]));

  hbs.registerHelper('setting', (id: unknown) => {
    if (typeof id !== 'string') throw new Error(`setting helper needs a setting id, got ${String(id)}`);
    const setting = byId.get(id);
    if (!setting) throw new Error(`template reads privacy setting "${id}", which the profile does not define`);
    options.onSettingUsed?.(id);
    return setting.value;
  });
  hbs.registerHelper('secret', (name: unknown) => {
    if (!SECRET_NAMES.includes(name as SecretName)) throw new Error(`unknown secret "${String(name)}"`);
    return secretPlaceholder(name as SecretName);
  });
  // Value formatters: JSON is valid JavaScript and valid HOCON.
  hbs.registerHelper('js', (v: JsonValue) => JSON.stringify(v));
  hbs.registerHelper('hocon', (v: JsonValue) => JSON.stringify(v));
  hbs.registerHelper('lua', (v: JsonValue) => luaLiteral(v));
  hbs.registerHelper('join', (list: unknown[], sep: unknown) => list.join(typeof sep === 'string' ? sep : ' '));
  // Logic helpers (Handlebars passes its options object last; drop it).
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));

  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  return {
    render(name, context) {
      let template = compiled.get(name);
      if (!template) {
        template = hbs.compile(templateSource(name), { strict: true, noEscape: true });
        compiled.set(name, template);
      }
      return template(context);
    },
  };
}
