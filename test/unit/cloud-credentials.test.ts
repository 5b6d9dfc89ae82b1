// The credentials preflight of Hetzner Cloud and OpenStack stacks: what is missing is named with
// the fix, nothing is ever printed of a value, and a complete set passes without a request.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli.ts';
import { requireCloudCredentials, requireOpenstackCredentials } from '../../scripts/lib/cloud-credentials.ts';
import { cloudsYamlPaths } from '../../scripts/lib/clouds/openstack-credentials.ts';
import { tempDir } from '../helpers/tools.ts';

const hetzner = { cloud: 'hetzner', region: 'fsn1' } as const;
const messageOf = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('Hetzner Cloud credentials', () => {
  it('names HCLOUD_TOKEN and where to create one when it is missing or empty', () => {
    for (const env of [{}, { HCLOUD_TOKEN: '  ' }]) {
      const message = messageOf(() => requireCloudCredentials(hetzner, env));
      expect(message).toMatch(/^HCLOUD_TOKEN is not set/);
      expect(message).toMatch(/Security → API tokens/);
      expect(message).toMatch(/export HCLOUD_TOKEN=/);
    }
  });

  it('passes with a token and never repeats it', () => {
    expect(() => requireCloudCredentials(hetzner, { HCLOUD_TOKEN: 'secret-token-value' })).not.toThrow();
  });

  it('AWS stacks are not judged here (deploy asks STS)', () => {
    expect(() => requireCloudCredentials({ cloud: 'aws', region: 'eu-central-1' }, {})).not.toThrow();
  });
});

describe('OpenStack credentials', () => {
  const temp = tempDir();
  afterAll(() => temp.remove());
  const dir = temp.path;
  const file = join(dir, 'clouds.yaml');
  writeFileSync(file, 'clouds:\n  ovh-gra:\n    auth:\n      auth_url: https://auth.cloud.ovh.net/v3\n      password: hunter2-not-shown\n    region_name: GRA11\n');

  it('accepts the clouds.yaml entry named by openstack:cloud, or by OS_CLOUD', () => {
    expect(() => requireOpenstackCredentials('ovh-gra', {}, [file])).not.toThrow();
    expect(() => requireOpenstackCredentials(undefined, { OS_CLOUD: 'ovh-gra' }, [file])).not.toThrow();
  });

  it('names the entry it looked for, the entries it found and how to get clouds.yaml — never a password', () => {
    const message = messageOf(() => requireOpenstackCredentials('infomaniak', {}, [file]));
    expect(message).toMatch(/^openstack:cloud names "infomaniak", but no clouds.yaml has an entry of that name/);
    expect(message).toContain(`Entries found: ovh-gra (${file})`);
    expect(message).toMatch(/~\/\.config\/openstack\//);
    expect(message).not.toContain('hunter2');
    expect(messageOf(() => requireOpenstackCredentials(undefined, { OS_CLOUD: 'nope' }, [file]))).toMatch(/^OS_CLOUD is "nope"/);
  });

  it('reads only the first clouds.yaml that exists, as the provider, doctor and the API client do', () => {
    const first = join(dir, 'first-clouds.yaml');
    writeFileSync(first, 'clouds:\n  other:\n    auth:\n      auth_url: https://other.example/v3\n');
    const message = messageOf(() => requireOpenstackCredentials('ovh-gra', {}, [first, file]));
    expect(message).toMatch(new RegExp(`^openstack:cloud names "ovh-gra", but the clouds.yaml the OpenStack tools read, ${first}, has no entry of that name \\(${file} has one`));
    expect(() => requireOpenstackCredentials('ovh-gra', {}, [join(dir, 'absent.yaml'), file])).not.toThrow();
  });

  it('says when there is no clouds.yaml at all, and where it looked', () => {
    const message = messageOf(() => requireOpenstackCredentials('ovh-gra', {}, [join(dir, 'missing.yaml')]));
    expect(message).toContain(`No clouds.yaml was found (looked at ${join(dir, 'missing.yaml')})`);
  });

  it('without a clouds.yaml entry, names exactly the OS_* variables that are missing', () => {
    const base = { OS_AUTH_URL: 'https://keystone.example.net/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'proj' };
    expect(() => requireOpenstackCredentials(undefined, base, [])).not.toThrow();
    expect(messageOf(() => requireOpenstackCredentials(undefined, {}, []))).toMatch(/the OS_\* variables lack OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME\./);
    expect(messageOf(() => requireOpenstackCredentials(undefined, { ...base, OS_PASSWORD: '' }, []))).toMatch(/lack OS_PASSWORD\./);
    // An application credential needs no user name or project.
    expect(() => requireOpenstackCredentials(undefined, { OS_AUTH_URL: base.OS_AUTH_URL, OS_APPLICATION_CREDENTIAL_ID: 'id', OS_APPLICATION_CREDENTIAL_SECRET: 's' }, [])).not.toThrow();
    expect(messageOf(() => requireOpenstackCredentials(undefined, { OS_AUTH_URL: base.OS_AUTH_URL, OS_APPLICATION_CREDENTIAL_ID: 'id' }, []))).toMatch(/lack OS_APPLICATION_CREDENTIAL_SECRET\./);
    expect(messageOf(() => requireOpenstackCredentials(undefined, {}, []))).toMatch(/openrc/);
  });

  it('looks where the OpenStack clients look, OS_CLIENT_CONFIG_FILE first', () => {
    expect(cloudsYamlPaths({ OS_CLIENT_CONFIG_FILE: '/srv/ops/my.yaml', HOME: '/home/op' })).toEqual([
      '/srv/ops/my.yaml',
      `${process.cwd()}/clouds.yaml`,
      '/home/op/.config/openstack/clouds.yaml',
      '/etc/openstack/clouds.yaml',
    ]);
  });
});
