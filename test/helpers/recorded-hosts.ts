// A stand-in for SSM Run Command (moto's SendCommand runs nothing): runs status's real probe script
// in bash on this machine, with curl, dpkg-query, cat and openssl replaced by shell functions that
// answer what a host recorded. The functions check that they were called exactly as a host would
// be asked (the loopback URLs, the revision file, the live certificate path), so a wrong path in
// the probe gives an empty answer here as it would on a host.
import { spawnSync } from 'node:child_process';
import type { HostAnswer, HostCommands, RunOptions } from '../../scripts/lib/host-commands.ts';

export interface RecordedHost {
  /** What `dpkg-query -W -f '${Package} ${Version} ${Status}\n' …` printed. */
  dpkg: string;
  /** Content of /etc/jitsi-eu/revision; undefined when the host has no such file. */
  revisionFile?: string;
  /** Body of GET http://127.0.0.1:8080/colibri/stats; undefined when nothing listens. */
  colibriStats?: string;
  /** Body of GET http://127.0.0.1:8888/stats; undefined when nothing listens. */
  jicofoStats?: string;
  /** Body of GET http://127.0.0.1:8888/debug (jicofo's debug state); undefined when nothing listens. */
  jicofoDebug?: string;
  /** A local PEM file that stands for /etc/jitsi-eu/tls/DOMAIN/fullchain.pem (read by the real openssl). */
  certificateFile?: string;
  /** The host never answers (the SSM agent is offline). */
  silent?: boolean;
}

// Bash, kept out of a template literal: its ${…} would be read as interpolation.
const PRELUDE = [
  "dpkg-query() {",
  "  [[ $1 == -W ]] || return 2",
  "  printf '%s' \"$REC_DPKG\"",
  "}",
  "cat() {",
  "  if [[ $# == 1 && $1 == /etc/jitsi-eu/revision && -n ${REC_REVISION+set} ]]; then printf '%s' \"$REC_REVISION\"; return 0; fi",
  "  echo \"cat: $1: No such file or directory\" >&2",
  "  return 1",
  "}",
  "curl() {",
  "  local url=${@: -1}",
  "  case $url in",
  "    http://127.0.0.1:8080/colibri/stats) [[ -n ${REC_JVB+set} ]] && { printf '%s' \"$REC_JVB\"; return 0; } ;;",
  "    http://127.0.0.1:8888/stats) [[ -n ${REC_JICOFO+set} ]] && { printf '%s' \"$REC_JICOFO\"; return 0; } ;;",
  "    http://127.0.0.1:8888/debug) [[ -n ${REC_JICOFO_DEBUG+set} ]] && { printf '%s' \"$REC_JICOFO_DEBUG\"; return 0; } ;;",
  "  esac",
  "  echo \"curl: (7) Failed to connect to 127.0.0.1: Connection refused\" >&2",
  "  return 7",
  "}",
  "openssl() {",
  "  if [[ $1 == x509 && $2 == -in && $3 == \"/etc/jitsi-eu/tls/$REC_DOMAIN/fullchain.pem\" && -n ${REC_CERT_FILE+set} ]]; then",
  "    shift 3",
  "    command openssl x509 -in \"$REC_CERT_FILE\" \"$@\"",
  "    return",
  "  fi",
  "  echo \"Could not open file or uri for loading certificate\" >&2",
  "  return 1",
  "}",
].join('\n');

/** Runs a script in bash as the recorded host would answer it (whatever carries it there). */
export function runOnRecordedHost(host: RecordedHost, domain: string, script: string): { status: number | null; stdout: string; stderr: string } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', REC_DPKG: host.dpkg, REC_DOMAIN: domain };
  if (host.revisionFile !== undefined) env.REC_REVISION = host.revisionFile;
  if (host.colibriStats !== undefined) env.REC_JVB = host.colibriStats;
  if (host.jicofoStats !== undefined) env.REC_JICOFO = host.jicofoStats;
  if (host.jicofoDebug !== undefined) env.REC_JICOFO_DEBUG = host.jicofoDebug;
  if (host.certificateFile !== undefined) env.REC_CERT_FILE = host.certificateFile;
  return spawnSync('bash', ['-c', `${PRELUDE}\n${script}`], { env, encoding: 'utf8', timeout: 10_000 });
}

