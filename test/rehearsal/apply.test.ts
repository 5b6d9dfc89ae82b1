// Configuration applied in place, for real: the signaling host boots from the bootstrap user data
// with its bundle from moto's S3 (as on EC2), then a configuration change is delivered (a new
// archive and pointer) and applied by the very agent the host runs, invoked inside the host as
// SSM Run Command does, while an XMPP client stays connected over WebSocket through nginx and
// BOSH and WebSocket keep answering. Afterwards the files are the new bundle's, the revision is
// recorded, only the units the change concerns were reloaded, and the machine is the same one.
// A bridge of the pool runs the same agent: with nothing to do it leaves the bridge alone; a new
// value of a secret the bridge uses restarts its videobridge and nothing else.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBundle } from '../../infra/render/bundle.ts';
import { AGENT_PATH } from '../../infra/render/delivery.ts';
import { BOSH_URL_PATH, XMPP_WEBSOCKET_URL_PATH } from '../../infra/privacy/settings/web.ts';
import { ssmParameterName } from '../../infra/secrets.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import type { RehearsalHost } from '../../scripts/rehearse/host.ts';
import { ensureStandinRepo } from '../../scripts/rehearse/packages/repo.ts';
import { debianMirror, ensureRoot, rehearsalCacheDir } from '../../scripts/rehearse/root.ts';
import { type Rehearsal, rehearse } from '../../scripts/rehearse/run.ts';
import { rehearsalArchive, rehearsalDelivery } from '../../scripts/rehearse/user-data.ts';
import { bundleRevision } from '../../scripts/status/revision.ts';
import { expectedFiles, fileProblems } from '../helpers/rehearsal/host-checks.ts';
import { type XmlElement, type XmppClient, loadXmpp, withoutStreamManagement } from '../helpers/xmpp.ts';

const BOOT_BOUND_SECONDS = 420;
const production = loadSpecOrThrow('Pulumi.example-production.yaml').spec;
/** A change of the lobby (Prosody's configuration) and of the notice's organisation (served from disk). */
const changed: DeploymentSpec = { ...production, lobby: !production.lobby, organization: 'Another Example University' };
/** Then a change of the sites that may embed the meetings (nginx's site). */
const embedded: DeploymentSpec = { ...changed, embedOrigins: ['https://lms.example.org'] };
/** Then TURN switched off, and on again. */
const withoutTurn: DeploymentSpec = { ...embedded, turn: false };
const UNITS = ['prosody', 'nginx', 'jicofo', 'jitsi-videobridge2', 'coturn'];

const progress = (line: string) => process.stderr.write(`rehearsal: ${line}\n`);

interface ApplyAnswer {
  revision: string;
  role: string;
  changed: string[];
  services: { unit: string; action: string }[];
  unchanged: boolean;
}

async function applyOnHost(host: RehearsalHost): Promise<ApplyAnswer> {
  const result = await host.run([AGENT_PATH, '--json']);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ApplyAnswer;
}

/** Main PID and start time of each unit: a restart changes both, a reload neither. */
function unitStates(host: RehearsalHost): Record<string, string> {
  return Object.fromEntries(UNITS.map((unit) => [unit, host.exec(['systemctl', 'show', '-P', 'MainPID,ActiveEnterTimestamp', `${unit}.service`]).stdout.trim()]));
}

/** The modules Prosody has loaded on a host now, from its admin shell. */
const prosodyModules = (host: RehearsalHost, xmppHost: string) =>
  host.exec(['prosodyctl', 'shell', `module:list('${xmppHost}')`]).stdout.split('\n').map((l) => l.trim()).filter((l) => /^[a-z_0-9]+$/.test(l));

const reloadsOf = (host: RehearsalHost, unit: string) =>
  host.exec(['journalctl', '-u', `${unit}.service`, '--no-pager', '-o', 'cat']).stdout.split('\n').filter((line) => /^Reloaded /.test(line)).length;

/** Reaches the host's nginx under the site's name at the host's private address, trusting its stand-in certificate. */
function siteOptions(host: RehearsalHost) {
  return {
    rejectUnauthorized: false,
    servername: production.domain,
    lookup: ((_name, options, callback) =>
      options?.all ? callback(null, [{ address: host.privateIp, family: 4 }]) : callback(null, host.privateIp, 4)) as LookupFunction,
  };
}

