// SsmHostCommands' bounded wait, with a stand-in SSM client and clock: a host whose invocation never
// finishes is reported as not answering when the bound is reached, while the others answer.
import type { SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SsmHostCommands } from '../../scripts/lib/host-commands.ts';

function fakeSsm(statusOf: (instanceId: string, call: number) => { Status: string; StandardOutputContent?: string; StatusDetails?: string } | 'not-yet', sent: string[][] = []) {
  const calls = new Map<string, number>();
  return {
    send: async (command: { constructor: { name: string }; input: { InstanceId?: string; InstanceIds?: string[] } }) => {
      if (command.constructor.name === 'SendCommandCommand') {
        sent.push(command.input.InstanceIds!);
        return { Command: { CommandId: `cmd-${sent.length}` } };
      }
      const id = command.input.InstanceId!;
      const call = (calls.get(id) ?? 0) + 1;
      calls.set(id, call);
      const status = statusOf(id, call);
      if (status === 'not-yet') throw Object.assign(new Error('no invocation yet'), { name: 'InvocationDoesNotExist' });
      return status;
    },
  } as unknown as SSMClient;
}

describe('SsmHostCommands', () => {
  it('answers per host: success, failure, and no answer within the bound', async () => {
    let clock = 0;
    const ssm = fakeSsm((id, call) => {
      if (id === 'i-ok') return call < 3 ? (call === 1 ? 'not-yet' : { Status: 'InProgress' }) : { Status: 'Success', StandardOutputContent: 'hello' };
      if (id === 'i-failed') return { Status: 'Failed', StatusDetails: 'Failed', StandardOutputContent: '' };
      return { Status: 'InProgress' };
    });
    const commands = new SsmHostCommands(ssm, { pollMs: 1000, now: () => clock, sleep: async (ms) => void (clock += ms) });
    const answers = await commands.run(['i-ok', 'i-failed', 'i-silent'], 'true', { timeoutMs: 10_000, comment: 'test' });
    expect(answers.get('i-ok')).toEqual({ state: 'answered', stdout: 'hello' });
    expect(answers.get('i-failed')).toMatchObject({ state: 'failed', detail: 'SSM Run Command Failed' });
    expect(answers.get('i-silent')?.state).toBe('no-answer');
    expect(answers.get('i-silent')?.detail).toMatch(/no answer through SSM within the bound \(last status InProgress\)/);
    // The wait stopped at the bound, not later.
    expect(clock).toBeGreaterThanOrEqual(10_000);
    expect(clock).toBeLessThan(12_000);
  });

  it('sends at most 50 instance ids per command, as SSM allows', async () => {
    const sent: string[][] = [];
    const ssm = fakeSsm(() => ({ Status: 'Success', StandardOutputContent: 'ok' }), sent);
    const ids = Array.from({ length: 120 }, (_, i) => `i-${String(i).padStart(3, '0')}`);
    const answers = await new SsmHostCommands(ssm, { sleep: async () => undefined }).run(ids, 'true', { timeoutMs: 1000, comment: 'test' });
    expect(sent.map((batch) => batch.length)).toEqual([50, 50, 20]);
    expect(sent.flat()).toEqual(ids);
    expect(answers.size).toBe(120);
  });
});
