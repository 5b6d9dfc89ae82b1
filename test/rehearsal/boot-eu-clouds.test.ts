// The boot rehearsal on Hetzner Cloud and OpenStack: the signaling node of a single-node stack
// boots from the user data deploy sends (the cloud-config text with the role's configuration
// archive), with that cloud's metadata stood in: Hetzner's metadata service at 169.254.169.254
// (cloud-init's own Hetzner data source reads the user data there), OpenStack's config drive as a
// disk labelled config-2 (user data and meta_data.json on it) with its metadata service behind.
// No parameter store: the host generates its secrets. Boots run one after another (two cores).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_SECRETS_DIR } from '../../infra/render/cloud-layer.ts';
import { jitsiHosts } from '../../infra/render/hosts.ts';
import { ssmPrefix } from '../../infra/secrets.ts';
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { checkRehearsalMachine } from '../../scripts/rehearse/host.ts';
import { ensureStandinRepo } from '../../scripts/rehearse/packages/repo.ts';
import { debianMirror, ensureRoot, rehearsalCacheDir } from '../../scripts/rehearse/root.ts';
import { type Rehearsal, hostLogs, rehearse } from '../../scripts/rehearse/run.ts';
import { expectedFiles, expectedServices, fileProblems, secretLeaks } from '../helpers/rehearsal/host-checks.ts';
import { PLACES } from '../helpers/rehearsal/places.ts';

const BOOT_BOUND_SECONDS = 420;
const HOOK_TIMEOUT = (BOOT_BOUND_SECONDS + 120) * 1000;

const production = loadSpecOrThrow('Pulumi.example-production.yaml').spec;

const progress = (line: string) => process.stderr.write(`rehearsal: ${line}\n`);

beforeAll(() => {
  checkRehearsalMachine();
  ensureRoot(rehearsalCacheDir(), debianMirror(), progress);
  ensureStandinRepo(rehearsalCacheDir(), production.jitsiVersion, progress);
}, 30 * 60_000);