function boshAnswers(host: RehearsalHost): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`https://${production.domain}${BOSH_URL_PATH}`, { ...siteOptions(host), timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function websocketOpens(host: RehearsalHost): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`wss://${production.domain}${XMPP_WEBSOCKET_URL_PATH}`, ['xmpp'], { ...siteOptions(host), handshakeTimeout: 3000 });
    ws.on('open', () => {
      ws.close();
      resolve(true);
    });
    ws.on('error', () => resolve(false));
  });
}

/** Probes BOSH and a fresh WebSocket every 200 ms until stopped; returns every failure seen. */
function probeWhile(host: RehearsalHost): { stop: () => Promise<{ probes: number; failures: string[] }> } {
  let running = true;
  const failures: string[] = [];
  let probes = 0;
  const loop = (async () => {
    while (running) {
      const [bosh, ws] = await Promise.all([boshAnswers(host), websocketOpens(host)]);
      probes++;
      if (bosh !== 200) failures.push(`BOSH answered ${bosh}`);
      if (!ws) failures.push('WebSocket did not open');
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { stop: async () => { running = false; await loop; return { probes, failures }; } };
}

beforeAll(() => {
  ensureRoot(rehearsalCacheDir(), debianMirror(), progress);
  ensureStandinRepo(rehearsalCacheDir(), production.jitsiVersion, progress);
}, 30 * 60_000);

describe('configuration applied in place on the signaling host (Pulumi.example-production.yaml)', () => {
  let r: Rehearsal;
  let client: XmppClient | undefined;
  let ping: () => Promise<XmlElement>;
  const events: string[] = [];
  beforeAll(async () => {
    r = await rehearse({ spec: production, role: 'signaling', boundSeconds: BOOT_BOUND_SECONDS, progress });
    progress(`apply host: ${r.marker?.trim()} after ${r.seconds.toFixed(0)}s`);
  }, (BOOT_BOUND_SECONDS + 120) * 1000);
  afterAll(async () => {
    await client?.stop().catch(() => {});
    await r?.host.stop();
  }, 60_000);

  it('boots from the bootstrap with the bundle fetched by the agent, and records its revision', () => {
    expect(r.marker).toBe('ok\n');
    expect(readFileSync(join(r.host.root, 'etc/jitsi-eu/revision'), 'utf8').trim()).toBe(bundleRevision(renderBundle(production), 'signaling'));
    expect(fileProblems(r.host.root, expectedFiles(production, 'signaling', r.host, r.parameters))).toEqual([]);
  });

  it('changes nothing and restarts nothing when run again with the same bundle', async () => {
    const before = unitStates(r.host);
    const reloads = reloadsOf(r.host, 'prosody');
    const answer = await applyOnHost(r.host);
    expect(answer).toEqual({ revision: bundleRevision(renderBundle(production), 'signaling'), role: 'signaling', changed: [], services: [], unchanged: true });
    expect(unitStates(r.host)).toEqual(before);
    expect(reloadsOf(r.host, 'prosody')).toBe(reloads);
  }, 120_000);

  it('applies a delivered change while an XMPP client stays connected and BOSH and WebSocket keep answering; only Prosody reloads', async () => {
    const { host } = r;
    // An XMPP client of the site, logged in over WebSocket through nginx.
    (globalThis as { WebSocket?: unknown }).WebSocket = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, siteOptions(host));
      }
    };
    const xmpp = await loadXmpp();
    const password = r.parameters[ssmParameterName(production.stack, 'host-password')]!;
    client = withoutStreamManagement(xmpp.client({ service: `wss://${production.domain}${XMPP_WEBSOCKET_URL_PATH}`, domain: production.domain, username: 'host', password }));
    const emitter = client as unknown as { on(event: string, listener: (...args: unknown[]) => void): void };
    for (const event of ['offline', 'disconnect']) emitter.on(event, () => events.push(event));
    client.on('error', (error) => events.push(`error ${error.message}`));
    await client.start();
    client.reconnect.stop();
    ping = () => client!.iqCaller.request(xmpp.xml('iq', { type: 'get', to: production.domain }, xmpp.xml('ping', { xmlns: 'urn:xmpp:ping' })), 5000);
    await ping();

    const machineId = host.exec(['cat', '/etc/machine-id']).stdout;
    const bootId = host.exec(['cat', '/proc/sys/kernel/random/boot_id']).stdout;
    const before = unitStates(host);
    const reloads = reloadsOf(host, 'prosody');

    const conference = `conference.${production.domain}`;
    expect(prosodyModules(host, conference)).toContain('lobby_for_every_room');
    const archive = rehearsalArchive(changed, 'signaling');
    await host.deliver(rehearsalDelivery(changed, archive));
    const probes = probeWhile(host);
    const answer = await applyOnHost(host);
    const seen = await probes.stop();

    expect(answer.revision).toBe(archive.revision);
    expect(answer.unchanged).toBe(false);
    expect(answer.services).toEqual([{ unit: 'prosody.service', action: 'reload' }]);
    expect(answer.changed).toEqual(expect.arrayContaining([`/etc/prosody/conf.d/${production.domain}.cfg.lua`, '/usr/share/jitsi-eu/www/privacy.html']));
    expect(seen.probes).toBeGreaterThan(0);
    expect(seen.failures).toEqual([]);
    // The client never noticed: still online, and the server still answers it.
    const pong = await ping();
    expect(pong.attrs.type).toBe('result');
    expect(events).toEqual([]);
    // The lobby's modules are gone from the running Prosody (a reload alone keeps them loaded).
    expect(prosodyModules(host, conference)).not.toContain('lobby_for_every_room');
    expect(prosodyModules(host, production.domain)).not.toContain('persistent_lobby');
    expect(prosodyModules(host, production.domain)).toContain('bosh');
    // Prosody was reloaded (not restarted); nothing else was touched.
    expect(reloadsOf(host, 'prosody')).toBe(reloads + 1);
    expect(unitStates(host)).toEqual(before);
    // The host's files are the new bundle's, its revision is recorded, and it is the same machine.
    expect(fileProblems(host.root, expectedFiles(changed, 'signaling', host, r.parameters))).toEqual([]);
    expect(readFileSync(join(host.root, 'etc/jitsi-eu/revision'), 'utf8').trim()).toBe(bundleRevision(renderBundle(changed), 'signaling'));
    expect(host.exec(['cat', '/etc/machine-id']).stdout).toBe(machineId);
    expect(host.exec(['cat', '/proc/sys/kernel/random/boot_id']).stdout).toBe(bootId);
    progress(`applied ${archive.revision} with ${seen.probes} BOSH/WebSocket probes meanwhile`);

    // And a second run of the same revision changes nothing.
    const again = await applyOnHost(host);
    expect(again).toMatchObject({ revision: archive.revision, changed: [], services: [], unchanged: true });
  }, 300_000);

  it('reloads only nginx for a change of its site; the WebSocket client stays connected through the old worker', async () => {
    const { host } = r;
    expect(client, 'the client of the previous test').toBeDefined();
    const before = unitStates(host);
    const nginxReloads = reloadsOf(host, 'nginx');
    const archive = rehearsalArchive(embedded, 'signaling');
    await host.deliver(rehearsalDelivery(embedded, archive));
    const probes = probeWhile(host);
    const answer = await applyOnHost(host);
    const seen = await probes.stop();
    expect(answer.services).toEqual([{ unit: 'nginx.service', action: 'reload' }]);
    expect(answer.changed).toContain(`/etc/nginx/sites-available/${production.domain}.conf`);
    expect(seen.failures).toEqual([]);
    expect((await ping()).attrs.type).toBe('result');
    expect(events).toEqual([]);
    expect(reloadsOf(host, 'nginx')).toBe(nginxReloads + 1);
    // A reload keeps nginx's master process; no other unit moved.
    expect(unitStates(host)).toEqual(before);
    expect(fileProblems(host.root, expectedFiles(embedded, 'signaling', host, r.parameters))).toEqual([]);
    const site = readFileSync(join(host.root, `etc/nginx/sites-available/${production.domain}.conf`), 'utf8');
    expect(site).toContain('https://lms.example.org');
  }, 300_000);

  it('stops and disables coturn when TURN is switched off, and enables and starts it again when it comes back', async () => {
    const { host } = r;
    expect(production.turn, 'the example runs its own TURN').toBe(true);
    const state = () => ({
      enabled: host.exec(['systemctl', 'is-enabled', 'coturn.service']).stdout.trim(),
      active: host.exec(['systemctl', 'is-active', 'coturn.service']).stdout.trim(),
    });
    expect(state()).toEqual({ enabled: 'enabled', active: 'active' });

    const off = rehearsalArchive(withoutTurn, 'signaling');
    await host.deliver(rehearsalDelivery(withoutTurn, off));
    const stopped = await applyOnHost(host);
    expect(stopped.services).toEqual(expect.arrayContaining([{ unit: 'coturn.service', action: 'stop' }, { unit: 'prosody.service', action: 'reload' }]));
    expect(stopped.changed).toContain('/etc/turnserver.conf');
    expect(state()).toEqual({ enabled: 'disabled', active: 'inactive' });
    expect(fileProblems(host.root, expectedFiles(withoutTurn, 'signaling', host, r.parameters))).toEqual([]);

    const on = rehearsalArchive(embedded, 'signaling');
    await host.deliver(rehearsalDelivery(embedded, on));
    const started = await applyOnHost(host);
    expect(started.services).toEqual(expect.arrayContaining([{ unit: 'coturn.service', action: 'restart' }, { unit: 'prosody.service', action: 'reload' }]));
    // Running now, and at the next boot too; it reads the key through the certificate group.
    expect(state()).toEqual({ enabled: 'enabled', active: 'active' });
    expect(host.exec(['id', '-nG', 'turnserver']).stdout.split(/\s+/)).toContain('ssl-cert');
    expect(fileProblems(host.root, expectedFiles(embedded, 'signaling', host, r.parameters))).toEqual([]);
    // Prosody only reloaded: the client of the first change is still there.
    expect((await ping()).attrs.type).toBe('result');
    expect(events).toEqual([]);
  }, 300_000);
});

