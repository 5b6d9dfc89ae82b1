// The deployment's own STUN/TURN server (coturn): it must answer, since clients are given no
// other STUN server.
import { PORTS } from '../../../infra/ports.ts';
import { stunBinding } from '../net/stun.ts';
import { type CheckDefinition, fail, pass, skip } from './define.ts';

const stunAnswers: CheckDefinition = {
  id: 'turn-stun-answers',
  title: "The deployment's STUN server answers",
  area: 'turn',
  mode: 'external',
  description: 'A STUN Binding Request to udp/3478 gets a Binding Response with a mapped address (when the stack runs TURN).',
  async run(ctx) {
    if (!ctx.spec.turn) return skip('the stack runs no TURN server (jitsi-eu:turn false)');
    const port = ctx.port(PORTS.turn);
    const probe = await stunBinding(ctx.ip, port, Math.min(3000, ctx.probeTimeoutMs), ctx.signal);
    if (!probe.ok) return fail(`udp/${port}: ${probe.reason}; is coturn running and udp/3478 open in the security group?`);
    return pass(`udp/${port} answered in ${probe.ms} ms (mapped address ${probe.mapped})`);
  },
};

export const TURN_CHECKS: CheckDefinition[] = [stunAnswers];
