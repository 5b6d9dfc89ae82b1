// Where OpenStack credentials are found: the clouds.yaml entry (OS_CLIENT_CONFIG_FILE first, then
// ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml), password or
// application credential, else the OS_* variables; what is missing is named, never a secret.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openstackCredentials } from '../../scripts/lib/clouds/openstack-credentials.ts';
import { tempDir } from '../helpers/tools.ts';

const home = tempDir();
const userFile = join(home.path, '.config/openstack/clouds.yaml');
mkdirSync(join(home.path, '.config/openstack'), { recursive: true });
writeFileSync(
  userFile,
  `clouds:
  ovh:
    auth:
      auth_url: https://auth.cloud.ovh.net/v3
      username: user-abc
      password: pw-in-home-file
      project_name: "1234567890"
      user_domain_name: Default
      project_domain_name: Default
    region_name: GRA11
  infomaniak:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://api.pub1.infomaniak.cloud/identity
      application_credential_id: app-id-1
      application_credential_secret: app-secret-1
  broken:
    auth:
      auth_url: https://keystone.example.org:5000
      username: someone
`,
);
const explicit = join(home.path, 'other.yaml');
writeFileSync(explicit, 'clouds:\n  ovh:\n    auth:\n      auth_url: https://elsewhere.example/v3\n      username: u\n      password: p\n      project_id: p-1\n');

afterAll(() => home.remove());

describe('OpenStack credentials', () => {
  it('reads the entry from ~/.config/openstack/clouds.yaml, with its region', () => {
    const found = openstackCredentials({ HOME: home.path }, 'ovh');
    expect(found).toMatchObject({ authUrl: 'https://auth.cloud.ovh.net/v3', regionName: 'GRA11', project: { name: '1234567890', domainName: 'Default' }, interface: 'public' });
    expect(found.secret).toEqual({ method: 'password', username: 'user-abc', password: 'pw-in-home-file', userDomainName: 'Default' });
    expect(found.source).toBe(`clouds.yaml entry "ovh" (${userFile})`);
  });

  it('OS_CLIENT_CONFIG_FILE comes first; OS_CLOUD names the entry; OS_REGION_NAME picks the region', () => {
    const found = openstackCredentials({ HOME: home.path, OS_CLIENT_CONFIG_FILE: explicit, OS_CLOUD: 'ovh', OS_REGION_NAME: 'DE1' });
    expect(found).toMatchObject({ authUrl: 'https://elsewhere.example/v3', project: { id: 'p-1' }, regionName: 'DE1' });
  });

  it('understands application credentials', () => {
    expect(openstackCredentials({ HOME: home.path }, 'infomaniak').secret).toEqual({ method: 'application_credential', id: 'app-id-1', secret: 'app-secret-1' });
  });

  it('names what an entry lacks', () => {
    expect(() => openstackCredentials({ HOME: home.path }, 'broken')).toThrow(/clouds.yaml entry "broken" \(.*\) has no password/);
  });

  it('takes a password from secure.yaml, or from OS_PASSWORD, when the entry has none', () => {
    const dirs = { home: join(home.path, 'secure-home'), cwd: join(home.path, 'secure-cwd') };
    mkdirSync(join(dirs.home, '.config/openstack'), { recursive: true });
    mkdirSync(dirs.cwd);
    writeFileSync(join(dirs.home, '.config/openstack/clouds.yaml'), 'clouds:\n  ovh:\n    auth:\n      auth_url: https://auth.cloud.ovh.net/v3\n      username: u\n      project_id: p-1\n');
    expect(() => openstackCredentials({}, 'ovh', dirs)).toThrow(/has no password/);
    expect(openstackCredentials({ OS_PASSWORD: 'pw-from-env' }, 'ovh', dirs).secret).toMatchObject({ password: 'pw-from-env' });
    writeFileSync(join(dirs.home, '.config/openstack/secure.yaml'), 'clouds:\n  ovh:\n    auth:\n      password: pw-from-secure\n');
    expect(openstackCredentials({ OS_PASSWORD: 'pw-from-env' }, 'ovh', dirs).secret).toMatchObject({ method: 'password', username: 'u', password: 'pw-from-secure' });
  });

  it('falls back to the OS_* variables, and names the unset ones without printing the set ones', () => {
    const env = { HOME: home.path, OS_AUTH_URL: 'https://k.example/v3', OS_USERNAME: 'u', OS_PASSWORD: 'pw-from-env', OS_PROJECT_NAME: 'p' };
    expect(openstackCredentials(env)).toMatchObject({ authUrl: 'https://k.example/v3', source: 'the OS_* variables', project: { name: 'p', domainName: 'Default' } });
    let message = '';
    try {
      openstackCredentials({ HOME: home.path, OS_AUTH_URL: 'https://k.example/v3', OS_PASSWORD: 'pw-from-env' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/OS_USERNAME, OS_PROJECT_NAME are not set/);
    expect(message).not.toContain('pw-from-env');
  });
});
