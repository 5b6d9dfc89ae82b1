// Where OpenStack credentials come from, as the OpenStack tools (and Pulumi's OpenStack provider,
// through gophercloud's clientconfig) find them: the clouds.yaml entry named by the stack
// (openstack:cloud) or OS_CLOUD, in the first of OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
// ~/.config/openstack/clouds.yaml and /etc/openstack/clouds.yaml that exists, with secure.yaml
// laid over it and OS_* variables filling what the entry leaves blank; else the OS_* variables
// alone. Password and application-credential authentication are both understood. deploy's
// preflight, doctor and the API client all search here, so they agree on which file is read.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
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

/** The home and working directories the search starts from (tests give their own). */
export interface SearchDirs {
  home: string;
  cwd: string;
}

const defaultDirs = (env: NodeJS.ProcessEnv): SearchDirs => ({ home: env.HOME || homedir(), cwd: process.cwd() });

const configDirs = (dirs: SearchDirs) => [dirs.cwd, join(dirs.home, '.config/openstack'), '/etc/openstack'];

/** Where clouds.yaml is looked for, in order; the first that exists is the one read. */
export function cloudsYamlPaths(env: NodeJS.ProcessEnv, dirs: SearchDirs = defaultDirs(env)): string[] {
  return [env.OS_CLIENT_CONFIG_FILE, ...configDirs(dirs).map((dir) => join(dir, 'clouds.yaml'))].filter((p): p is string => Boolean(p));
}

/** Where secure.yaml (passwords kept apart from clouds.yaml) is looked for; the first that exists is read. */
export function secureYamlPaths(dirs: SearchDirs): string[] {
  return configDirs(dirs).map((dir) => join(dir, 'secure.yaml'));
}

type Settings = Record<string, unknown>;
export type CloudEntry = Settings & { auth?: Settings };

const record = (value: unknown): Settings => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Settings) : {});

/** What looking up a clouds.yaml entry found; every case but `entry` is a reason to stop. */
export type EntryLookup =
  | { found: 'entry'; path: string; entry: CloudEntry }
  | { found: 'no-file'; searched: string[] }
  | { found: 'no-entry'; path: string; names: string[] }
  | { found: 'invalid'; path: string; reason: string };

function readYaml(path: string): Settings | { invalid: string } {
  try {
    return record(parse(readFileSync(path, 'utf8')));
  } catch (error) {
    return { invalid: (error as Error).message.split('\n')[0]! };
  }
}

/** Auth keys an OS_* variable fills when the entry leaves them blank (OS_PASSWORD → password). */
const ENV_FILLED = [
  'auth_url', 'username', 'user_id', 'password', 'project_id', 'project_name', 'tenant_id', 'tenant_name', 'user_domain_name', 'user_domain_id',
  'project_domain_name', 'project_domain_id', 'domain_name', 'domain_id', 'application_credential_id', 'application_credential_name', 'application_credential_secret',
];

/**
 * The entry `name` of the clouds.yaml the OpenStack tools read, with secure.yaml's settings for
 * that entry laid over it and OS_* variables filling its blanks. Only the first clouds.yaml that
 * exists is consulted: an entry in a later file is not one the provider would find.
 */
export function lookupCloudEntry(name: string, env: NodeJS.ProcessEnv, dirs: SearchDirs = defaultDirs(env)): EntryLookup {
  const searched = cloudsYamlPaths(env, dirs);
  const path = searched.find((p) => existsSync(p));
  if (!path) return { found: 'no-file', searched };
  const doc = readYaml(path);
  if ('invalid' in doc) return { found: 'invalid', path, reason: String(doc.invalid) };
  const clouds = record(doc.clouds);
  if (!clouds[name] || typeof clouds[name] !== 'object') return { found: 'no-entry', path, names: Object.keys(clouds) };
  const entry = record(clouds[name]);
  const securePath = secureYamlPaths(dirs).find((p) => existsSync(p));
  const secure = securePath ? readYaml(securePath) : {};
  if ('invalid' in secure) return { found: 'invalid', path: securePath!, reason: String(secure.invalid) };
  const secureEntry = record(record(secure.clouds)[name]);
  const auth: Settings = { ...record(entry.auth), ...record(secureEntry.auth) };
  for (const key of ENV_FILLED) {
    const value = env[`OS_${key.toUpperCase()}`];
    if (value && (auth[key] === undefined || auth[key] === '')) auth[key] = value;
  }
  return { found: 'entry', path, entry: { ...entry, ...secureEntry, auth } };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : typeof value === 'number' ? String(value) : undefined);

function findEntry(name: string, env: NodeJS.ProcessEnv, dirs: SearchDirs): { entry: CloudEntry; path: string } {
  const found = lookupCloudEntry(name, env, dirs);
  switch (found.found) {
    case 'entry':
      return found;
    case 'invalid':
      throw new UsageError(`${found.path} is not valid YAML: ${found.reason}`);
    case 'no-entry':
      throw new UsageError([
        `no clouds.yaml entry "${name}": looked in ${found.path}, which has ${found.names.length ? found.names.join(', ') : 'none'}; the OpenStack tools read only the first of ${cloudsYamlPaths(env, dirs).join(', ')} that exists.`,
        `Add a "${name}:" entry under "clouds:" there, or set openstack:cloud / OS_CLOUD to an entry it has.`,
      ]);
    case 'no-file':
      throw new UsageError([
        `no clouds.yaml entry "${name}": looked in ${found.searched.join(', ')}.`,
        `Add a "${name}:" entry under "clouds:" in one of them (your provider's dashboard offers the file for download), or set openstack:cloud / OS_CLOUD to an entry that exists.`,
      ]);
  }
}

function fromEntry(name: string, entry: CloudEntry, path: string): OpenstackCredentials {
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
export function openstackCredentials(env: NodeJS.ProcessEnv, cloud?: string, dirs: SearchDirs = defaultDirs(env)): OpenstackCredentials {
  const name = cloud ?? text(env.OS_CLOUD);
  if (name) {
    const { entry, path } = findEntry(name, env, dirs);
    const found = fromEntry(name, entry, path);
    // OS_REGION_NAME picks a region of a multi-region entry, as with the openstack CLI.
    return env.OS_REGION_NAME ? { ...found, regionName: env.OS_REGION_NAME } : found;
  }
  return fromVariables(env);
}
