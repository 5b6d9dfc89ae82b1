// The one shell script status runs on each host through SSM Run Command, and how its output is
// read back. It only reads: package versions, the recorded revision, the loopback statistics
// endpoints of the videobridge and jicofo (with jicofo's view of its bridges), and the live
// certificate's expiry. Each part prints a
// marker line first, so a part that fails leaves the others readable.
import { tlsPaths } from '../../infra/render/paths.ts';
import type { HostRole } from '../../infra/render/types.ts';
import { PORTS } from '../../infra/ports.ts';
import { JICOFO_BRIDGES_COMMAND } from '../lib/jicofo-bridges.ts';
import { REVISION_FILE } from './revision.ts';

export const PROBE_PACKAGES = ['jitsi-meet', 'jitsi-meet-web', 'jicofo', 'jitsi-videobridge2', 'prosody', 'nginx', 'coturn'] as const;

export type ProbeSection = 'packages' | 'revision' | 'jvb-stats' | 'jicofo-stats' | 'jicofo-bridges' | 'certificate';

/** Said with the probe, where the carrier records commands (SSM's command history). */
export const STATUS_PROBE_COMMENT = 'jitsi-eu status: versions, statistics, certificate (read only)';

const MARKER = '### jitsi-eu-status';

export interface ProbeTarget {
  role: HostRole;
  /** The videobridge runs here (every bridge; the signaling node of a single-node stack). */
  runsBridge: boolean;
  domain: string;
}

const shellWord = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export function probeScript(target: ProbeTarget): string {
  const parts: [ProbeSection, string][] = [
    // ${Status} tells installed packages from ones dpkg only remembers.
    ['packages', `dpkg-query -W -f '\${Package} \${Version} \${Status}\\n' ${PROBE_PACKAGES.join(' ')} 2>/dev/null`],
    ['revision', `cat ${shellWord(REVISION_FILE)} 2>/dev/null`],
  ];
  if (target.runsBridge) parts.push(['jvb-stats', `curl -fsS --max-time 5 http://127.0.0.1:${PORTS.jvbPrivateHttp}/colibri/stats 2>/dev/null`]);
  if (target.role === 'signaling') {
    parts.push(['jicofo-stats', `curl -fsS --max-time 5 http://127.0.0.1:${PORTS.jicofoRest}/stats 2>/dev/null`]);
    parts.push(['jicofo-bridges', `${JICOFO_BRIDGES_COMMAND} 2>/dev/null`]);
    parts.push(['certificate', `openssl x509 -in ${shellWord(tlsPaths(target.domain).fullchain)} -noout -enddate 2>/dev/null`]);
  }
  // `|| true`: a missing part is an empty section, never a failed command.
  return parts.map(([section, command]) => `echo '${MARKER} ${section}'\n${command} || true\necho`).join('\n');
}

/** The probe's output, split at its markers: section → text (trimmed). */
export function splitProbeOutput(stdout: string): Partial<Record<ProbeSection, string>> {
  const sections: Partial<Record<ProbeSection, string>> = {};
  let current: ProbeSection | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (current) sections[current] = lines.join('\n').trim();
  };
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${MARKER} `)) {
      flush();
      current = line.slice(MARKER.length + 1).trim() as ProbeSection;
      lines = [];
    } else if (current) {
      lines.push(line);
    }
  }
  flush();
  return sections;
}
