// A STUN Binding Request over UDP with a hard deadline. The `stun` package encodes and decodes
// the messages; the socket is ours so it is always closed when the deadline passes.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import stun from 'stun';

export type StunProbe =
  | { ok: true; mapped: string; ms: number }
  | { ok: false; reason: string; ms: number };

export function stunBinding(ip: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<StunProbe> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(ip) ? 'udp6' : 'udp4');
    const request = stun.createMessage(stun.constants.STUN_BINDING_REQUEST);
    const packet = stun.encode(request);
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (result: StunProbe) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      signal?.removeEventListener('abort', onAbort);
      socket.close();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, reason: 'the run ended first', ms: Date.now() - started });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, reason: error.code ?? error.message, ms: Date.now() - started }),
    );
    socket.on('message', (data: Buffer) => {
      let message;
      try {
        message = stun.decode(data);
      } catch {
        return; // not STUN: keep waiting
      }
      if (!message.transactionId.equals(request.transactionId)) return;
      if (message.type !== stun.constants.STUN_BINDING_RESPONSE) {
        finish({ ok: false, reason: `error response (type 0x${message.type.toString(16)})`, ms: Date.now() - started });
        return;
      }
      const mapped = message.getXorAddress() ?? message.getAddress();
      finish({ ok: true, mapped: mapped ? `${mapped.address}:${mapped.port}` : 'no mapped address', ms: Date.now() - started });
    });
    // UDP may drop a datagram: send again at a third and two thirds of the deadline.
    const send = () => socket.send(packet, port, ip);
    send();
    timers.push(setTimeout(send, timeoutMs / 3), setTimeout(send, (2 * timeoutMs) / 3));
    timers.push(setTimeout(() => finish({ ok: false, reason: `no answer within ${timeoutMs} ms`, ms: Date.now() - started }), timeoutMs));
  });
}
