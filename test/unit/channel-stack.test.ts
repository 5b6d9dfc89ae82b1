// Reading a stack's channel from its outputs: a stack deployed before the channel existed is told
// how to get one; extra CAs come from JITSI_EU_CHANNEL_CA, and a file that is not there is named.
import { describe, expect, it } from 'vitest';
import { channelCaFrom, channelTarget } from '../../scripts/lib/channel/stack.ts';
import { UsageError } from '../../scripts/lib/cli.ts';
import type { StackOutputs } from '../../scripts/lib/workspace.ts';
import { channelKeyPair } from '../helpers/channel-host.ts';

const spec = { stack: 'meet', domain: 'meet.example.eu' };
const { privateKeyPem } = channelKeyPair();

describe('channelTarget', () => {
  it('takes the URL and the secret key from the outputs, and signs for the stack domain', () => {
    const target = channelTarget({ channelUrl: { value: 'https://meet.example.eu/_jitsi-eu/channel/run', secret: false }, channelPrivateKey: { value: privateKeyPem, secret: true } }, spec);
    expect(target).toEqual({ url: 'https://meet.example.eu/_jitsi-eu/channel/run', domain: 'meet.example.eu', privateKeyPem, stack: 'meet' });
  });

  it('a stack without the channel outputs: a usage error saying to deploy once, and what that replaces', () => {
    const cases: StackOutputs[] = [{}, { channelUrl: { value: 'https://meet.example.eu/_jitsi-eu/channel/run', secret: false } }, { channelPrivateKey: { value: '[secret]', secret: true }, channelUrl: { value: 'x', secret: false } }];
    for (const outputs of cases) {
      let error: unknown;
      try {
        channelTarget(outputs, spec);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).lines).toEqual([
        'stack meet has no operator channel yet (its outputs lack channelUrl and channelPrivateKey): it was deployed before jitsi-eu had one.',
        'Run npm run deploy -- --stack meet once: it adds the channel (the signaling node is replaced once, ending meetings on it).',
      ]);
    }
  });
});

describe('channelCaFrom', () => {
  it('none by default; a missing file is a usage error naming it and the variable', () => {
    expect(channelCaFrom({})).toEqual([]);
    expect(() => channelCaFrom({ JITSI_EU_CHANNEL_CA: '/nonexistent/ca.pem' })).toThrow("JITSI_EU_CHANNEL_CA: cannot read /nonexistent/ca.pem (ENOENT): give PEM files of CA certificates, separated by ':'");
  });
});
