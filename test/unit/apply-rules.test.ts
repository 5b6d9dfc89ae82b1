// The reload rules (infra/render/reload.ts), the bundle each role receives, and the words deploy's
// preview gives for each kind of configuration change.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SIGNALING_PRIVATE_IP } from '../../infra/aws/layout.ts';
import { renderBundle } from '../../infra/render/bundle.ts';
import { renderAgent } from '../../infra/render/cloud-init.ts';
import { configurationRecord, roleArchive } from '../../infra/render/delivery.ts';
import { createEngine } from '../../infra/render/engine.ts';
import { orderSteps, prosodyModuleTable, stepWord, stepsForFile } from '../../infra/render/reload.ts';
import type { HostRole } from '../../infra/render/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { configurationChanges, configurationImpacts } from '../../scripts/deploy/configuration.ts';
import { bundleRevision } from '../../scripts/status/revision.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';

const production = loadSpecOrThrow('Pulumi.example-production.yaml').spec;
const scalable = loadSpecOrThrow('Pulumi.example-scalable.yaml').spec;
const archiveOf = (spec: DeploymentSpec, role: HostRole) => roleArchive(spec, renderBundle(spec), role, { signalingPrivateIp: SIGNALING_PRIVATE_IP });
const deployedOf = (spec: DeploymentSpec) => Object.fromEntries((spec.topology === 'scalable' ? (['signaling', 'bridge'] as const) : (['signaling'] as const)).map((role) => [role, configurationRecord(archiveOf(spec, role))]));

/** The preview's words when `after` is deployed over `before`. */
const wordsFor = (before: DeploymentSpec, after: DeploymentSpec) => configurationImpacts(configurationChanges(after, deployedOf(before)), after);

describe('reload rules', () => {
  it('reload Prosody and nginx, restart jicofo, the videobridge and coturn, and leave files served from disk alone', () => {
    const step = (path: string, component: Parameters<typeof stepsForFile>[0]['component']) => stepsForFile({ path, component }).map(stepWord);
    expect(step('etc/prosody/conf.d/x.cfg.lua', 'prosody')).toEqual(['reload:prosody.service']);
    expect(step('etc/nginx/sites-available/x.conf', 'nginx')).toEqual(['reload:nginx.service']);
    expect(step('etc/jitsi/jicofo/jicofo.conf', 'jicofo')).toEqual(['restart:jicofo.service']);
    expect(step('etc/jitsi/videobridge/jvb.conf', 'jvb')).toEqual(['restart:jitsi-videobridge2.service']);
    expect(step('etc/turnserver.conf', 'coturn')).toEqual(['restart:coturn.service']);
    for (const component of ['web-config', 'interface-config', 'privacy-notice'] as const) expect(step('etc/jitsi/meet/x', component)).toEqual([]);
    expect(step('etc/systemd/system/jicofo.service.d/60-jitsi-eu-limits.conf', 'os')).toEqual(['daemon-reload', 'restart:jicofo.service']);
    expect(step('etc/sysctl.d/60-jitsi-eu-jvb.conf', 'os')).toEqual(['sysctl:/etc/sysctl.d/60-jitsi-eu-jvb.conf']);
    expect(step('usr/local/lib/jitsi-eu/lib.sh', 'os')).toEqual([]);
  });

  it('act on each unit once, a restart covering a reload, systemd first and Prosody before jicofo', () => {
    const steps = orderSteps([
      { kind: 'unit', unit: 'jicofo.service', action: 'restart' },
      { kind: 'unit', unit: 'prosody.service', action: 'reload' },
      { kind: 'daemon-reload' },
      { kind: 'unit', unit: 'prosody.service', action: 'restart' },
      { kind: 'unit', unit: 'prosody.service', action: 'reload' },
      { kind: 'daemon-reload' },
    ]);
    expect(steps.map(stepWord)).toEqual(['daemon-reload', 'restart:prosody.service', 'restart:jicofo.service']);
  });

  it("list every Prosody host's modules, global ones under *", () => {
    const bundle = renderBundle(production);
    const table = prosodyModuleTable(bundle.files).split('\n');
    expect(table).toContain('*\tadmin_shell');
    expect(table).toContain(`${production.domain}\tbosh`);
    expect(table).toContain(`conference.${production.domain}\tlobby_for_every_room`);
    expect(table).toContain(`auth.${production.domain}\t`);
    const withoutLobby = prosodyModuleTable(renderBundle({ ...production, lobby: false }).files).split('\n');
    expect(withoutLobby).not.toContain(`conference.${production.domain}\tlobby_for_every_room`);
  });
});

