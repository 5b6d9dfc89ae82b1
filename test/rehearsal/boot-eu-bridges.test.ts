// The boot rehearsal of a videobridge on Hetzner Cloud and OpenStack: the bridge of the scalable
// stack boots from the user data deploy sends, and fetches the videobridges' XMPP password from
// the signaling node's bridge share over the private network; once up, its drain watcher follows
// the drain requests deploy leaves in that share, putting the videobridge in drain mode and out of
// it. The share is this test's own HTTP server on a Unix socket; the rehearsal carries the
// signaling node's private address and the share's port to it from the host's network. Boots run
// one after another (two cores).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_REQUESTS_FOLDER, DRAIN_REQUEST_POLL_SECONDS } from '../../infra/lifecycle.ts';
import { SIGNALING_PRIVATE_IP } from '../../infra/private-network.ts';
import { PORTS } from '../../infra/ports.ts';
import { HOST_SECRETS_DIR } from '../../infra/render/cloud-layer.ts';
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

const scalable = loadSpecOrThrow('Pulumi.example-scalable.yaml').spec;

const progress = (line: string) => process.stderr.write(`rehearsal: ${line}\n`);

/** The signaling node's bridge share as a bridge sees it: the password, drain requests by server id, and a record of what was asked. */
interface Share {
  socket: string;
  password: string;
  drainRequests: Map<string, string>;
  requests: { method: string; url: string }[];
  close(): Promise<void>;
}

async function startShare(): Promise<Share> {
  const dir = mkdtempSync(join(tmpdir(), 'jitsi-eu-bridge-share-'));
  const socket = join(dir, 'share.sock');
  const password = `share-jvb-${randomBytes(16).toString('hex')}`;
  const requests: Share['requests'] = [];
  const drainRequests = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    const request = drainRequests.get((req.url ?? '').slice(`/${DRAIN_REQUESTS_FOLDER}/`.length));
    if (req.method === 'GET' && req.url === '/jvb-password') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(password);
    } else if (req.method === 'GET' && req.url?.startsWith(`/${DRAIN_REQUESTS_FOLDER}/`) && request !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(request);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, resolve));
  return {
    socket,
    password,
    drainRequests,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    })),
  };
}

beforeAll(() => {
  checkRehearsalMachine();
  ensureRoot(rehearsalCacheDir(), debianMirror(), progress);
  ensureStandinRepo(rehearsalCacheDir(), scalable.jitsiVersion, progress);
}, 30 * 60_000);

