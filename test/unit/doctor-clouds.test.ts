// npm run doctor for Hetzner Cloud and OpenStack stacks: the credentials each cloud needs,
// every missing piece named with its fix, nothing asked of AWS or of the provider, and no token,
// password or secret ever printed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { doctorMain } from '../../scripts/doctor/main.ts';
import { openstackCredentials } from '../../scripts/lib/clouds/openstack-credentials.ts';
import { tempDir } from '../helpers/tools.ts';

interface Item {
  id: string;
  status: 'ok' | 'missing' | 'unknown';
  detail: string;
  fix?: string[];
}

const scratch = tempDir('jitsi-eu-doctor-clouds-');
afterAll(() => scratch.remove());
const FAKE_PULUMI_BIN = join(PROJECT_DIR, 'test/fixtures/fake-pulumi/bin');
const BASE_ENV = { PATH: FAKE_PULUMI_BIN, PULUMI_CONFIG_PASSPHRASE: 'test-passphrase', NO_COLOR: '1' };
const HETZNER_STACK = join(PROJECT_DIR, 'Pulumi.example-hetzner.yaml');
const OPENSTACK_STACK = join(PROJECT_DIR, 'Pulumi.example-openstack.yaml');

let dirs = 0;
/** A fresh home and working directory, so no clouds.yaml of the machine's is found. */
function freshPaths(): { home: string; cwd: string } {
  dirs += 1;
  const home = join(scratch.path, `home-${dirs}`);
  const cwd = join(scratch.path, `cwd-${dirs}`);
  mkdirSync(join(home, '.config/openstack'), { recursive: true });
  mkdirSync(cwd);
  return { home, cwd };
}

async function doctor(args: string[], env: Record<string, string>, paths = freshPaths()) {
  let text = '';
  const code = await doctorMain([...args, '--json'], { env: { ...BASE_ENV, ...env }, out: (t) => (text += t), paths });
  const json = JSON.parse(text) as { ok: boolean; cloud: string; items: Item[] };
  return { code, json, text, item: (id: string) => json.items.find((i) => i.id === id)! };
}

