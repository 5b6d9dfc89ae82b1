// Jicofo's view of its videobridges, read on the signaling node from its loopback debug state
// (jicofo's BridgeSelector: one entry per bridge in the brewery, keyed by its full MUC JID, whose
// resource is the bridge's nickname: its server id). The host reduces it to what jitsi-eu needs,
// so room names and everything else in the debug state stay there.
import { PORTS } from '../../infra/ports.ts';

export interface JicofoBridge {
  /** Drain mode: no new meetings unless no other bridge is left. */
  drain: boolean;
  /** Graceful shutdown: no new meetings; the bridge stops once it is empty. */
  gracefulShutdown: boolean;
  /** Jicofo places meetings there (its health checks pass). */
  operational: boolean;
  /** Participants jicofo has placed on it. */
  endpoints: number;
  version?: string;
}

/** Prints one JSON object: bridge nickname → what jitsi-eu reads of it; fails when jicofo does not answer. */
export const JICOFO_BRIDGES_COMMAND = [
  `curl -fsS --max-time 10 http://127.0.0.1:${PORTS.jicofoRest}/debug | python3 -c '`,
  'import json, sys',
  'bridges = json.load(sys.stdin).get("bridge_selector", {}).get("bridge", {})',
  'keys = ("drain", "graceful-shutdown", "operational", "endpoints", "version")',
  'print(json.dumps({jid.rsplit("/", 1)[-1]: {k: b.get(k) for k in keys} for jid, b in bridges.items()}))',
  "'",
].join('\n');

/** The command's output; undefined when it is not that. */
export function parseJicofoBridges(text: string): Record<string, JicofoBridge> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return Object.fromEntries(
    Object.entries(parsed as Record<string, Record<string, unknown> | null>).map(([id, b]) => [
      id,
      {
        drain: b?.drain === true,
        gracefulShutdown: b?.['graceful-shutdown'] === true,
        operational: b?.operational !== false,
        endpoints: typeof b?.endpoints === 'number' && b.endpoints >= 0 ? b.endpoints : 0,
        ...(typeof b?.version === 'string' && b.version !== 'null' ? { version: b.version } : {}),
      },
    ]),
  );
}
