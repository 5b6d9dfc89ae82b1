// The drain ahead of a scale-in on Hetzner Cloud and OpenStack: which bridges leave (from the
// preview, with the ids the stack records), the scripts the signaling node runs (for real, with
// bash, in a folder standing for its bridge share, against a loopback stand-in of Jicofo's debug
// state in its upstream shape), and the bounded wait with a fake clock.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTS } from '../../infra/ports.ts';
import { BRIDGE_SHARE_DIR } from '../../infra/render/cloud-layer.ts';
import { DRAIN_FOLLOW_MS, drainAhead, drainRequestScript, drainSummary, leavingBridges } from '../../scripts/deploy/bridge-drain.ts';
import { JICOFO_BRIDGES_COMMAND, parseJicofoBridges } from '../../scripts/lib/jicofo-bridges.ts';
import { summarisePreview } from '../../scripts/deploy/preview.ts';
import type { HostAnswer } from '../../scripts/lib/host-commands.ts';
import { create, previewRun, remove, replace, same, update, type FixtureResource } from '../fixtures/fake-pulumi/preview-events.ts';
import { bashRunner } from '../helpers/channel-host.ts';
import { tempDir } from '../helpers/tools.ts';

const server = (name: string, role: string, type = 'hcloud:index/server:Server'): FixtureResource => ({
  chain: ['jitsi-eu:hetzner:BridgePool', type],
  name,
  inputs: { serverType: 'ccx33', labels: { 'jitsi-eu/role': role }, metadata: { 'jitsi-eu:role': role } },
});

describe('leavingBridges', () => {
  it('takes the bridge servers the update deletes, with the id the stack records, and nothing else', () => {
    const preview = summarisePreview(previewRun([
      remove(server('bridges-3', 'bridge')),
      remove(server('bridges-4', 'bridge', 'openstack:compute/instance:Instance')),
      ...replace(server('bridges-1', 'bridge'), { userData: 'update-replace' }),
      update(server('signaling-server', 'signaling'), { labels: 'update' }),
      create(server('bridges-5', 'bridge')),
      same(server('bridges-2', 'bridge')),
    ], { delete: 2, replace: 1, update: 1, create: 1, same: 1 }));
    expect(leavingBridges(preview)).toEqual([
      { id: 'i-0aaaaaaaaaaaaaaaa', name: 'bridges-3' },
      { id: 'i-0aaaaaaaaaaaaaaaa', name: 'bridges-4' },
    ]);
  });

  it('none when the signaling node is replaced too (new user data, even shown as an update): every meeting ends with it', () => {
    const withNode = (node: ReturnType<typeof remove>[]) => leavingBridges(summarisePreview(previewRun([remove(server('bridges-3', 'bridge')), ...node], { delete: 1, update: 1 })));
    expect(withNode([])).toHaveLength(1);
    expect(withNode(replace(server('signaling-server', 'signaling'), { image: 'update-replace' }))).toEqual([]);
    expect(withNode([update(server('signaling-server', 'signaling'), { userData: 'update' })])).toEqual([]);
    expect(withNode([update(server('signaling-server', 'signaling'), { labels: 'update' })])).toHaveLength(1);
  });
});

