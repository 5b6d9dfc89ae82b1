// Boot phase durations from a host's logs: cloud-init's module events and the boot script's steps.
import { describe, expect, it } from 'vitest';
import { bootPhases } from '../../scripts/rehearse/phases.ts';

const cloudInitLog = [
  '2026-12-06 14:00:01,000 - handlers.py[DEBUG]: start: init-network/config-bootcmd: running config-bootcmd with frequency always',
  '2026-12-06 14:00:03,500 - handlers.py[DEBUG]: finish: init-network/config-bootcmd: SUCCESS: config-bootcmd ran successfully',
  '2026-12-06 14:00:10,000 - handlers.py[DEBUG]: start: modules-config/config-apt-configure: running config-apt-configure with frequency once-per-instance',
  '2026-12-06 14:00:12,000 - handlers.py[DEBUG]: finish: modules-config/config-apt-configure: SUCCESS: config-apt-configure ran successfully',
  '2026-12-06 14:00:20,000 - handlers.py[DEBUG]: start: modules-final/config-package-update-upgrade-install: running',
  '2026-12-06 14:01:20,000 - handlers.py[DEBUG]: finish: modules-final/config-package-update-upgrade-install: SUCCESS: ran',
  '2026-12-06 14:01:20,100 - handlers.py[DEBUG]: start: modules-final/config-write-files-deferred: running',
  '2026-12-06 14:01:20,600 - handlers.py[DEBUG]: finish: modules-final/config-write-files-deferred: SUCCESS: ran',
].join('\n');

const outputLog = [
  'Setting up nginx ...',
  '2026-12-06T14:01:21Z jitsi-eu: step: packages',
  '2026-12-06T14:01:22Z jitsi-eu: step: secrets',
  '2026-12-06T14:01:30Z jitsi-eu: step: files',
  '2026-12-06T14:01:31Z jitsi-eu: step: services',
  '2026-12-06T14:01:40Z jitsi-eu: step: health',
  '2026-12-06T14:01:45Z jitsi-eu: ready: every service passed its health check',
].join('\n');

describe('boot phases', () => {
  it('adds cloud-init modules and boot script steps into the seven phases', () => {
    const started = Date.parse('2026-12-06T14:00:00Z');
    const phases = bootPhases(cloudInitLog, outputLog, started, Date.parse('2026-12-06T14:01:46Z'));
    expect(Object.fromEntries(phases.map((p) => [p.phase, p.seconds]))).toEqual({
      bootcmd: 2.5,
      apt: 2,
      packages: 61, // 60 s of cloud-init's install, 1 s of the boot script's package check
      files: 1.5, // 0.5 s of deferred files, 1 s of placeholders
      secrets: 8,
      services: 14, // services 9 s, health 5 s
      ready: 106,
    });
  });

  it('leaves the phases a failed boot never reached without a duration', () => {
    const failed = outputLog.split('\n').slice(0, 3).join('\n') + '\n2026-12-06T14:01:25Z jitsi-eu: FAILED: SSM parameter missing';
    const phases = bootPhases(cloudInitLog, failed, Date.parse('2026-12-06T14:00:00Z'));
    expect(phases.find((p) => p.phase === 'secrets')?.seconds).toBe(3);
    expect(phases.find((p) => p.phase === 'services')?.seconds).toBeUndefined();
    expect(phases.find((p) => p.phase === 'ready')?.seconds).toBeUndefined();
  });
});
