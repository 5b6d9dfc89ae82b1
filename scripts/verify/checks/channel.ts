// The operator channel of Hetzner Cloud and OpenStack stacks (infra/channel.ts) from outside: a
// request that is not signed with the stack's key must be refused with the channel's JSON error
// and nothing else. It carries well-formed headers and a signature of random bytes, so it reaches
// the signature check itself; the script it names would only print a marker.
import { randomBytes } from 'node:crypto';
import { CHANNEL_HEADERS, CHANNEL_PATH } from '../../../infra/channel.ts';
import type { HttpResponse } from '../net/http.ts';
import { type CheckDefinition, afterFetching, fail, pass, skip } from './define.ts';

const unsignedRequest = () => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    [CHANNEL_HEADERS.time]: String(Math.floor(Date.now() / 1000)),
    [CHANNEL_HEADERS.nonce]: randomBytes(16).toString('hex'),
    [CHANNEL_HEADERS.signature]: randomBytes(64).toString('base64'),
  },
  body: JSON.stringify({ script: 'echo jitsi-eu-verify-unsigned', timeoutSeconds: 1 }),
});

export function judgeUnsignedAnswer(response: Pick<HttpResponse, 'status' | 'body'>): ReturnType<typeof pass> {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  const keys = json && typeof json === 'object' ? Object.keys(json) : [];
  if (/jitsi-eu-verify-unsigned/.test(response.body) || keys.includes('exitCode') || keys.includes('stdout')) {
    return fail(`${CHANNEL_PATH} ran a request that was not signed (HTTP ${response.status}): anyone can run commands as root on the signaling node. Stop the channel service on the host and redeploy`);
  }
  if (response.status === 404) return fail(`${CHANNEL_PATH} answers 404: the signaling node has no channel, so deploy and accounts cannot reach it; run npm run deploy once`);
  if (response.status !== 401) return fail(`${CHANNEL_PATH} answered an unsigned request with HTTP ${response.status}, not 401: expected the channel's refusal`);
  if (keys.length !== 1 || keys[0] !== 'error') return fail(`${CHANNEL_PATH} refused with 401 but its body is not the channel's JSON error alone (${keys.length ? `keys: ${keys.join(', ')}` : 'not JSON'})`);
  return pass(`${CHANNEL_PATH} refuses a request not signed with the stack's key (401, JSON error only)`);
}

const refusesUnsigned: CheckDefinition = {
  id: 'http-channel-refuses-unsigned',
  title: "The operator channel refuses a request not signed with the stack's key",
  area: 'http',
  mode: 'external',
  description:
    "Hetzner Cloud and OpenStack stacks: a POST to the channel path (/_jitsi-eu/channel/run) with a signature that is not the stack's is refused with 401 and the channel's JSON error, and runs nothing. Skipped on AWS, which has no such path.",
  run: async (ctx) => {
    if (ctx.spec.cloud === 'aws') return skip('AWS stacks have no channel path: SSM Run Command reaches their hosts');
    return afterFetching((c) => c.https(CHANNEL_PATH, unsignedRequest()), judgeUnsignedAnswer, CHANNEL_PATH)(ctx);
  },
};

export const CHANNEL_CHECKS: readonly CheckDefinition[] = [refusesUnsigned];