describe('the scripts the signaling node runs', () => {
  const dir = tempDir();
  const share = join(dir.path, 'bridge-share');
  let jicofo: Server;
  let debugState: unknown;
  let run: ReturnType<typeof bashRunner>;

  beforeAll(async () => {
    jicofo = createServer((req, res) => {
      if (req.url !== '/debug') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(debugState));
    });
    await new Promise<void>((resolve) => jicofo.listen(0, '127.0.0.1', resolve));
    const port = (jicofo.address() as AddressInfo).port;
    run = bashRunner({}, [[BRIDGE_SHARE_DIR, share], [`127.0.0.1:${PORTS.jicofoRest}`, `127.0.0.1:${port}`]]);
  });
  afterAll(async () => {
    await new Promise((resolve) => jicofo.close(resolve));
    dir.remove();
  });

  it('writes one request per bridge, readable by nginx only, replacing earlier ones; none withdraws them all', async () => {
    const first = await run(drainRequestScript(['4711', '4712'], 1_900_000_000.7), 30);
    expect(first.exitCode, first.stderr).toBe(0);
    const drain = join(share, 'drain');
    expect(readdirSync(drain).sort()).toEqual(['4711', '4712']);
    expect(readFileSync(join(drain, '4711'), 'utf8')).toBe('1900000000\n');
    const file = statSync(join(drain, '4712'));
    expect([file.mode & 0o777, file.uid, file.gid]).toEqual([0o640, 0, 33]);
    expect(statSync(drain).mode & 0o777).toBe(0o750);

    expect((await run(drainRequestScript(['9f1c0de2-52a1-4bd3-9d0e-3c1d9a7e0b11'], 1_900_000_100), 30)).exitCode).toBe(0);
    expect(readdirSync(drain)).toEqual(['9f1c0de2-52a1-4bd3-9d0e-3c1d9a7e0b11']);
    expect((await run(drainRequestScript([], 0), 30)).exitCode).toBe(0);
    expect(readdirSync(drain)).toEqual([]);
  });

  it('refuses an id that is not a server id, before anything reaches the host', () => {
    expect(() => drainRequestScript(['4711; rm -rf /'], 1)).toThrow('not a server id');
    expect(() => drainRequestScript(['../jvb-password'], 1)).toThrow('not a server id');
  });

  it("reduces Jicofo's debug state to drain mode and participants per brewery nickname, leaving out conferences", async () => {
    debugState = {
      focus_manager: { conferences: { 'secret-room@conference.meet.example.org': { participants: 3 } } },
      bridge_selector: {
        strategy: 'SingleBridgeSelectionStrategy',
        bridge: {
          'jvbbrewery@internal.auth.meet.example.org/4711': { 'corrected-stress': 0.1, drain: true, endpoints: 3, 'graceful-shutdown': false, healthy: true, operational: true, region: 'null', stress: 0.1, version: '2.3.209' },
          'jvbbrewery@internal.auth.meet.example.org/4712': { drain: false, endpoints: 0, operational: true },
        },
      },
      jibri_detector: null,
    };
    const answer = await run(JICOFO_BRIDGES_COMMAND, 30);
    expect(answer.exitCode, answer.stderr).toBe(0);
    expect(answer.stdout).not.toContain('secret-room');
    expect(parseJicofoBridges(answer.stdout)).toEqual({
      '4711': { drain: true, gracefulShutdown: false, operational: true, endpoints: 3, version: '2.3.209' },
      '4712': { drain: false, gracefulShutdown: false, operational: true, endpoints: 0 },
    });
  });

  it('fails when Jicofo does not answer, so the wait tries again', async () => {
    const stopped = bashRunner({}, [[`127.0.0.1:${PORTS.jicofoRest}`, '127.0.0.1:9']]);
    expect((await stopped(JICOFO_BRIDGES_COMMAND, 30)).exitCode).not.toBe(0);
    expect(parseJicofoBridges('')).toBeUndefined();
    expect(parseJicofoBridges('[]')).toBeUndefined();
  });
});

/** A channel whose bridges follow a scripted timeline of Jicofo readings, on a fake clock. */
function fakeChannel(readings: (Record<string, { drain: boolean; endpoints: number }> | 'fail')[], options: { refuseRequest?: boolean } = {}) {
  let clock = 1_800_000_000_000;
  const sent: string[] = [];
  const send = async (script: string): Promise<HostAnswer> => {
    sent.push(script);
    if (script !== JICOFO_BRIDGES_COMMAND) return options.refuseRequest ? { state: 'no-answer', stdout: '', detail: 'the channel did not answer within 60s' } : { state: 'answered', stdout: '' };
    const reading = readings.length > 1 ? readings.shift()! : readings[0]!;
    return reading === 'fail' ? { state: 'failed', stdout: '', exitCode: 7, detail: 'the script ended with exit code 7' } : { state: 'answered', stdout: JSON.stringify(reading) };
  };
  const lines: string[] = [];
  return {
    sent,
    lines,
    options: { send, progress: (l: string) => lines.push(l), now: () => clock, sleep: async (ms: number) => void (clock += ms), pollMs: 15_000 },
    elapsed: () => clock - 1_800_000_000_000,
  };
}

const bridges = [{ id: '4711', name: 'bridges-3' }, { id: '4712', name: 'bridges-4' }];

