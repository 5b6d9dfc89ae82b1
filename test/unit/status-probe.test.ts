// The probe status runs on each host, run in bash against recorded host answers, and the readers of
// what it prints: dpkg-query lines, /colibri/stats, jicofo's /stats and openssl's notAfter line.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBridgeStats, parseFocusStats, parseNotAfter, parsePackages } from '../../scripts/status/host-facts.ts';
import { probeScript, splitProbeOutput } from '../../scripts/status/probe.ts';
import { parseRecordedRevision } from '../../scripts/status/revision.ts';
import { RECORDED, RecordedHostCommands, type RecordedHost } from '../helpers/recorded-hosts.ts';
import { tempDir } from '../helpers/tools.ts';

const DOMAIN = 'meet.example.org';
const dir = tempDir();
afterAll(() => dir.remove());

async function probe(host: RecordedHost, role: 'signaling' | 'bridge', runsBridge: boolean) {
  const commands = new RecordedHostCommands(new Map([['i-1', host]]), DOMAIN);
  const answers = await commands.run(['i-1'], probeScript({ role, runsBridge, domain: DOMAIN }), { timeoutMs: 1000, comment: 'status' });
  const answer = answers.get('i-1')!;
  expect(answer.state).toBe('answered');
  return splitProbeOutput(answer.stdout);
}

function selfSignedCertificate(days: number): string {
  const key = join(dir.path, `key-${days}.pem`);
  const cert = join(dir.path, `cert-${days}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${DOMAIN}`, '-days', String(days), '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return cert;
}

describe('status probe on a host', () => {
  it('reads every part on a single node: packages, revision, both statistics, the live certificate', async () => {
    const cert = selfSignedCertificate(60);
    const sections = await probe(
      { dpkg: RECORDED.signalingDpkg('10710'), revisionFile: '3f9a0c1d2e4b\n', colibriStats: RECORDED.colibriStats(2, 7), jicofoStats: RECORDED.jicofoStats(2, 7, 1), certificateFile: cert },
      'signaling',
      true,
    );
    expect(parsePackages(sections.packages!)).toContainEqual({ name: 'jitsi-meet', version: '2.0.10710-1' });
    expect(parseRecordedRevision(sections.revision!)).toBe('3f9a0c1d2e4b');
    expect(parseBridgeStats(sections['jvb-stats']!)).toEqual({ conferences: 2, participants: 7, largestConference: 5, stressLevel: 0.041 });
    expect(parseFocusStats(sections['jicofo-stats']!)).toEqual({ conferences: 2, participants: 7, bridges: 1, operationalBridges: 1 });
    const enddate = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-enddate'], { encoding: 'utf8' });
    expect(sections.certificate).toBe(enddate.trim());
    const notAfter = Date.parse(parseNotAfter(sections.certificate!)!);
    // 60 days from now, to the second openssl wrote.
    expect(Math.abs(notAfter - (Date.now() + 60 * 86_400_000))).toBeLessThan(120_000);
  });

  it('asks a bridge only for packages, revision and the videobridge statistics', async () => {
    const sections = await probe({ dpkg: RECORDED.bridgeDpkg(), colibriStats: RECORDED.colibriStats(1, 3, { graceful_shutdown: true }) }, 'bridge', true);
    expect(Object.keys(sections).sort()).toEqual(['jvb-stats', 'packages', 'revision']);
    // nginx only left its configuration behind: not installed.
    expect(parsePackages(sections.packages!)).toEqual([{ name: 'jitsi-videobridge2', version: '2.3-259-gb7d4a1c5-1' }]);
    expect(parseBridgeStats(sections['jvb-stats']!)).toMatchObject({ conferences: 1, participants: 3, shuttingDown: true });
  });

  it('leaves a part empty when it fails, and the others readable', async () => {
    const sections = await probe({ dpkg: RECORDED.signalingDpkg('10710') }, 'signaling', false);
    expect(sections.revision).toBe('');
    expect(sections['jicofo-stats']).toBe('');
    expect(sections.certificate).toBe('');
    expect(sections['jvb-stats']).toBeUndefined();
    expect(parseRecordedRevision(sections.revision!)).toBeUndefined();
    expect(parseFocusStats(sections['jicofo-stats']!)).toBeUndefined();
    expect(parsePackages(sections.packages!).length).toBe(7);
  });
});

describe('status readers', () => {
  it('reads openssl notAfter lines with one- and two-digit days', () => {
    expect(parseNotAfter('notAfter=Mar  6 12:00:00 2027 GMT')).toBe('2027-03-06T12:00:00.000Z');
    expect(parseNotAfter('notAfter=Dec 31 23:59:59 2026 GMT\n')).toBe('2026-12-31T23:59:59.000Z');
    expect(parseNotAfter('Could not open file')).toBeUndefined();
  });

  it('refuses statistics that are not the endpoint\'s JSON', () => {
    expect(parseBridgeStats('<html>404</html>')).toBeUndefined();
    expect(parseBridgeStats('{"conferences": 1}')).toBeUndefined();
    expect(parseFocusStats('[]')).toBeUndefined();
  });

  it('takes a recorded revision only when it looks like one', () => {
    expect(parseRecordedRevision('0123abcd4567 2026-12-01T10:00:00Z\n')).toBe('0123abcd4567');
    expect(parseRecordedRevision('cat: no such file')).toBeUndefined();
  });
});
