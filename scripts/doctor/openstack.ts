// The credentials an OpenStack stack needs, found where the OpenStack provider finds them
// (scripts/lib/clouds/openstack-credentials.ts, shared with deploy and the API client): the
// clouds.yaml entry named by openstack:cloud (or OS_CLOUD), else the OS_* variables an openrc
// file sets. Checked locally, without calling the cloud; passwords and secrets are never printed.
import { lookupCloudEntry, type SearchDirs } from '../lib/clouds/openstack-credentials.ts';
import { missing, ok, type DoctorItem } from './item.ts';

const TITLE = 'OpenStack credentials';

const FIX_OPENRC = [
  "source the openrc file your cloud's dashboard offers (OVHcloud: Public Cloud → Users & Roles → download the OpenStack RC file),",
  'or add an entry to ~/.config/openstack/clouds.yaml and name it in the stack: openstack:cloud: <entry>',
];

/** The home and working directories the clouds.yaml search starts from. */
export type OpenStackPaths = SearchDirs;

type Settings = Record<string, unknown>;
const rec = (value: unknown): Settings => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Settings) : {});
const has = (settings: Settings, ...keys: string[]) => keys.some((key) => typeof settings[key] === 'string' && settings[key] !== '');

/** Names of what a set of auth settings lacks (keys as clouds.yaml spells them), or [] when complete. */
export function missingAuth(auth: Settings, authType: string | undefined): string[] {
  const lacks: string[] = [];
  if (!has(auth, 'auth_url')) lacks.push('auth_url');
  if (authType === 'v3applicationcredential' || has(auth, 'application_credential_id', 'application_credential_name')) {
    if (!has(auth, 'application_credential_id', 'application_credential_name')) lacks.push('application_credential_id');
    if (!has(auth, 'application_credential_secret')) lacks.push('application_credential_secret');
    return lacks;
  }
  if (!has(auth, 'username', 'user_id')) lacks.push('username (or user_id)');
  if (!has(auth, 'password')) lacks.push('password');
  if (!has(auth, 'project_id', 'project_name', 'tenant_id', 'tenant_name')) lacks.push('project_id (or project_name)');
  // Keystone v3 resolves names within a domain.
  if (has(auth, 'username') && !has(auth, 'user_domain_name', 'user_domain_id', 'domain_name', 'domain_id')) lacks.push('user_domain_name (usually Default)');
  if (has(auth, 'project_name', 'tenant_name') && !has(auth, 'project_id', 'tenant_id') && !has(auth, 'project_domain_name', 'project_domain_id', 'domain_name', 'domain_id')) {
    lacks.push('project_domain_name (usually Default)');
  }
  return lacks;
}

/** The OS_* variables as clouds.yaml auth settings (OS_PROJECT_NAME → project_name, …). */
function authFromEnv(env: NodeJS.ProcessEnv): Settings {
  const auth: Settings = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('OS_') && value) auth[name.slice(3).toLowerCase()] = value;
  }
  return auth;
}

function checkCloudsYaml(name: string, via: string, env: NodeJS.ProcessEnv, paths: OpenStackPaths): DoctorItem {
  const found = lookupCloudEntry(name, env, paths);
  switch (found.found) {
    case 'no-file':
      return missing('openstack-credentials', TITLE, `${via} names the clouds.yaml entry "${name}", but there is no clouds.yaml (looked in ${found.searched.join(', ')})`, [
        `write ~/.config/openstack/clouds.yaml with an entry "${name}" (your cloud's dashboard offers one to download), or`,
        ...FIX_OPENRC.slice(0, 1),
      ]);
    case 'invalid':
      return missing('openstack-credentials', TITLE, `${found.path} is not valid YAML (${found.reason})`, [`fix the YAML in ${found.path}`]);
    case 'no-entry':
      return missing('openstack-credentials', TITLE, `${found.path} has no entry "${name}" (${found.names.length ? `it has ${found.names.join(', ')}` : 'it has none'})`, [
        `add a "${name}" entry under clouds: in ${found.path}, or name one that exists in ${via}`,
        'only the first clouds.yaml that exists is read, as the OpenStack tools do: an entry in a later one is not found',
      ]);
  }
  const { path: file, entry } = found;
  const auth = rec(entry.auth);
  const lacks = missingAuth(auth, typeof entry.auth_type === 'string' ? entry.auth_type : undefined);
  if (lacks.length > 0) {
    return missing('openstack-credentials', TITLE, `clouds.yaml entry "${name}" in ${file} lacks ${lacks.join(', ')}`, [
      `add ${lacks.join(', ')} under clouds: ${name}: auth: in ${file} (a password may go in a secure.yaml in ./, ~/.config/openstack/ or /etc/openstack/, or in OS_PASSWORD)`,
    ]);
  }
  return ok('openstack-credentials', TITLE, `clouds.yaml entry "${name}" in ${file} (${String(auth.auth_url)})`);
}

function checkVariables(env: NodeJS.ProcessEnv): DoctorItem {
  const auth = authFromEnv(env);
  const lacks = missingAuth(auth, env.OS_AUTH_TYPE);
  if (lacks.length > 0) {
    const variables = lacks.map((key) => key.replace(/^([a-z_]+)/, (k) => `OS_${k.toUpperCase()}`).replace(/\(or ([a-z_]+)\)/, (_, k: string) => `(or OS_${k.toUpperCase()})`));
    return missing('openstack-credentials', TITLE, `no openstack:cloud in the stack and no OS_CLOUD; of the OS_* variables, missing: ${variables.join(', ')}`, FIX_OPENRC);
  }
  return ok('openstack-credentials', TITLE, `OS_* variables (${String(auth.auth_url)})`);
}

/** `cloud`: the stack's openstack:cloud, when it has one. */
export function checkOpenStackCredentials(env: NodeJS.ProcessEnv, cloud: string | undefined, paths: OpenStackPaths): DoctorItem {
  if (cloud) return checkCloudsYaml(cloud, 'openstack:cloud in the stack', env, paths);
  if (env.OS_CLOUD) return checkCloudsYaml(env.OS_CLOUD, 'OS_CLOUD', env, paths);
  return checkVariables(env);
}
