// Where OpenStack credentials come from, as the openstack CLI finds them: the clouds.yaml entry
// named by the stack (openstack:cloud) or OS_CLOUD, looked up in OS_CLIENT_CONFIG_FILE,
// ./clouds.yaml, ~/.config/openstack/clouds.yaml and /etc/openstack/clouds.yaml; else the OS_*
// variables. Password and application-credential authentication are both understood.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../cli.ts';

export type OpenstackSecret =
  | { method: 'password'; username: string; password: string; userDomainName: string }
  | { method: 'application_credential'; id: string; secret: string };

export interface OpenstackCredentials {
  authUrl: string;
  secret: OpenstackSecret;
  /** Project scope (password authentication; application credentials carry their own). */
  project?: { name?: string; id?: string; domainName: string };
  regionName?: string;
  interface: string;
  /** Where they were found, for messages: `clouds.yaml entry "ovh" (/home/u/.config/openstack/clouds.yaml)`. */
  source: string;
}

export function cloudsYamlPaths(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || homedir();
  return [env.OS_CLIENT_CONFIG_FILE, resolve('clouds.yaml'), join(home, '.config/openstack/clouds.yaml'), '/etc/openstack/clouds.yaml'].filter((p): p is string => Boolean(p));
}

type Entry = Record<string, unknown> & { auth?: Record<string, unknown> };

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : typeof value === 'number' ? String(value) : undefined);

function findEntry(name: string, env: NodeJS.ProcessEnv): { entry: Entry; path: string } {
  const searched = cloudsYamlPaths(env);
  for (const path of searched) {
    if (!existsSync(path)) continue;
    let doc: unknown;
    try {
      doc = parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new UsageError(`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    const entry = (doc as { clouds?: Record<string, unknown> } | undefined)?.clouds?.[name];
    if (entry && typeof entry === 'object') return { entry: entry as Entry, path };
  }
  throw new UsageError([
    `no clouds.yaml entry "${name}": looked in ${searched.join(', ')}.`,
    `Add a "${name}:" entry under "clouds:" in one of them (your provider's dashboard offers the file for download), or set openstack:cloud / OS_CLOUD to an entry that exists.`,
  ]);
}

function fromEntry(name: string, entry: Entry, path: string): OpenstackCredentials {
  const auth = entry.auth ?? {};
  const source = `clouds.yaml entry "${name}" (${path})`;
  const missing = (what: string) => new UsageError([`${source} has no ${what}.`, `Add auth.${what} to the entry (or use another entry with openstack:cloud / OS_CLOUD).`]);
  const authUrl = text(auth.auth_url);
  if (!authUrl) throw missing('auth_url');
  const appId = text(auth.application_credential_id);
  let secret: OpenstackSecret;
  if (entry.auth_type === 'v3applicationcredential' || appId) {
    const appSecret = text(auth.application_credential_secret);
    if (!appId) throw missing('application_credential_id');
    if (!appSecret) throw missing('application_credential_secret');
    secret = { method: 'application_credential', id: appId, secret: appSecret };
  } else {
    const username = text(auth.username);
    const password = text(auth.password);
    if (!username) throw missing('username');
    if (!password) throw missing('password');
    secret = { method: 'password', username, password, userDomainName: text(auth.user_domain_name) ?? text(auth.domain_name) ?? 'Default' };
  }
  const projectName = text(auth.project_name) ?? text(auth.tenant_name);
  const projectId = text(auth.project_id) ?? text(auth.tenant_id);
  const regionName = text(entry.region_name);
  return {
    authUrl,
    secret,
    ...(projectName || projectId
      ? { project: { ...(projectName ? { name: projectName } : {}), ...(projectId ? { id: projectId } : {}), domainName: text(auth.project_domain_name) ?? text(auth.domain_name) ?? 'Default' } }
      : {}),
    ...(regionName ? { regionName } : {}),
    interface: text(entry.interface) ?? 'public',
    source,
  };
}

const OS_VARIABLES = ['OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD', 'OS_PROJECT_NAME', 'OS_USER_DOMAIN_NAME', 'OS_PROJECT_DOMAIN_NAME', 'OS_REGION_NAME'];

function fromVariables(env: NodeJS.ProcessEnv): OpenstackCredentials {
  const v = (name: string) => text(env[name]);
  const authUrl = v('OS_AUTH_URL');
  const appId = v('OS_APPLICATION_CREDENTIAL_ID');
  const secret: OpenstackSecret | undefined = appId
    ? v('OS_APPLICATION_CREDENTIAL_SECRET') ? { method: 'application_credential', id: appId, secret: v('OS_APPLICATION_CREDENTIAL_SECRET')! } : undefined
    : v('OS_USERNAME') && v('OS_PASSWORD')
      ? { method: 'password', username: v('OS_USERNAME')!, password: v('OS_PASSWORD')!, userDomainName: v('OS_USER_DOMAIN_NAME') ?? v('OS_USER_DOMAIN_ID') ?? 'Default' }
      : undefined;
  const projectName = v('OS_PROJECT_NAME') ?? v('OS_TENANT_NAME');
  const projectId = v('OS_PROJECT_ID') ?? v('OS_TENANT_ID');
  if (!authUrl || !secret || (secret.method === 'password' && !projectName && !projectId)) {
    const unset = OS_VARIABLES.slice(0, 4).filter((name) => !v(name));
    throw new UsageError([
      `no OpenStack credentials: the stack names no clouds.yaml entry (openstack:cloud), OS_CLOUD is not set, and ${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set.`,
      'Set openstack:cloud in the stack file (or OS_CLOUD) to your clouds.yaml entry, or source your provider\'s openrc file, which sets ' + OS_VARIABLES.join(', ') + '.',
    ]);
  }
  const regionName = v('OS_REGION_NAME');
  return {
    authUrl,
    secret,
    ...(projectName || projectId
      ? { project: { ...(projectName ? { name: projectName } : {}), ...(projectId ? { id: projectId } : {}), domainName: v('OS_PROJECT_DOMAIN_NAME') ?? v('OS_PROJECT_DOMAIN_ID') ?? 'Default' } }
      : {}),
    ...(regionName ? { regionName } : {}),
    interface: v('OS_INTERFACE') ?? 'public',
    source: 'the OS_* variables',
  };
}

/** The credentials for `cloud` (a clouds.yaml entry), or from OS_CLOUD, or from the OS_* variables. */
export function openstackCredentials(env: NodeJS.ProcessEnv, cloud?: string): OpenstackCredentials {
  const name = cloud ?? text(env.OS_CLOUD);
  if (name) {
    const { entry, path } = findEntry(name, env);
    const found = fromEntry(name, entry, path);
    // OS_REGION_NAME picks a region of a multi-region entry, as with the openstack CLI.
    return env.OS_REGION_NAME ? { ...found, regionName: env.OS_REGION_NAME } : found;
  }
  return fromVariables(env);
}
