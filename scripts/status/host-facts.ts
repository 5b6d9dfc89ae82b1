// Reading what the hosts print: dpkg-query lines, the videobridge's /colibri/stats and jicofo's
// /stats JSON, and openssl's `notAfter=` line. Anything unreadable is undefined, never a guess.
// The same on every cloud: SSM Run Command and the channel carry the same probe.
import type { HostAnswer } from '../lib/host-commands.ts';
import { parseJicofoBridges } from '../lib/jicofo-bridges.ts';
import { splitProbeOutput } from './probe.ts';
import { parseRecordedRevision } from './revision.ts';
import type { ConferenceCounts, FocusCounts, HostStatus, PackageVersion, StatusReport } from './types.ts';

export type ProbedFacts = Pick<HostStatus, 'packages' | 'revision' | 'bridge' | 'focus' | 'certificateNotAfter' | 'jicofoBridges'>;

/** What a host printed for the probe (probe.ts), read section by section; nothing when it did not answer. */
export function readProbeAnswer(answer: HostAnswer | undefined): ProbedFacts {
  const sections = answer?.state === 'answered' ? splitProbeOutput(answer.stdout) : {};
  const revision = parseRecordedRevision(sections.revision ?? '');
  const bridge = parseBridgeStats(sections['jvb-stats'] ?? '');
  const focus = parseFocusStats(sections['jicofo-stats'] ?? '');
  const notAfter = parseNotAfter(sections.certificate ?? '');
  const jicofoBridges = sections['jicofo-bridges'] ? parseJicofoBridges(sections['jicofo-bridges']) : undefined;
  return {
    packages: parsePackages(sections.packages ?? ''),
    ...(revision ? { revision } : {}),
    ...(bridge ? { bridge } : {}),
    ...(focus ? { focus } : {}),
    ...(notAfter ? { certificateNotAfter: notAfter } : {}),
    ...(jicofoBridges ? { jicofoBridges } : {}),
  };
}

/** Conferences now: summed over the videobridges that answered, else jicofo's count. */
export function conferencesFrom(hosts: readonly Pick<HostStatus, 'bridge' | 'focus'>[]): StatusReport['conferences'] {
  const bridges = hosts.filter((h) => h.bridge).map((h) => h.bridge!);
  if (bridges.length > 0) return { conferences: bridges.reduce((s, b) => s + b.conferences, 0), participants: bridges.reduce((s, b) => s + b.participants, 0), source: 'videobridges' };
  const focus = hosts.find((h) => h.focus)?.focus;
  return focus ? { conferences: focus.conferences, participants: focus.participants, source: 'jicofo' } : { conferences: 0, participants: 0, source: 'none' };
}

/** `NAME VERSION install ok installed` lines → the installed packages. */
export function parsePackages(text: string): PackageVersion[] {
  const packages: PackageVersion[] = [];
  for (const line of text.split('\n')) {
    const [name, version, ...status] = line.trim().split(/\s+/);
    // dpkg also lists removed packages whose configuration it still keeps (config-files).
    if (name && version && status.join(' ') === 'install ok installed') packages.push({ name, version });
  }
  return packages;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trim().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

/** The videobridge's GET /colibri/stats. */
export function parseBridgeStats(text: string): ConferenceCounts | undefined {
  const stats = parseJsonObject(text);
  if (!stats) return undefined;
  const conferences = count(stats.conferences);
  const participants = count(stats.participants) ?? count(stats.endpoints);
  if (conferences === undefined || participants === undefined) return undefined;
  const largest = count(stats.largest_conference);
  const stress = count(stats.stress_level);
  const shuttingDown = stats.graceful_shutdown === true || stats.drain === true || stats.shutting_down === true;
  return {
    conferences,
    participants,
    ...(largest !== undefined ? { largestConference: largest } : {}),
    ...(stress !== undefined ? { stressLevel: stress } : {}),
    ...(shuttingDown ? { shuttingDown } : {}),
  };
}

/** Jicofo's GET /stats: conferences and participants it knows, and the bridges it can use. */
export function parseFocusStats(text: string): FocusCounts | undefined {
  const stats = parseJsonObject(text);
  if (!stats) return undefined;
  const conferences = count(stats.conferences);
  const participants = count(stats.participants);
  if (conferences === undefined || participants === undefined) return undefined;
  const selector = stats.bridge_selector && typeof stats.bridge_selector === 'object' ? (stats.bridge_selector as Record<string, unknown>) : {};
  const bridges = count(selector.bridge_count);
  const operational = count(selector.operational_bridge_count);
  return {
    conferences,
    participants,
    ...(bridges !== undefined ? { bridges } : {}),
    ...(operational !== undefined ? { operationalBridges: operational } : {}),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `notAfter=Mar  6 12:00:00 2027 GMT` (openssl x509 -enddate) → ISO instant. */
export function parseNotAfter(text: string): string | undefined {
  const match = /notAfter=([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})\s+GMT/.exec(text);
  if (!match) return undefined;
  const month = MONTHS.indexOf(match[1]!);
  if (month < 0) return undefined;
  const [day, hour, minute, second, year] = [match[2], match[3], match[4], match[5], match[6]].map(Number) as [number, number, number, number, number];
  return new Date(Date.UTC(year, month, day, hour, minute, second)).toISOString();
}