describe('the agent run again on a bridge of the pool (Pulumi.example-scalable.yaml)', () => {
  const scalable = loadSpecOrThrow('Pulumi.example-scalable.yaml').spec;
  const jvbConf = 'etc/jitsi/videobridge/jvb.conf';
  const videobridge = (host: RehearsalHost) => host.exec(['systemctl', 'show', '-P', 'MainPID,ActiveEnterTimestamp', 'jitsi-videobridge2.service']).stdout.trim();
  let r: Rehearsal;
  beforeAll(async () => {
    r = await rehearse({ spec: scalable, role: 'bridge', boundSeconds: BOOT_BOUND_SECONDS, progress });
  }, (BOOT_BOUND_SECONDS + 120) * 1000);
  afterAll(async () => {
    await r?.host.stop();
  }, 60_000);

  it('changes nothing and leaves the videobridge running when nothing changed (what rotate asks of bridges for secrets they do not use)', async () => {
    expect(r.marker).toBe('ok\n');
    const before = videobridge(r.host);
    const answer = await applyOnHost(r.host);
    expect(answer).toEqual({ revision: bundleRevision(renderBundle(scalable), 'bridge'), role: 'bridge', changed: [], services: [], unchanged: true });
    expect(videobridge(r.host)).toBe(before);
  }, 120_000);

  it('notices a new value of a secret it uses: the filled file changes and only the videobridge restarts', async () => {
    const { host } = r;
    const name = ssmParameterName(scalable.stack, 'jvb-password');
    const renewed = `rehearsal-renewed-${Date.now().toString(36)}`;
    await host.deliver({ objects: [], pointers: { [name]: renewed } });
    const before = videobridge(host);
    const answer = await applyOnHost(host);
    expect(answer.revision).toBe(bundleRevision(renderBundle(scalable), 'bridge'));
    expect(answer.changed).toEqual([`/${jvbConf}`]);
    expect(answer.services).toEqual([{ unit: 'jitsi-videobridge2.service', action: 'restart' }]);
    expect(videobridge(host)).not.toBe(before);
    const conf = readFileSync(join(host.root, jvbConf), 'utf8');
    expect(conf).toContain(renewed);
    expect(conf).not.toContain(r.parameters[name]!);
  }, 120_000);
});