for (const cloud of ['hetzner', 'openstack'] as const) {
  const spec = { ...scalable, ...PLACES[cloud], bridges: { ...scalable.bridges!, instanceType: cloud === 'hetzner' ? 'ccx33' : 'c2-15' } } as DeploymentSpec;
  describe(`videobridge of the scalable stack on ${cloud}`, () => {
    let r: Rehearsal;
    let share: Share;
    beforeAll(async () => {
      share = await startShare();
      r = await rehearse({
        spec,
        role: 'bridge',
        privateServices: [{ address: SIGNALING_PRIVATE_IP, port: PORTS.bridgeShare, socket: share.socket }],
        boundSeconds: BOOT_BOUND_SECONDS,
        progress,
      });
      progress(`${cloud} bridge: ${r.marker?.trim() ?? 'no marker'} after ${r.seconds.toFixed(0)}s (${r.phases.map((p) => `${p.phase} ${p.seconds ?? '-'}s`).join(', ')})`);
    }, HOOK_TIMEOUT);
    afterAll(async () => {
      await r?.host.stop();
      await share?.close();
    }, 60_000);

    it('writes the ready marker `ok` within the bound', () => {
      expect(r.marker, hostLogs(r.host).output.split('\n').slice(-30).join('\n')).toBe('ok\n');
    });

    it('asked the signaling node\'s share for jvb-password, and otherwise for its own drain request only', () => {
      const drainPoll = { method: 'GET', url: `/${DRAIN_REQUESTS_FOLDER}/${r.host.instanceId}` };
      expect(share.requests.filter((q) => q.url !== drainPoll.url)).toEqual([{ method: 'GET', url: '/jvb-password' }]);
      expect(share.requests.filter((q) => q.url === drainPoll.url).every((q) => q.method === 'GET')).toBe(true);
    });

    it('keeps the password the share served: 0600, root, in the secrets folder', () => {
      const file = join(r.host.root, HOST_SECRETS_DIR.slice(1), 'jvb-password');
      expect(readFileSync(file, 'utf8')).toBe(share.password);
      const stat = statSync(file);
      expect((stat.mode & 0o777).toString(8)).toBe('600');
      expect(stat.uid).toBe(0);
    });

    it('fills that password into the videobridge\'s XMPP login, with the signaling node as its XMPP server', () => {
      const jvb = readFileSync(join(r.host.root, 'etc/jitsi/videobridge/jvb.conf'), 'utf8');
      expect(jvb).toContain(`HOSTNAME = "${SIGNALING_PRIVATE_IP}"`);
      expect(jvb).toContain(`PASSWORD = "${share.password}"`);
    });

    it('has every rendered file of the role at its path, with its owner, mode and content', () => {
      const files = expectedFiles(spec, 'bridge', r.host, { [`${ssmPrefix(spec.stack)}jvb-password`]: share.password });
      expect(files.length).toBeGreaterThan(5);
      expect(fileProblems(r.host.root, files)).toEqual([]);
    });

    it('runs the videobridge, has the drain unit enabled, nothing failed, and no AWS agent or CLI', () => {
      for (const unit of expectedServices(spec, 'bridge')) {
        expect(r.host.exec(['systemctl', 'is-active', `${unit}.service`]).stdout.trim(), unit).toBe('active');
      }
      expect(r.host.exec(['systemctl', 'is-enabled', 'jitsi-eu-drain.service']).stdout.trim()).toBe('enabled');
      expect(r.host.exec(['systemctl', 'list-units', '--failed', '--plain', '--no-legend']).stdout.trim()).toBe('');
      for (const pkg of ['awscli', 'amazon-ssm-agent']) {
        expect(r.host.exec(['dpkg-query', '-W', '-f', '${Status}', pkg]).stdout, pkg).not.toBe('install ok installed');
      }
      expect(r.host.exec(['sh', '-c', 'command -v aws']).status).not.toBe(0);
      expect(hostLogs(r.host).output).not.toMatch(/\bSSM\b|amazonaws/);
    });

    it('puts its videobridge in drain mode while deploy asks it to drain, and out of it once the request is withdrawn', async () => {
      const drainMode = () => r.host.exec(['curl', '-fsS', '--max-time', '5', `http://127.0.0.1:${PORTS.jvbPrivateHttp}/colibri/drain`]).stdout.trim();
      const waitFor = async (state: string) => {
        // A few polls of the watcher, with room for a slow host.
        const end = Date.now() + 4 * DRAIN_REQUEST_POLL_SECONDS * 1000;
        while (drainMode() !== state && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 1000));
        return drainMode();
      };
      expect(drainMode()).toBe('{"drain":false}');
      share.drainRequests.set(r.host.instanceId, `${Math.floor(Date.now() / 1000) + 3600}\n`);
      expect(await waitFor('{"drain":true}')).toBe('{"drain":true}');
      share.drainRequests.delete(r.host.instanceId);
      expect(await waitFor('{"drain":false}')).toBe('{"drain":false}');
      const journal = r.host.exec(['journalctl', '-u', 'jitsi-eu-drain.service', '--no-pager', '-o', 'cat']).stdout;
      expect(journal).toContain('following drain requests for this bridge');
      expect(journal.split('\n').filter((l) => l.includes('drain requested: drain mode on'))).toHaveLength(1);
      expect(journal).toContain('drain request withdrawn or expired: drain mode off');
    }, 8 * DRAIN_REQUEST_POLL_SECONDS * 1000 + 30_000);

    it('leaves the password in no log: cloud-init\'s output, the journal, the console', () => {
      const { cloudInit, output } = hostLogs(r.host);
      const journal = r.host.exec(['journalctl', '-b', '--no-pager', '-o', 'cat']).stdout;
      expect(journal.length).toBeGreaterThan(1000);
      expect(r.host.console()).toContain('jitsi-eu: ready');
      expect(secretLeaks({ 'cloud-init.log': cloudInit, 'cloud-init-output.log': output, journal, console: r.host.console() }, [share.password])).toEqual([]);
    });
  });
}

describe('a videobridge on hetzner whose signaling node does not answer', () => {
  const TRIES = 3;
  const spec = { ...scalable, ...PLACES.hetzner, bridges: { ...scalable.bridges!, instanceType: 'ccx33' } } as DeploymentSpec;

  it(`stops at the secrets step after ${TRIES} tries, naming the share's address, and powers off`, async () => {
    // Nothing holds the signaling node's address: every try times out, as while it is down.
    const r = await rehearse({ spec, role: 'bridge', bootEnvironment: { JITSI_EU_BRIDGE_SHARE_TRIES: String(TRIES) }, boundSeconds: BOOT_BOUND_SECONDS, progress });
    try {
      progress(`hetzner bridge without a share: ${r.marker?.trim() ?? 'no marker'} after ${r.seconds.toFixed(0)}s`);
      const { output } = hostLogs(r.host);
      expect(r.marker, output.split('\n').slice(-30).join('\n')).toBe('failed: secrets\n');
      const url = `http://${SIGNALING_PRIVATE_IP}:${PORTS.bridgeShare}/`;
      expect(output).toContain(`FAILED: jvb-password could not be fetched from the signaling node at ${url} after ${TRIES} tries`);
      expect(output).toContain(`(try 1 of ${TRIES})`);
      // Each try is bounded (curl's 5 s, then a 5 s pause): from the first failed try to the verdict
      // takes at most the tries' worth of both.
      const at = (text: string) => Date.parse(output.split('\n').find((l) => l.includes(text))!.split(' ')[0]!);
      const waited = (at('FAILED: jvb-password') - at(`(try 1 of ${TRIES})`)) / 1000;
      progress(`waited ${waited}s for the share`);
      expect(waited).toBeLessThanOrEqual(TRIES * 10);
      expect(statSync(join(r.host.root, HOST_SECRETS_DIR.slice(1)), { throwIfNoEntry: false })?.isDirectory() ?? false).toBe(false);
      expect(await r.host.waitForExit(60)).toBe(true);
      expect(r.host.console()).toContain('powering off');
    } finally {
      await r.host.stop();
    }
  }, HOOK_TIMEOUT);
});