describe('doctor on Hetzner Cloud', () => {
  it('names the missing HCLOUD_TOKEN with the fix, and asks nothing of AWS', async () => {
    const { code, json, item } = await doctor(['--config', HETZNER_STACK], {});
    expect(code).toBe(1);
    expect(json.cloud).toBe('hetzner');
    expect(item('hcloud-token')).toMatchObject({ status: 'missing', detail: 'HCLOUD_TOKEN is not set' });
    expect(item('hcloud-token').fix!.join('\n')).toMatch(/Hetzner Console: your project → Security → API tokens/);
    expect(json.items.map((i) => i.id).filter((id) => id.startsWith('aws') || id === 'session-manager-plugin' || id === 'dns-zone')).toEqual([]);
    expect(item('passphrase').status).toBe('ok');
  });

  it('accepts a token of the right shape without printing it', async () => {
    const token = 'Q7'.repeat(32);
    const { item, text } = await doctor(['--cloud', 'hetzner'], { HCLOUD_TOKEN: token });
    expect(item('hcloud-token')).toMatchObject({ status: 'ok', detail: 'HCLOUD_TOKEN is set (64 characters)' });
    expect(text).not.toContain(token);
  });

  it('refuses a value that is not a token, and a token left in plain text in the stack file, never printing either', async () => {
    const wrong = await doctor(['--cloud', 'hetzner'], { HCLOUD_TOKEN: 'paste-error-SECRETISH' });
    expect(wrong.item('hcloud-token')).toMatchObject({ status: 'missing', detail: expect.stringMatching(/is not a Hetzner Cloud API token \(21 characters/) });
    expect(wrong.text).not.toContain('SECRETISH');

    const file = join(scratch.path, 'Pulumi.plain-token.yaml');
    const token = 'Z9'.repeat(32);
    writeFileSync(file, `config:\n  jitsi-eu:cloud: hetzner\n  hcloud:token: ${token}\n`);
    const plain = await doctor(['--config', file], {});
    expect(plain.item('hcloud-token')).toMatchObject({ status: 'missing', detail: 'hcloud:token is in the stack file in plain text' });
    expect(plain.json.cloud).toBe('hetzner');
    expect(plain.text).not.toContain(token);
  });
});

describe('doctor on OpenStack', () => {
  it('says where it looked when the clouds.yaml entry the stack names is nowhere', async () => {
    const paths = freshPaths();
    const { item, json } = await doctor(['--config', OPENSTACK_STACK], {}, paths);
    expect(json.cloud).toBe('openstack');
    expect(item('openstack-credentials').status).toBe('missing');
    expect(item('openstack-credentials').detail).toContain('names the clouds.yaml entry "ovh", but there is no clouds.yaml');
    expect(item('openstack-credentials').detail).toContain(join(paths.home, '.config/openstack/clouds.yaml'));
  });

  it('reads the entry, takes the password from secure.yaml beside it, and prints neither', async () => {
    const paths = freshPaths();
    const dir = join(paths.home, '.config/openstack');
    writeFileSync(join(dir, 'clouds.yaml'), [
      'clouds:',
      '  ovh:',
      '    auth:',
      '      auth_url: https://auth.cloud.ovh.net/v3',
      '      username: user-AbCdEf',
      '      project_id: 0123456789abcdef0123456789abcdef',
      '      user_domain_name: Default',
      '    region_name: GRA11',
      '',
    ].join('\n'));
    const lacking = await doctor(['--config', OPENSTACK_STACK], {}, paths);
    expect(lacking.item('openstack-credentials')).toMatchObject({ status: 'missing', detail: expect.stringMatching(/entry "ovh" in .*clouds\.yaml lacks password$/) });

    writeFileSync(join(dir, 'secure.yaml'), 'clouds:\n  ovh:\n    auth:\n      password: hunter2-SECRET-password\n');
    const found = await doctor(['--config', OPENSTACK_STACK], {}, paths);
    expect(found.item('openstack-credentials')).toMatchObject({ status: 'ok', detail: expect.stringContaining('(https://auth.cloud.ovh.net/v3)') });
    expect(found.text).not.toContain('hunter2');
  });

  it('finds the same clouds.yaml as the OpenStack client: the first that exists, even when the entry is only in a later one', async () => {
    const paths = freshPaths();
    const entry = (authUrl: string) => `clouds:\n  ovh:\n    auth:\n      auth_url: ${authUrl}\n      application_credential_id: app-1\n      application_credential_secret: app-SECRET-1\n`;
    const inHome = join(paths.home, '.config/openstack/clouds.yaml');
    const inCwd = join(paths.cwd, 'clouds.yaml');
    writeFileSync(inHome, entry('https://home.example/v3'));
    writeFileSync(inCwd, entry('https://cwd.example/v3'));
    const both = await doctor(['--config', OPENSTACK_STACK], {}, paths);
    expect(both.item('openstack-credentials').detail).toBe(`clouds.yaml entry "ovh" in ${inCwd} (https://cwd.example/v3)`);
    expect(openstackCredentials({ HOME: paths.home }, 'ovh', paths)).toMatchObject({ authUrl: 'https://cwd.example/v3', source: `clouds.yaml entry "ovh" (${inCwd})` });

    // ./clouds.yaml exists but lacks the entry: the provider stops there, and so do both.
    writeFileSync(inCwd, 'clouds:\n  infomaniak:\n    auth:\n      auth_url: https://other.example/v3\n');
    const shadowed = await doctor(['--config', OPENSTACK_STACK], {}, paths);
    expect(shadowed.item('openstack-credentials')).toMatchObject({ status: 'missing', detail: `${inCwd} has no entry "ovh" (it has infomaniak)` });
    expect(() => openstackCredentials({ HOME: paths.home }, 'ovh', paths)).toThrow(`no clouds.yaml entry "ovh": looked in ${inCwd}, which has infomaniak`);
    expect(shadowed.text).not.toContain('app-SECRET-1');
  });

  it('names every OS_* variable an openrc would set that is missing, and accepts an application credential', async () => {
    const none = await doctor(['--cloud', 'openstack'], {});
    expect(none.item('openstack-credentials').detail).toBe(
      'no openstack:cloud in the stack and no OS_CLOUD; of the OS_* variables, missing: OS_AUTH_URL, OS_USERNAME (or OS_USER_ID), OS_PASSWORD, OS_PROJECT_ID (or OS_PROJECT_NAME)',
    );
    const partial = await doctor(['--cloud', 'openstack'], { OS_AUTH_URL: 'https://keystone.example.org:5000/v3', OS_USERNAME: 'jitsi', OS_PASSWORD: 'pw-SECRET', OS_PROJECT_NAME: 'meetings' });
    expect(partial.item('openstack-credentials').detail).toMatch(/missing: OS_USER_DOMAIN_NAME \(usually Default\), OS_PROJECT_DOMAIN_NAME \(usually Default\)$/);
    expect(partial.text).not.toContain('pw-SECRET');

    const appCredential = await doctor(['--cloud', 'openstack'], {
      OS_AUTH_URL: 'https://keystone.example.org:5000/v3',
      OS_AUTH_TYPE: 'v3applicationcredential',
      OS_APPLICATION_CREDENTIAL_ID: 'a1b2c3',
      OS_APPLICATION_CREDENTIAL_SECRET: 'app-SECRET-value',
    });
    expect(appCredential.item('openstack-credentials')).toMatchObject({ status: 'ok', detail: 'OS_* variables (https://keystone.example.org:5000/v3)' });
    expect(appCredential.text).not.toContain('app-SECRET-value');
  });

  it('refuses an unknown --cloud as a usage error', async () => {
    await expect(doctorMain(['--cloud', 'azure'], { env: BASE_ENV, out: () => {} })).rejects.toThrow(/--cloud "azure": use one of aws, hetzner, openstack/);
  });
});