describe('drainAhead', () => {
  it('asks first, then reads until every leaving bridge is empty in drain mode or gone, saying each change once', async () => {
    const ch = fakeChannel([
      { '4711': { drain: false, endpoints: 4 }, '4712': { drain: false, endpoints: 1 }, '9': { drain: false, endpoints: 7 } },
      { '4711': { drain: true, endpoints: 4 }, '4712': { drain: true, endpoints: 1 } },
      { '4711': { drain: true, endpoints: 4 }, '4712': { drain: true, endpoints: 1 } },
      'fail',
      { '4711': { drain: true, endpoints: 2 } },
      { '4711': { drain: true, endpoints: 0 } },
    ]);
    const report = await drainAhead(bridges, { ...ch.options, waitMs: 3_600_000 });
    expect(ch.sent[0]).toContain('for id in 4711 4712; do');
    expect(ch.sent.slice(1).every((s) => s === JICOFO_BRIDGES_COMMAND)).toBe(true);
    expect(report).toEqual({ ok: true, waitedMs: 75_000, bridges: [{ ...bridges[0], state: 'drained' }, { ...bridges[1], state: 'gone' }] });
    expect(ch.lines).toEqual([
      'asking 2 leaving bridges (4711, 4712) to take no new meetings, through the signaling node',
      'draining: 4711 not yet in drain mode, 4712 not yet in drain mode',
      'draining: 4711 4 participants, 4712 1 participant',
      "could not read Jicofo's bridges on the signaling node (the script ended with exit code 7); trying again",
      "draining: 4711 2 participants, 4712 not in Jicofo's list (stopped)",
      "draining: 4711 empty, 4712 not in Jicofo's list (stopped)",
    ]);
    expect(drainSummary(report)).toBe('4711 drained; 4712 already stopped');
  });

  it('the request expires after the wait and a margin, so a request an interrupted deploy left lapses', async () => {
    const ch = fakeChannel([{ '4711': { drain: true, endpoints: 0 } }]);
    await drainAhead([bridges[0]!], { ...ch.options, waitMs: 600_000 });
    expect(ch.sent[0]).toContain(`printf '%s\\n' ${1_800_000_000 + 600 + 900} >`);
  });

  it('stops waiting at the bound: the bridges still busy are named with their participants', async () => {
    const ch = fakeChannel([{ '4711': { drain: true, endpoints: 3 }, '4712': { drain: true, endpoints: 0 } }]);
    const report = await drainAhead(bridges, { ...ch.options, waitMs: 10 * 60_000 });
    expect(ch.elapsed()).toBeLessThanOrEqual(10 * 60_000);
    expect(ch.elapsed()).toBeGreaterThan(10 * 60_000 - 15_000);
    expect(report.bridges).toEqual([{ ...bridges[0], state: 'busy', endpoints: 3 }, { ...bridges[1], state: 'drained' }]);
    // Nothing changes for ten minutes: said at the start, then every five minutes with how long so far.
    expect(ch.lines.slice(1)).toEqual([
      'draining: 4711 3 participants, 4712 empty',
      'draining: 4711 3 participants, 4712 empty (5m of at most 10m)',
      'draining: 4711 3 participants, 4712 empty (10m of at most 10m)',
    ]);
    expect(drainSummary(report)).toBe('4711 still had 3 participants when the wait ended (they reconnect to another bridge); 4712 drained');
  });

  it('a bridge that never enters drain mode does not follow requests (it booted before them): not waited for past the bound on following', async () => {
    const ch = fakeChannel([{ '4711': { drain: false, endpoints: 5 } }]);
    const report = await drainAhead([bridges[0]!], { ...ch.options, waitMs: 3_600_000 });
    expect(report.bridges).toEqual([{ ...bridges[0], state: 'not-following' }]);
    expect(ch.elapsed()).toBeGreaterThanOrEqual(DRAIN_FOLLOW_MS);
    expect(ch.elapsed()).toBeLessThan(DRAIN_FOLLOW_MS + 15_000);
    expect(drainSummary(report)).toContain('does not follow drain requests');
  });

  it('a channel that does not take the requests: not ok, nothing read, the reason kept', async () => {
    const ch = fakeChannel([{}], { refuseRequest: true });
    const report = await drainAhead(bridges, { ...ch.options, waitMs: 3_600_000 });
    expect(report).toEqual({ ok: false, waitedMs: 0, bridges: [], failure: 'the drain requests could not be written on the signaling node: the channel did not answer within 60s' });
    expect(ch.sent).toHaveLength(1);
  });
});
