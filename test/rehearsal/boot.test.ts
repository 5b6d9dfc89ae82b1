// The boot rehearsal: every host role's first boot on a real Debian 12 (debootstrapped from
// Debian's archive, cached outside the clone) with systemd as PID 1 under systemd-nspawn and
// cloud-init reading the user data deploy sends, byte for byte, from a NoCloud seed. Stand-ins
// (scripts/rehearse/) only where nothing real exists here. A machine that cannot boot one fails
// here, loudly: CI installs what it needs (.ci/run).
// Boots run one after another: on two cores, parallel boots only slow each other down.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNALING_PRIVATE_IP } from '../../infra/aws/layout.ts';
import { ANY_PLACEHOLDER_PATTERN } from '../../infra/placeholders.ts';
import { CLOUD_INIT_OUTPUT_LOG } from '../../infra/render/paths.ts';
import type { HostRole } from '../../infra/render/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { loadSpecOrThrow } from '../../scripts/lib/cli.ts';
import { checkRehearsalMachine } from '../../scripts/rehearse/host.ts';
import { ensureStandinRepo } from '../../scripts/rehearse/packages/repo.ts';
import { debianMirror, ensureRoot, rehearsalCacheDir } from '../../scripts/rehearse/root.ts';
import { type Rehearsal, hostLogs, rehearse } from '../../scripts/rehearse/run.ts';
import { expectedFiles, expectedServices, fileProblems, secretLeaks } from '../helpers/rehearsal/host-checks.ts';
import { stunBinding } from '../helpers/turn-client.ts';

/** A boot that has not written its marker by then is a hang, and fails. */
const BOOT_BOUND_SECONDS = 420;
const HOOK_TIMEOUT = (BOOT_BOUND_SECONDS + 120) * 1000;

/**
 * Units that fail in the rehearsal for what it lacks, not for what the boot does: none known.
 */
const FAILING_HERE_ONLY: string[] = [];

const production = loadSpecOrThrow('Pulumi.example-production.yaml').spec;
const scalable = loadSpecOrThrow('Pulumi.example-scalable.yaml').spec;

const progress = (line: string) => process.stderr.write(`rehearsal: ${line}\n`);

// The machine first: the tools, then the Debian root and the stand-in repository (built once per
// machine, minutes; cached outside the clone), before any boot is timed.
beforeAll(() => {
  checkRehearsalMachine();
  ensureRoot(rehearsalCacheDir(), debianMirror(), progress);
  ensureStandinRepo(rehearsalCacheDir(), production.jitsiVersion, progress);
}, 30 * 60_000);

function phaseLine(label: string, r: Rehearsal): string {
  return `${label}: ${r.marker?.trim() ?? 'no marker'} after ${r.seconds.toFixed(0)}s (${r.phases.map((p) => `${p.phase} ${p.seconds ?? '-'}s`).join(', ')})`;
}

/** Every place a secret must not reach: cloud-init's logs, the journal, the console. */
function logsOf(r: Rehearsal): Record<string, string> {
  const { cloudInit, output } = hostLogs(r.host);
  const journal = r.host.exec(['journalctl', '-b', '--no-pager', '-o', 'cat']).stdout;
  return { 'cloud-init.log': cloudInit, 'cloud-init-output.log': output, journal, console: r.host.console() };
}

function describeRole(label: string, spec: DeploymentSpec, role: HostRole, extra?: (get: () => Rehearsal) => void) {
  describe(label, () => {
    let r: Rehearsal;
    beforeAll(async () => {
      r = await rehearse({ spec, role, boundSeconds: BOOT_BOUND_SECONDS, progress });
      progress(phaseLine(label, r));
    }, HOOK_TIMEOUT);
    afterAll(async () => r?.host.stop(), 60_000);

    it('writes the ready marker `ok` within the bound', () => {
      const { output } = hostLogs(r.host);
      expect(r.marker, `${output.split('\n').slice(-25).join('\n')}`).toBe('ok\n');
    });

    it('has every rendered file of the role at its path, with its owner, mode and content, placeholders filled', () => {
      const files = expectedFiles(spec, role, r.host, r.parameters);
      expect(files.length).toBeGreaterThan(8);
      expect(fileProblems(r.host.root, files)).toEqual([]);
      for (const f of files) expect(readFileSync(join(r.host.root, f.path), 'utf8'), f.path).not.toMatch(new RegExp(ANY_PLACEHOLDER_PATTERN.source));
    });

    it('runs every service of the role', () => {
      for (const unit of expectedServices(spec, role)) {
        expect(r.host.exec(['systemctl', 'is-active', `${unit}.service`]).stdout.trim(), unit).toBe('active');
      }
      const failed = r.host.exec(['systemctl', 'list-units', '--failed', '--plain', '--no-legend']).stdout.trim().split('\n').filter(Boolean);
      expect(failed.map((line) => line.split(' ')[0]).filter((unit) => !FAILING_HERE_ONLY.includes(unit!)), failed.join('\n')).toEqual([]);
    });

    it('took seconds, not minutes, in bootcmd (the SSM agent never blocks the boot)', () => {
      const bootcmd = r.phases.find((p) => p.phase === 'bootcmd')!.seconds!;
      expect(bootcmd).toBeLessThan(30);
    });

    it('leaves no secret value in cloud-init\'s output, the journal or the console', () => {
      const values = Object.values(r.parameters);
      expect(values.length).toBeGreaterThan(0);
      const logs = logsOf(r);
      expect(logs.journal.length).toBeGreaterThan(1000);
      expect(logs.console).toContain('jitsi-eu: ready');
      expect(secretLeaks(logs, values)).toEqual([]);
    });

    it("prints no AWS error while looking for a stored certificate", () => {
      expect(hostLogs(r.host).output).not.toMatch(/ParameterNotFound|An error occurred/);
    });

    extra?.(() => r);
  });
}

