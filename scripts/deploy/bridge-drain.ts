// Hetzner Cloud and OpenStack, before `pulumi up` removes bridges (a scale-in): the provider
// deletes a bridge about 30 to 60 seconds after asking it to shut down, too soon for its meetings
// to end. So deploy drains the leaving bridges first. Through the channel it writes one drain
// request per bridge on the signaling node (infra/lifecycle.ts); each bridge polls for its own
// and puts its videobridge in drain mode, and Jicofo stops giving it new meetings. Deploy then
// reads Jicofo's view of the bridges until those are empty, or gone, or the wait is over. A
// request holds its expiry, so one left by an interrupted deploy lapses by itself; deploy
// withdraws them when `pulumi up` fails.
import { DRAIN_REQUESTS_FOLDER, DRAIN_REQUEST_POLL_SECONDS } from '../../infra/lifecycle.ts';
import { BRIDGE_SHARE_DIR } from '../../infra/render/cloud-layer.ts';
import type { HostAnswer } from '../lib/host-commands.ts';
import { JICOFO_BRIDGES_COMMAND, parseJicofoBridges, type JicofoBridge } from '../lib/jicofo-bridges.ts';
import { formatDuration } from './duration.ts';
import type { DeployPreview } from './preview.ts';
import { isServer, roleOf, signalingLeaves } from './servers.ts';

/** Default bound on the wait for the leaving bridges' meetings to end. */
export const DEFAULT_DRAIN_WAIT_MS = 60 * 60_000;
/** Between two readings of Jicofo's view of the bridges. */
export const DRAIN_POLL_MS = 15_000;
/**
 * A bridge that has not entered drain mode by then does not follow drain requests (it booted
 * before jitsi-eu had them): it gets only the drain at shutdown. A bridge asks every
 * DRAIN_REQUEST_POLL_SECONDS and its presence reaches Jicofo within 5 seconds; the rest is slack.
 */
export const DRAIN_FOLLOW_MS = (3 * DRAIN_REQUEST_POLL_SECONDS + 30) * 1000;
/** A wait with nothing new to say still says where it stands this often. */
const PROGRESS_EVERY_MS = 5 * 60_000;
/** A request outlives the wait by this much, in case deploy is slow to reach `pulumi up`. */
const REQUEST_SLACK_SECONDS = 15 * 60;

const REQUESTS_DIR = `${BRIDGE_SHARE_DIR}/${DRAIN_REQUESTS_FOLDER}`;
const SERVER_ID = /^[A-Za-z0-9-]+$/;

export interface LeavingBridge {
  /** The provider's server id: the bridge's name in Jicofo's brewery, and its drain request's name. */
  id: string;
  /** The resource's name in the stack. */
  name: string;
}

/**
 * Bridges the update deletes (a scale-in) and deploy drains first, with the server ids the stack
 * records; none when the signaling node goes too, since every meeting ends with it.
 */
export function leavingBridges(preview: Pick<DeployPreview, 'changes'>): LeavingBridge[] {
  if (signalingLeaves(preview.changes)) return [];
  return preview.changes
    .filter((c) => c.kind === 'delete' && isServer(c) && roleOf(c) === 'bridge')
    .flatMap((c) => (c.id && SERVER_ID.test(c.id) ? [{ id: c.id, name: c.name }] : []));
}

/**
 * Replaces the signaling node's drain requests with one for each id (none: withdraws them all).
 * Written next to the bridges' password, readable by nginx only, each file swapped in whole.
 */
export function drainRequestScript(ids: readonly string[], expiresAt: number): string {
  for (const id of ids) if (!SERVER_ID.test(id)) throw new Error(`not a server id: ${JSON.stringify(id)}`);
  return [
    'set -eu',
    `dir=${REQUESTS_DIR}`,
    'install -d -m 0750 -o root -g www-data "$dir"',
    'find "$dir" -mindepth 1 -maxdepth 1 -delete',
    `for id in ${ids.join(' ')}; do`,
    `  printf '%s\\n' ${Math.floor(expiresAt)} >"$dir/.$id.new"`,
    '  chown root:www-data "$dir/.$id.new" && chmod 0640 "$dir/.$id.new" && mv -f "$dir/.$id.new" "$dir/$id"',
    'done',
    '',
  ].join('\n');
}

/** Where a leaving bridge stands when the drain ahead ends. */
export type DrainedState = 'drained' | 'gone' | 'busy' | 'not-following';

export interface DrainedBridge extends LeavingBridge {
  state: DrainedState;
  /** Participants still on it (busy). */
  endpoints?: number;
}

