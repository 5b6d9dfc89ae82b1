// Preflight for Hetzner Cloud and OpenStack: are the credentials Pulumi's provider will read there
// at all? Checked before Pulumi starts, so a missing token or clouds.yaml entry is an exit 2 that
// names what is missing and how to provide it, not a provider error halfway through an update.
// Only presence is checked (no request leaves the machine); values are never printed.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { UsageError } from './cli.ts';
import { cloudsYamlPaths } from './clouds/openstack-credentials.ts';

export type CredentialTarget = Pick<DeploymentSpec, 'cloud' | 'region' | 'openstackCloud'>;

type Env = Record<string, string | undefined>;

const set = (env: Env, name: string) => (env[name] ?? '').trim() !== '';

export function requireHetznerToken(env: Env = process.env): void {
  if (set(env, 'HCLOUD_TOKEN')) return;
  throw new UsageError([
    'HCLOUD_TOKEN is not set: Hetzner Cloud needs an API token of the project jitsi-eu deploys into.',
    'Create one in the Hetzner Console (the project → Security → API tokens, permission "Read & Write"), then run the command again with:',
    '  export HCLOUD_TOKEN=<the token>       # or read it from a password manager; never commit it',
  ]);
}


function cloudNamesIn(path: string): string[] {
  try {
    const clouds = (parse(readFileSync(path, 'utf8')) as { clouds?: unknown } | null)?.clouds;
    return clouds && typeof clouds === 'object' ? Object.keys(clouds) : [];
  } catch {
    return [];
  }
}

/** Which variables an OS_* login lacks: an auth URL, and a password, application credential or token. */
export function missingOpenstackVariables(env: Env): string[] {
  const missing = set(env, 'OS_AUTH_URL') ? [] : ['OS_AUTH_URL'];
  if (set(env, 'OS_APPLICATION_CREDENTIAL_ID') || set(env, 'OS_APPLICATION_CREDENTIAL_NAME')) {
    return set(env, 'OS_APPLICATION_CREDENTIAL_SECRET') ? missing : [...missing, 'OS_APPLICATION_CREDENTIAL_SECRET'];
  }
  if (set(env, 'OS_TOKEN')) return missing;
  return [...missing, ...['OS_USERNAME', 'OS_PASSWORD'].filter((n) => !set(env, n)), ...(set(env, 'OS_PROJECT_NAME') || set(env, 'OS_PROJECT_ID') ? [] : ['OS_PROJECT_NAME'])];
}

export function requireOpenstackCredentials(openstackCloud: string | undefined, env: Env = process.env, paths = cloudsYamlPaths(env)): void {
  const name = openstackCloud ?? (set(env, 'OS_CLOUD') ? env.OS_CLOUD!.trim() : undefined);
  if (name) {
    const files = paths.filter((p) => existsSync(p));
    // Pulumi's provider reads only the first clouds.yaml that exists, as doctor and the API client do.
    if (files.length && cloudNamesIn(files[0]!).includes(name)) return;
    const from = openstackCloud ? `openstack:cloud names ${JSON.stringify(name)}` : `OS_CLOUD is ${JSON.stringify(name)}`;
    const found = files.flatMap((f) => cloudNamesIn(f).map((n) => `${n} (${f})`));
    const hidden = files.slice(1).filter((f) => cloudNamesIn(f).includes(name));
    throw new UsageError([
      hidden.length ? `${from}, but the clouds.yaml the OpenStack tools read, ${files[0]}, has no entry of that name (${hidden.join(', ')} has one, but only the first clouds.yaml that exists is read).` : `${from}, but no clouds.yaml has an entry of that name.`,
      files.length ? `Entries found: ${found.length ? found.join(', ') : 'none'}.` : `No clouds.yaml was found (looked at ${paths.join(', ')}).`,
      `Download clouds.yaml from your cloud's dashboard (API access → "OpenStack clouds.yaml file") into ~/.config/openstack/, name its entry ${name}, and run the command again.`,
    ]);
  }
  const missing = missingOpenstackVariables(env);
  if (!missing.length) return;
  throw new UsageError([
    `no OpenStack credentials: neither openstack:cloud in the stack file nor OS_CLOUD names a clouds.yaml entry, and the OS_* variables lack ${missing.join(', ')}.`,
    'Either set openstack:cloud (or OS_CLOUD) to an entry of clouds.yaml (~/.config/openstack/clouds.yaml, from your cloud\'s dashboard),',
    "or source the cloud's openrc file (it sets OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME and the domains), then run the command again.",
  ]);
}

/** The credentials check of a non-AWS cloud; AWS is checked against STS by deploy/credentials.ts. */
export function requireCloudCredentials(target: CredentialTarget, env: Env = process.env): void {
  if (target.cloud === 'hetzner') requireHetznerToken(env);
  else if (target.cloud === 'openstack') requireOpenstackCredentials(target.openstackCloud, env);
}