const signalingChecks = (spec: DeploymentSpec) => (get: () => Rehearsal) => {
  it('accepts its configuration: nginx -t and prosodyctl check config', () => {
    const nginx = get().host.exec(['nginx', '-t']);
    expect(nginx.status, nginx.stderr).toBe(0);
    const prosody = get().host.exec(['prosodyctl', 'check', 'config']);
    expect(prosody.status, prosody.stdout + prosody.stderr).toBe(0);
  });

  it("has Prosody's DNS library", () => {
    expect(get().host.exec(['dpkg-query', '-W', '-f', '${Status}', 'lua-unbound']).stdout).toBe('install ok installed');
  });

  if (spec.turn) {
    it('answers STUN on its coturn', async () => {
      const { host } = get();
      const answer = await stunBinding(host.privateIp, 3478, host.machineIp, 5000);
      expect(answer.mapped.address).toBe(host.machineIp);
    });
  }
};

describeRole('single node (Pulumi.example-production.yaml)', production, 'signaling', signalingChecks(production));
describeRole('signaling node of the scalable topology (Pulumi.example-scalable.yaml)', scalable, 'signaling', (get) => {
  signalingChecks(scalable)(get);
  it('keeps its own videobridge masked: media runs on the pool', () => {
    expect(get().host.exec(['systemctl', 'is-enabled', 'jitsi-videobridge2.service']).stdout.trim()).toBe('masked');
  });
});
describeRole('videobridge of the pool (Pulumi.example-scalable.yaml)', scalable, 'bridge', (get) => {
  it('points its videobridge at the signaling node', () => {
    const jvb = readFileSync(join(get().host.root, 'etc/jitsi/videobridge/jvb.conf'), 'utf8');
    expect(jvb).toContain(`HOSTNAME = "${SIGNALING_PRIVATE_IP}"`);
  });

  it('drains when the group terminates it: signal seen, graceful shutdown asked, lifecycle action completed', async () => {
    const { host } = get();
    await host.setLifecycleState('Terminated');
    const deadline = Date.now() + 120_000;
    let calls = await host.autoscalingCalls();
    while (!calls.some((c) => c.action === 'CompleteLifecycleAction') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      calls = await host.autoscalingCalls();
    }
    const complete = calls.find((c) => c.action === 'CompleteLifecycleAction');
    expect(complete?.params).toMatchObject({ LifecycleActionResult: 'CONTINUE', InstanceId: host.instanceId, LifecycleHookName: 'jitsi-eu-bridge-drain' });
    expect(calls[0]!.action).toBe('RecordLifecycleActionHeartbeat');
    const drain = host.exec(['journalctl', '-u', 'jitsi-eu-drain', '--no-pager', '-o', 'cat']).stdout;
    expect(drain).toContain(`termination of ${host.instanceId} requested`);
    expect(drain).toContain('graceful shutdown started');
    expect(drain).not.toContain('refused');
    const jvb = host.exec(['journalctl', '-u', 'jitsi-videobridge2', '--no-pager', '-o', 'cat']).stdout;
    expect(jvb).toContain('graceful shutdown requested');
  }, 180_000);
});

describe('boots that fail stop with the failing step and a reason', () => {
  async function failing(options: Parameters<typeof rehearse>[0]) {
    const r = await rehearse({ ...options, boundSeconds: BOOT_BOUND_SECONDS, progress });
    progress(phaseLine(`failure ${options.failure ?? options.missingSecret}`, r));
    return r;
  }
  const reason = (r: Rehearsal) => hostLogs(r.host).output.split('\n').filter((l) => l.includes('jitsi-eu: FAILED: '));

  it('the Jitsi repository unreachable: failed: packages, naming the missing packages', async () => {
    const r = await failing({ spec: production, role: 'signaling', failure: 'jitsi-repository' });
    try {
      expect(r.marker).toBe('failed: packages\n');
      expect(reason(r).join('\n')).toMatch(/FAILED: packages missing \(see \/var\/log\/cloud-init-output\.log\): .*jitsi-meet/);
      expect(r.host.console()).toContain(`jitsi-eu boot failed at packages; see ${CLOUD_INIT_OUTPUT_LOG}`);
    } finally {
      await r.host.stop();
    }
  }, HOOK_TIMEOUT);

  it('a secret missing in SSM: failed: secrets, naming the parameter; the bridge powers off to be replaced', async () => {
    const r = await failing({ spec: scalable, role: 'bridge', missingSecret: 'jvb-password' });
    try {
      expect(r.marker).toBe('failed: secrets\n');
      expect(reason(r).join('\n')).toContain(`FAILED: SSM parameter /jitsi-eu/${scalable.stack}/jvb-password is missing or unreadable`);
      expect(await r.host.waitForExit(60)).toBe(true);
      expect(r.host.console()).toContain('powering off');
    } finally {
      await r.host.stop();
    }
  }, HOOK_TIMEOUT);

  it('the metadata service down: failed: fetch (no instance credentials for the bundle), with the reason; the bridge powers off', async () => {
    const r = await failing({ spec: scalable, role: 'bridge', failure: 'metadata' });
    try {
      expect(r.marker).toBe('failed: fetch\n');
      expect(reason(r).join('\n')).toContain('the bundle could not be fetched');
      expect(hostLogs(r.host).output).toMatch(/Unable to locate credentials|credentials/i);
      expect(await r.host.waitForExit(60)).toBe(true);
    } finally {
      await r.host.stop();
    }
  }, HOOK_TIMEOUT);
});
