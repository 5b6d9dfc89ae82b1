// The operator channel on a real first boot: the signaling node of a single-node Hetzner stack
// boots from the user data deploy sends (with a channel key made for the rehearsal, as the
// program makes one per stack), then everything goes through nginx on the host over HTTPS, as an
// operator's request would: a signed script reads the host-password the host generated; unsigned
// and wrongly signed requests run nothing; a changed configuration is applied in place by
// channel-apply.sh while an XMPP client stays connected over WebSocket (same machine, revision
// recorded, the agent's JSON back); and no log holds a secret or a script. One boot for all.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_APPLY_PATH, CHANNEL_PATH, CHANNEL_SERVICE_PORT, CHANNEL_UNIT } from '../../infra/channel.ts';
import { XMPP_WEBSOCKET_URL_PATH } from '../../infra/privacy/settings/web.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { HOST_SECRETS_DIR } from '../../infra/render/cloud-layer.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { signChannelRequest } from '../../scripts/lib/channel/signature.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { checkRehearsalMachine } from '../../scripts/rehearse/host.ts';
import { ensureStandinRepo } from '../../scripts/rehearse/packages/repo.ts';
import { debianMirror, ensureRoot, rehearsalCacheDir } from '../../scripts/rehearse/root.ts';
import { type Rehearsal, hostLogs, rehearse } from '../../scripts/rehearse/run.ts';
import { rehearsalArchive } from '../../scripts/rehearse/user-data.ts';
import { channelRotationScript } from '../../scripts/rotate/channel.ts';
import { parseAgentReport } from '../../scripts/rotate/hosts.ts';
import { rotationPlan } from '../../scripts/rotate/plan.ts';
import { bundleRevision } from '../../scripts/status/revision.ts';
import { channelKeyPair, scriptBody } from '../helpers/channel-service.ts';
import { secretLeaks } from '../helpers/rehearsal/host-checks.ts';
import { PLACES } from '../helpers/rehearsal/places.ts';
import { type XmlElement, type XmppClient, loadXmpp, withoutStreamManagement } from '../helpers/xmpp.ts';

const BOOT_BOUND_SECONDS = 420;
const production = loadSpecOrThrow('Pulumi.example-production.yaml').spec;
const spec = { ...production, ...PLACES.hetzner } as DeploymentSpec;
/** A change of the lobby (Prosody's configuration) and of the notice's organisation (served from disk). */
const changed: DeploymentSpec = { ...spec, lobby: !spec.lobby, organization: 'Another Example University' };

const progress = (line: string) => process.stderr.write(`rehearsal: ${line}\n`);

let r: Rehearsal;
const marker = '/root/channel-ran';
const scriptsSent: string[] = [];

/** Reaches the host's nginx under the site's name over its link to this machine (its certificate is a stand-in). */
function siteOptions() {
  return {
    rejectUnauthorized: false,
    servername: spec.domain,
    lookup: ((_name, options, callback) =>
      options?.all ? callback(null, [{ address: r.host.linkIp, family: 4 }]) : callback(null, r.host.linkIp, 4)) as LookupFunction,
  };
}

function post(headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`https://${spec.domain}${CHANNEL_PATH}`, { ...siteOptions(), method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, timeout: 300_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: res.headers['content-type'] === 'application/json' ? JSON.parse(text) as Record<string, unknown> : { text } });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function runScript(script: string, key = r.channelPrivateKey!, timeoutSeconds = 600) {
  scriptsSent.push(script);
  const signed = signChannelRequest(key, spec.domain, scriptBody(script, timeoutSeconds));
  return post(signed.headers, signed.body);
}

const hostSecret = (name: string) => readFileSync(join(r.host.root, HOST_SECRETS_DIR.slice(1), name), 'utf8');