export interface DrainReport {
  /** False: the requests could not be written; nothing was changed. */
  ok: boolean;
  waitedMs: number;
  bridges: DrainedBridge[];
  failure?: string;
}

export interface DrainOptions {
  send: (script: string, timeoutMs: number) => Promise<HostAnswer>;
  waitMs: number;
  progress: (message: string) => void;
  pollMs?: number;
  followMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What one reading says of one bridge; undefined while it is still on its way to empty. */
function settled(state: JicofoBridge | undefined, elapsedMs: number, followMs: number): DrainedState | undefined {
  if (!state) return 'gone';
  if (state.drain && state.endpoints === 0) return 'drained';
  if (!state.drain && elapsedMs >= followMs) return 'not-following';
  return undefined;
}

function describe(bridge: LeavingBridge, state: JicofoBridge | undefined): string {
  if (!state) return `${bridge.id} not in Jicofo's list (stopped)`;
  if (!state.drain) return `${bridge.id} not yet in drain mode`;
  return `${bridge.id} ${state.endpoints === 0 ? 'empty' : `${state.endpoints} participant${state.endpoints === 1 ? '' : 's'}`}`;
}

const answerDetail = (answer: HostAnswer) => answer.detail ?? `exit code ${answer.exitCode ?? '?'}`;

export async function drainAhead(bridges: readonly LeavingBridge[], options: DrainOptions): Promise<DrainReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollMs = options.pollMs ?? DRAIN_POLL_MS;
  const followMs = options.followMs ?? DRAIN_FOLLOW_MS;
  const started = now();
  const expiresAt = (started + options.waitMs) / 1000 + REQUEST_SLACK_SECONDS;
  options.progress(`asking ${bridges.length} leaving bridge${bridges.length === 1 ? '' : 's'} (${bridges.map((b) => b.id).join(', ')}) to take no new meetings, through the signaling node`);
  const asked = await options.send(drainRequestScript(bridges.map((b) => b.id), expiresAt), 60_000);
  if (asked.state !== 'answered') {
    return { ok: false, waitedMs: now() - started, bridges: [], failure: `the drain requests could not be written on the signaling node: ${answerDetail(asked)}` };
  }

  const done = new Map<string, DrainedBridge>();
  let last: Record<string, JicofoBridge> | undefined;
  let lastLine = '';
  let lastSaid = 0;
  for (;;) {
    const elapsed = now() - started;
    // Jicofo's view of its bridges, read on the signaling node.
    const answer = await options.send(JICOFO_BRIDGES_COMMAND, 30_000);
    const states = answer.state === 'answered' ? parseJicofoBridges(answer.stdout) : undefined;
    if (states) {
      last = states;
      for (const bridge of bridges) {
        const verdict = done.has(bridge.id) ? undefined : settled(states[bridge.id], elapsed, followMs);
        if (verdict) done.set(bridge.id, { ...bridge, state: verdict });
      }
      const line = bridges.map((b) => describe(b, states[b.id])).join(', ');
      // Said when it changes, and again every few minutes of a long wait.
      if (line !== lastLine || elapsed - lastSaid >= PROGRESS_EVERY_MS) {
        options.progress(`draining: ${line}${line === lastLine ? ` (${formatDuration(elapsed)} of at most ${formatDuration(options.waitMs)})` : ''}`);
        lastSaid = elapsed;
      }
      lastLine = line;
    } else {
      options.progress(`could not read Jicofo's bridges on the signaling node (${answer.state === 'answered' ? 'unreadable answer' : answerDetail(answer)}); trying again`);
    }
    if (done.size === bridges.length) break;
    if (now() - started + pollMs > options.waitMs) break;
    await sleep(pollMs);
  }
  const report = bridges.map((b): DrainedBridge => done.get(b.id) ?? { ...b, state: 'busy', endpoints: last?.[b.id]?.endpoints ?? 0 });
  return { ok: true, waitedMs: now() - started, bridges: report };
}

/** One line of the deploy summary. */
export function drainSummary(report: DrainReport): string {
  const words: Record<DrainedState, (b: DrainedBridge) => string> = {
    drained: (b) => `${b.id} drained`,
    gone: (b) => `${b.id} already stopped`,
    busy: (b) => `${b.id} still had ${b.endpoints} participant${b.endpoints === 1 ? '' : 's'} when the wait ended (they reconnect to another bridge)`,
    'not-following': (b) => `${b.id} does not follow drain requests (it booted before they existed): drained only at shutdown`,
  };
  return report.bridges.map((b) => words[b.state](b)).join('; ');
}