export class RecordedHostCommands implements HostCommands {
  /** Every script sent, per instance id (the last one). */
  readonly scripts = new Map<string, string>();

  constructor(
    private readonly hosts: ReadonlyMap<string, RecordedHost>,
    private readonly domain: string,
  ) {}

  async run(instanceIds: readonly string[], script: string, options: RunOptions): Promise<Map<string, HostAnswer>> {
    const answers = new Map<string, HostAnswer>();
    for (const id of instanceIds) {
      this.scripts.set(id, script);
      const host = this.hosts.get(id);
      let answer: HostAnswer;
      if (!host || host.silent) {
        answer = { state: 'no-answer', stdout: '', detail: `no answer through SSM within ${options.timeoutMs} ms` };
      } else {
        const result = runOnRecordedHost(host, this.domain, script);
        answer = result.status === 0 ? { state: 'answered', stdout: result.stdout } : { state: 'failed', stdout: result.stdout, detail: `exit ${result.status}: ${result.stderr}` };
      }
      answers.set(id, answer);
      options.onAnswer?.(id, answer);
    }
    return answers;
  }
}

/** Output shaped like the real endpoints and tools, for hosts that are doing fine. */
export const RECORDED = {
  signalingDpkg: (release: string, jvb = '2.3-259-gb7d4a1c5-1') =>
    [
      `jitsi-meet 2.0.${release}-1 install ok installed`,
      `jitsi-meet-web 1.0.9043-1 install ok installed`,
      `jicofo 1.0-1172-1 install ok installed`,
      `jitsi-videobridge2 ${jvb} install ok installed`,
      `prosody 0.12.3-1 install ok installed`,
      `nginx 1.22.1-9+deb12u3 install ok installed`,
      `coturn 4.6.1-1 install ok installed`,
      '',
    ].join('\n'),
  bridgeDpkg: (jvb = '2.3-259-gb7d4a1c5-1') => `jitsi-videobridge2 ${jvb} install ok installed\nnginx 1.22.1-9+deb12u3 deinstall ok config-files\n`,
  colibriStats: (conferences: number, participants: number, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      inactive_endpoints: 0,
      inactive_conferences: 0,
      bit_rate_download: 1523,
      bit_rate_upload: 2210,
      packet_rate_download: 640,
      packet_rate_upload: 812,
      rtt_aggregate: 35.2,
      conference_sizes: [0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      conferences,
      participants,
      endpoints: participants,
      local_endpoints: participants,
      largest_conference: Math.min(participants, 5),
      endpoints_sending_video: 4,
      current_timestamp: '2026-12-06 11:59:58.120',
      graceful_shutdown: false,
      drain: false,
      stress_level: 0.041,
      threads: 91,
      total_conferences_created: 40,
      version: '2.3.259-gb7d4a1c5',
      ...extra,
    }),
  /** Jicofo's debug state in its upstream shape (BridgeSelector.debugState per bridge JID), with a conference that must not leave the host. */
  jicofoDebug: (domain: string, bridges: Record<string, { drain?: boolean; 'graceful-shutdown'?: boolean; operational?: boolean; endpoints: number }>) =>
    JSON.stringify({
      focus_manager: { conferences: { [`staff-meeting@conference.${domain}`]: { participants: 4 } } },
      bridge_selector: {
        strategy: 'SingleBridgeSelectionStrategy',
        bridge: Object.fromEntries(
          Object.entries(bridges).map(([id, b]) => [
            `jvbbrewery@internal.auth.${domain}/${id}`,
            { 'corrected-stress': 0.05, drain: false, 'graceful-shutdown': false, healthy: true, operational: true, overloaded: false, region: 'null', 'relay-id': 'null', release: 'null', 'shutting-down': false, stress: 0.05, version: '2.3.209-gb7d4a1c5', ...b },
          ]),
        ),
      },
      jibri_detector: null,
    }),
  jicofoStats: (conferences: number, participants: number, bridges: number) =>
    JSON.stringify({
      conferences,
      participants,
      largest_conference: Math.min(participants, 5),
      total_conferences_created: 40,
      bridge_selector: { bridge_count: bridges, operational_bridge_count: bridges, in_shutdown_bridge_count: 0, lost_bridges: 0, total_least_loaded_in_region: 12 },
      jibri_detector: { count: 0, available: 0 },
    }),
};