beforeAll(async () => {
  checkRehearsalMachine();
  ensureRoot(rehearsalCacheDir(), debianMirror(), progress);
  ensureStandinRepo(rehearsalCacheDir(), spec.jitsiVersion, progress);
  r = await rehearse({ spec, role: 'signaling', boundSeconds: BOOT_BOUND_SECONDS, progress });
  progress(`channel host: ${r.marker?.trim() ?? 'no marker'} after ${r.seconds.toFixed(0)}s`);
}, 30 * 60_000 + (BOOT_BOUND_SECONDS + 120) * 1000);
afterAll(async () => r?.host.stop(), 60_000);

describe('the operator channel on a Hetzner signaling node (Pulumi.example-production.yaml)', () => {
  it('boots with the channel on, listening on loopback only, nothing failed', () => {
    expect(r.marker, hostLogs(r.host).output.split('\n').slice(-30).join('\n')).toBe('ok\n');
    expect(r.channelPrivateKey).toBeDefined();
    expect(r.host.exec(['systemctl', 'is-active', CHANNEL_UNIT]).stdout.trim()).toBe('active');
    expect(r.host.exec(['systemctl', 'is-enabled', CHANNEL_UNIT]).stdout.trim()).toBe('enabled');
    const listening = r.host.exec(['ss', '-Hltn', `sport = :${CHANNEL_SERVICE_PORT}`]).stdout.trim().split('\n').map((l) => l.split(/\s+/)[3]);
    expect(listening).toEqual([`127.0.0.1:${CHANNEL_SERVICE_PORT}`]);
    expect(r.host.exec(['systemctl', 'list-units', '--failed', '--plain', '--no-legend']).stdout.trim()).toBe('');
    expect(hostLogs(r.host).output).toContain('the operator channel is on');
  });

  it('answers a signed `cat` of host-password with the value the host generated', async () => {
    const answer = await runScript(`cat ${HOST_SECRETS_DIR}/host-password`);
    expect(answer.status).toBe(200);
    expect(answer.body.exitCode).toBe(0);
    expect(answer.body.stdout).toBe(hostSecret('host-password'));
    expect(answer.body.stdout).toMatch(/^[0-9a-f]{48}$/);
  });

  it('refuses an unsigned request and one signed with another key, and runs neither', async () => {
    const body = scriptBody(`touch ${marker}`);
    expect((await post({ 'content-type': 'application/json' }, body)).status).toBe(400);
    const wrong = await runScript(`touch ${marker}`, channelKeyPair().privateKeyPem);
    expect(wrong.status).toBe(401);
    expect(r.host.exec(['test', '-e', marker]).status).toBe(1);
  });

  it('applies a changed configuration in place through channel-apply.sh while an XMPP client stays connected', async () => {
    const { host } = r;
    (globalThis as { WebSocket?: unknown }).WebSocket = class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, siteOptions());
      }
    };
    const xmpp = await loadXmpp();
    const events: string[] = [];
    const client: XmppClient = withoutStreamManagement(xmpp.client({ service: `wss://${spec.domain}${XMPP_WEBSOCKET_URL_PATH}`, domain: spec.domain, username: 'host', password: hostSecret('host-password') }));
    try {
      const emitter = client as unknown as { on(event: string, listener: (...args: unknown[]) => void): void };
      for (const event of ['offline', 'disconnect']) emitter.on(event, () => events.push(event));
      client.on('error', (error) => events.push(`error ${error.message}`));
      await client.start();
      client.reconnect.stop();
      const ping = (): Promise<XmlElement> => client.iqCaller.request(xmpp.xml('iq', { type: 'get', to: spec.domain }, xmpp.xml('ping', { xmlns: 'urn:xmpp:ping' })), 5000);
      await ping();
      const machineId = host.exec(['cat', '/etc/machine-id']).stdout;
      const bootId = host.exec(['cat', '/proc/sys/kernel/random/boot_id']).stdout;
      const channelPid = host.exec(['systemctl', 'show', '-P', 'MainPID', CHANNEL_UNIT]).stdout.trim();

      // What deploy sends: the archive the program renders, its revision and sha256.
      const archive = rehearsalArchive(changed, 'signaling');
      const script = `base64 -d <<'EOF' | ${CHANNEL_APPLY_PATH} ${archive.revision} ${archive.sha256}\n${archive.archive.toString('base64')}\nEOF\n`;
      const answer = await runScript(script);
      expect(answer.status).toBe(200);
      expect(answer.body.exitCode, String(answer.body.stderr)).toBe(0);
      const applied = JSON.parse(answer.body.stdout as string) as { revision: string; services: { unit: string; action: string }[]; unchanged: boolean };
      expect(applied.revision).toBe(archive.revision);
      expect(applied.unchanged).toBe(false);
      expect(applied.services).toEqual([{ unit: 'prosody.service', action: 'reload' }]);

      expect(readFileSync(join(host.root, 'etc/jitsi-eu/revision'), 'utf8').trim()).toBe(bundleRevision(renderBundle(changed), 'signaling'));
      expect(readFileSync(join(host.root, 'var/lib/jitsi-eu/bundle/pointer'), 'utf8')).toContain(`revision=${archive.revision} `);
      expect(readFileSync(join(host.root, 'usr/share/jitsi-eu/www/privacy.html'), 'utf8')).toContain('Another Example University');
      expect(host.exec(['cat', '/etc/machine-id']).stdout).toBe(machineId);
      expect(host.exec(['cat', '/proc/sys/kernel/random/boot_id']).stdout).toBe(bootId);
      expect(host.exec(['systemctl', 'show', '-P', 'MainPID', CHANNEL_UNIT]).stdout.trim()).toBe(channelPid);
      expect((await ping()).attrs.type).toBe('result');
      expect(events).toEqual([]);
    } finally {
      await client.stop().catch(() => {});
    }
  }, 600_000);

  it('rotates focus-password in place with the script npm run rotate sends: a new value made on the node, in jicofo.conf, jicofo restarted', async () => {
    const old = hostSecret('focus-password');
    const plan = rotationPlan(['focus-password'], spec);
    const answer = await runScript(channelRotationScript(plan, true));
    expect(answer.status).toBe(200);
    expect(answer.body.exitCode, String(answer.body.stderr)).toBe(0);
    const report = parseAgentReport(answer.body.stdout as string);
    expect(report?.services).toContainEqual({ unit: 'jicofo.service', action: 'restart' });
    const renewed = hostSecret('focus-password');
    expect(renewed).toMatch(/^[0-9a-f]{48}$/);
    expect(renewed).not.toBe(old);
    const jicofoConf = readFileSync(join(r.host.root, 'etc/jitsi/jicofo/jicofo.conf'), 'utf8');
    expect(jicofoConf).toContain(renewed);
    expect(jicofoConf).not.toContain(old);
    expect(String(answer.body.stdout) + String(answer.body.stderr)).not.toContain(renewed);
    expect(r.host.exec(['systemctl', 'is-active', 'jicofo.service']).stdout.trim()).toBe('active');
  }, 600_000);

  it('leaves no secret and no script in the journal, cloud-init\'s output or the console', () => {
    const journal = r.host.exec(['journalctl', '-b', '--no-pager', '-o', 'cat']).stdout;
    const channelLog = r.host.exec(['journalctl', '-u', CHANNEL_UNIT, '--no-pager', '-o', 'cat']).stdout;
    expect(channelLog).toMatch(/request [0-9a-f]{8}: script [0-9a-f]{12} exited 0/);
    expect(channelLog).toMatch(/refused \(signature\)/);
    const { cloudInit, output } = hostLogs(r.host);
    const secrets = ['host-password', 'focus-password', 'jvb-password'].map(hostSecret);
    expect(secretLeaks({ 'cloud-init.log': cloudInit, 'cloud-init-output.log': output, journal, console: r.host.console() }, secrets)).toEqual([]);
    for (const script of scriptsSent) expect(journal).not.toContain(script.split('\n')[0]);
  });
});
