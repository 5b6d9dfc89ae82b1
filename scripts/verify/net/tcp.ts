// A single TCP connect attempt, classified the way a firewall audit needs it: a security group
// without a matching rule drops packets silently (filtered), a host that lets packets through to
// a port nobody listens on answers with a reset (refused).
import { connect } from 'node:net';

export type TcpState = 'open' | 'refused' | 'filtered' | 'unreachable';

export interface TcpProbe {
  state: TcpState;
  /** Error code or a short reason, for the detail line. */
  reason: string;
  ms: number;
}

export function probeTcp(ip: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<TcpProbe> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    let settled = false;
    const finish = (state: TcpState, reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ state, reason, ms: Date.now() - started });
    };
    const onAbort = () => finish('filtered', 'aborted');
    const timer = setTimeout(() => finish('filtered', `no answer within ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish('open', 'connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      if (code === 'ECONNREFUSED') finish('refused', code);
      else if (code === 'ETIMEDOUT') finish('filtered', code);
      else finish('unreachable', code);
    });
  });
}
