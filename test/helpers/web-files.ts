// config.js and interface_config.js as a browser receives them: rendered for a spec with its
// privacy profile, then run as JavaScript to read the globals they define.
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { privacyProfile } from '../../infra/privacy/profile.ts';
import type { PrivacyProfile } from '../../infra/privacy/types.ts';
import { createEngine, TEMPLATES_DIR } from '../../infra/render/engine.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { renderWeb } from '../../infra/render/web.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';

export type JsObject = Record<string, unknown>;

/** Runs a config file as a browser would and returns the globals it defines. */
export function evaluateScript(source: string): JsObject {
  const sandbox: JsObject = {};
  runInNewContext(source, sandbox, { timeout: 1000 });
  return sandbox;
}

/** Hosts of every URL-like string in a text: scheme://host, stun:/turn: URIs, protocol-relative. */
export function urlHosts(text: string): string[] {
  const hosts: string[] = [];
  for (const m of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^/\s'"`:?#)]+)/gi)) hosts.push(m[1]!.toLowerCase());
  for (const m of text.matchAll(/\b(?:stuns?|turns?):([^/\s'"`:?#)]+)/gi)) hosts.push(m[1]!.toLowerCase());
  for (const m of text.matchAll(/["'`]\/\/([^/\s'"`:?#)]+)/g)) hosts.push(m[1]!.toLowerCase());
  return hosts;
}

export interface RenderedWebFile {
  spec: DeploymentSpec;
  profile: PrivacyProfile;
  source: string;
  globals: JsObject;
}

/** Renders one of the web app's files for a spec and evaluates it. */
export function renderWebFile(spec: DeploymentSpec, component: 'web-config' | 'interface-config'): RenderedWebFile {
  const profile = privacyProfile(spec);
  const engine = createEngine({ settings: profile.settings });
  const file = renderWeb({ spec, hosts: jitsiHosts(spec), profile, engine }).find((f) => f.component === component);
  if (!file) throw new Error(`renderWeb produced no ${component} file`);
  return { spec, profile, source: file.content, globals: evaluateScript(file.content) };
}

/** The source of a web template (`templates/web/<name>`), for checks on what it documents. */
export function webTemplateSource(name: string): string {
  return readFileSync(`${TEMPLATES_DIR}web/${name}`, 'utf8');
}