/** The secrets the host generated, by name, read from its disk. */
function hostSecrets(r: Rehearsal): Record<string, string> {
  const dir = join(r.host.root, HOST_SECRETS_DIR.slice(1));
  return Object.fromEntries(readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile()).map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

for (const cloud of ['hetzner', 'openstack'] as const) {
  const spec = { ...production, ...PLACES[cloud] } as DeploymentSpec;
  describe(`signaling node of a single-node stack on ${cloud}`, () => {
    let r: Rehearsal;
    beforeAll(async () => {
      r = await rehearse({ spec, role: 'signaling', boundSeconds: BOOT_BOUND_SECONDS, progress });
      progress(`${cloud} signaling: ${r.marker?.trim() ?? 'no marker'} after ${r.seconds.toFixed(0)}s (${r.phases.map((p) => `${p.phase} ${p.seconds ?? '-'}s`).join(', ')})`);
    }, HOOK_TIMEOUT);
    afterAll(async () => r?.host.stop(), 60_000);

    it('writes the ready marker `ok` within the bound', () => {
      expect(r.marker, hostLogs(r.host).output.split('\n').slice(-30).join('\n')).toBe('ok\n');
    });

    it('generated the service secrets on the host: 0600 files in a 0700 folder, owned by root', () => {
      const dir = join(r.host.root, HOST_SECRETS_DIR.slice(1));
      expect((statSync(dir).mode & 0o777).toString(8)).toBe('700');
      const secrets = hostSecrets(r);
      expect(Object.keys(secrets).sort()).toEqual(expect.arrayContaining(['focus-password', 'jvb-password', 'host-password', ...(spec.turn ? ['turn-secret'] : [])]));
      for (const name of Object.keys(secrets)) {
        const stat = statSync(join(dir, name));
        expect((stat.mode & 0o777).toString(8), name).toBe('600');
        expect(stat.uid, name).toBe(0);
      }
      expect(secrets['focus-password']).toMatch(/^[0-9a-f]{48}$/);
    });

    it('has every rendered file of the role at its path, with its owner, mode and content, the generated secrets filled in', () => {
      const parameters = Object.fromEntries(Object.entries(hostSecrets(r)).map(([n, v]) => [`${ssmPrefix(spec.stack)}${n}`, v]));
      const files = expectedFiles(spec, 'signaling', r.host, parameters);
      expect(files.length).toBeGreaterThan(8);
      expect(fileProblems(r.host.root, files)).toEqual([]);
    });

    it('runs every service of the role, nothing failed, and has no AWS agent or CLI', () => {
      for (const unit of expectedServices(spec, 'signaling')) {
        expect(r.host.exec(['systemctl', 'is-active', `${unit}.service`]).stdout.trim(), unit).toBe('active');
      }
      const failed = r.host.exec(['systemctl', 'list-units', '--failed', '--plain', '--no-legend']).stdout.trim();
      expect(failed).toBe('');
      for (const pkg of ['awscli', 'amazon-ssm-agent']) {
        expect(r.host.exec(['dpkg-query', '-W', '-f', '${Status}', pkg]).stdout, pkg).not.toBe('install ok installed');
      }
    });

    it('leaves no secret value in cloud-init\'s output, the journal or the console', () => {
      const values = Object.values(hostSecrets(r));
      expect(values.length).toBeGreaterThan(2);
      const { cloudInit, output } = hostLogs(r.host);
      const journal = r.host.exec(['journalctl', '-b', '--no-pager', '-o', 'cat']).stdout;
      expect(journal.length).toBeGreaterThan(1000);
      expect(r.host.console()).toContain('jitsi-eu: ready');
      expect(secretLeaks({ 'cloud-init.log': cloudInit, 'cloud-init-output.log': output, journal, console: r.host.console() }, values)).toEqual([]);
      expect(output).toContain('generated the secret focus-password on this host');
    });

    it('serves the site over nginx and accepts its configuration', () => {
      const nginx = r.host.exec(['nginx', '-t']);
      expect(nginx.status, nginx.stderr).toBe(0);
      const page = r.host.exec(['curl', '-sk', '--resolve', `${spec.domain}:443:127.0.0.1`, '-o', '/dev/null', '-w', '%{http_code}', `https://${spec.domain}/`]);
      expect(page.stdout).toBe('200');
      const ready = r.host.exec(['curl', '-sk', '--resolve', `${spec.domain}:443:127.0.0.1`, `https://${spec.domain}/_jitsi-eu/ready`]);
      expect(ready.stdout).toBe('ok\n');
    });

    it('has Prosody\'s focus and jvb accounts on the auth domain', () => {
      const auth = jitsiHosts(spec).auth.replace(/[^a-zA-Z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
      const accounts = readdirSync(join(r.host.root, 'var/lib/prosody', auth, 'accounts')).sort();
      expect(accounts).toEqual(expect.arrayContaining(['focus.dat', 'jvb.dat']));
    });

    it('read its public address from the cloud\'s metadata into the videobridge\'s mapping', () => {
      const jvb = readFileSync(join(r.host.root, 'etc/jitsi/videobridge/jvb.conf'), 'utf8');
      expect(jvb).toContain(r.host.publicIp);
      expect(jvb).toContain('10.0.0.10');
    });

    if (cloud === 'hetzner') {
      it('took its user data from cloud-init\'s Hetzner data source, read from the metadata service without a seed or DHCP', async () => {
        const cat = (path: string) => r.host.exec(['cat', path]).stdout;
        expect(r.host.exec(['cloud-id']).stdout.trim()).toBe('hetzner');
        const v1 = (JSON.parse(cat('/run/cloud-init/instance-data.json')) as { v1: Record<string, unknown> }).v1;
        expect(v1).toMatchObject({ platform: 'hetzner', cloud_name: 'hetzner', instance_id: r.host.instanceId, subplatform: 'metadata (http://169.254.169.254/hetzner/v1/metadata)' });
        expect((JSON.parse(cat('/run/cloud-init/status.json')) as { v1: { datasource: string } }).v1.datasource).toMatch(/^DataSourceHetzner/);
        expect(readFileSync(join(r.host.root, 'var/lib/cloud/instances', r.host.instanceId, 'user-data.txt'))).toEqual(r.host.userData);
        expect(existsSync(join(r.host.root, 'var/lib/cloud/seed/nocloud'))).toBe(false);
        // Its connectivity check first (so no DHCP is tried), then the document and the user data.
        const asked = (await r.host.metadataRequests()).map((q) => `${q.method} ${q.path}`);
        expect(asked.slice(0, 3)).toEqual(['GET /hetzner/v1/metadata/instance-id', 'GET /hetzner/v1/metadata', 'GET /hetzner/v1/userdata']);
        const { cloudInit } = hostLogs(r.host);
        expect(cloudInit).toContain('Skip ephemeral DHCP setup, instance has connectivity');
        expect(cloudInit).toContain(`Running on Hetzner Cloud: serial=${r.host.instanceId}`);
      });
    }

    if (cloud === 'openstack') {
      it('took its user data from the config drive as a disk labelled config-2, not from a seed folder', () => {
        const cat = (path: string) => r.host.exec(['cat', path]).stdout;
        expect(r.host.exec(['cloud-id']).stdout.trim()).toBe('configdrive');
        const datasource = (JSON.parse(cat('/run/cloud-init/status.json')) as { v1: { datasource: string } }).v1.datasource;
        const device = /^DataSourceConfigDrive \[net,ver=2\]\[source=(\/dev\/loop\d+)\]$/.exec(datasource)?.[1];
        expect(device, datasource).toBeDefined();
        const v1 = (JSON.parse(cat('/run/cloud-init/instance-data.json')) as { v1: Record<string, unknown> }).v1;
        expect(v1).toMatchObject({ platform: 'configdrive', instance_id: r.host.instanceId, subplatform: `config-disk (${device})` });
        const probe = r.host.exec(['blkid', '-o', 'export', device!]);
        expect(probe.stdout).toContain('LABEL=config-2');
        expect(readFileSync(join(r.host.root, 'var/lib/cloud/instances', r.host.instanceId, 'user-data.txt'))).toEqual(r.host.userData);
        expect(existsSync(join(r.host.root, 'var/lib/cloud/seed/config_drive'))).toBe(false);
      });
    }

    it('lets only root reach the metadata service', () => {
      const path = cloud === 'hetzner' ? 'hetzner/v1/metadata/instance-id' : 'openstack/latest/meta_data.json';
      const asRoot = r.host.exec(['curl', '-fsS', '--max-time', '5', `http://169.254.169.254/${path}`]);
      expect(asRoot.status, asRoot.stderr).toBe(0);
      expect(asRoot.stdout).toContain(r.host.instanceId);
      const asNobody = r.host.exec(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'curl', '-fsS', '--max-time', '5', `http://169.254.169.254/${path}`]);
      expect(asNobody.status).not.toBe(0);
    });
  });
}