describe('role bundles', () => {
  it('are byte-identical for the same stack, carry the revision status computes, and no secret', () => {
    const a = archiveOf(scalable, 'bridge');
    expect(archiveOf(scalable, 'bridge').archive.equals(a.archive)).toBe(true);
    expect(a.revision).toBe(bundleRevision(renderBundle(scalable), 'bridge'));
    const tar = gunzipSync(a.archive).toString('utf8');
    expect(tar).toContain(`HOSTNAME = "${SIGNALING_PRIVATE_IP}"`);
    expect(tar).toContain('@@jitsi-eu-secret:jvb-password@@');
    const dir = tempDir('jitsi-eu-archive-');
    try {
      writeFileSync(join(dir.path, 'bundle.tar.gz'), a.archive);
      const listing = execFileSync('tar', ['-tvzf', join(dir.path, 'bundle.tar.gz')], { encoding: 'utf8' });
      expect(listing).toMatch(/-rw-r----- 0\/0 .* files\/etc\/jitsi\/videobridge\/jvb\.conf/);
      expect(listing).toContain('manifest.tsv');
    } finally {
      dir.remove();
    }
  });

  it('the agent passes bash -n and shellcheck, and is the same for every stack and role', () => {
    const engine = createEngine({ settings: [], onSettingUsed: () => {} });
    const agent = renderAgent(engine);
    const dir = tempDir('jitsi-eu-agent-');
    try {
      const path = join(dir.path, 'jitsi-eu-apply');
      writeFileSync(path, agent);
      execFileSync(requireTool('bash'), ['-n', path]);
      execFileSync(requireTool('shellcheck'), ['-S', 'warning', path]);
    } finally {
      dir.remove();
    }
  });
});

describe("deploy preview's words for each kind of configuration change", () => {
  const only = (impacts: ReturnType<typeof wordsFor>) => {
    expect(impacts).toHaveLength(1);
    return impacts[0]!;
  };

  it('a privacy setting of the web app: nothing reloads, new visitors get it', () => {
    const impact = only(wordsFor(production, { ...production, p2p: true }));
    expect(impact.severity).toBe('none');
    expect(impact.text).toMatch(/^Configuration applied in place on the host \(revision [0-9a-f]{12} → [0-9a-f]{12}, 3 files\); no service reloads: new visitors get the new web settings/);
    expect(impact.text).toContain('No host is replaced.');
  });

  it('the notice organisation: only the notice, nobody is disturbed', () => {
    const impact = only(wordsFor(production, { ...production, organization: 'Another University' }));
    expect(impact.severity).toBe('none');
    expect(impact.resources).toEqual(['/usr/share/jitsi-eu/www/privacy.de.html', '/usr/share/jitsi-eu/www/privacy.html']);
  });

  it('the lobby: Prosody reloads and connected people stay connected', () => {
    const impact = only(wordsFor(production, { ...production, lobby: false }));
    expect(impact.severity).toBe('none');
    expect(impact.text).toContain('Prosody reloads');
    expect(impact.text).toContain('Prosody re-reads its configuration; connected people stay connected');
  });

  it('TURN off: Prosody reloads and coturn stops, which TURN users notice', () => {
    const impact = only(wordsFor(production, { ...production, turn: false }));
    expect(impact.severity).toBe('notice');
    expect(impact.text).toContain('Prosody reloads, coturn stops');
    expect(impact.text).toContain('participants whose media goes through TURN');
    expect(impact.resources).toContain('/etc/turnserver.conf');
  });

  it('the embedding origins: nginx reloads, open connections are served to the end', () => {
    const impact = only(wordsFor(production, { ...production, embedOrigins: ['https://lms.example.org'] }));
    expect(impact.text).toContain('nginx reloads');
    expect(impact.text).toContain('open connections (BOSH, WebSocket) are served to the end');
  });

  it('the bridge pool size and a sandbox expiry: no configuration changes at all', () => {
    expect(wordsFor(scalable, { ...scalable, bridges: { ...scalable.bridges!, max: 12 } })).toEqual([]);
    expect(wordsFor(production, { ...production, expiresAt: '2027-06-30T18:00:00Z' })).toEqual([]);
  });

  it('the auth mode to anonymous: the guest host goes, so Prosody restarts and people rejoin', () => {
    const impacts = wordsFor(scalable, { ...scalable, auth: 'anonymous' });
    expect(impacts.map((i) => i.text.split(' (')[0])).toEqual(['Configuration applied in place on the signaling host']);
    expect(impacts[0]!.severity).toBe('notice');
    expect(impacts[0]!.text).toContain('Prosody restarts: every participant is disconnected and rejoins after a few seconds');
  });
});
