// Commands on the hosts, through SSM Run Command only, so nothing new is exposed publicly. The
// interface is the seam tests use: SSM's emulator runs no commands.
import { GetCommandInvocationCommand, SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** How a host answered: with success, with a failure, or not within the bound. */
export type AnswerState = 'answered' | 'failed' | 'no-answer';

export interface HostAnswer {
  state: AnswerState;
  stdout: string;
  /** SSM's status and why, when the host did not answer with success. */
  detail?: string;
  /** The script's exit code, when the host ran it and says (the channel does). */
  exitCode?: number;
}

export interface RunOptions {
  /** How long to wait for every host before reporting the rest as not answering. */
  timeoutMs: number;
  /** Told as each host answers (for progress). */
  onAnswer?: (instanceId: string, answer: HostAnswer) => void;
  /** What the command does, as SSM's command history shows it. */
  comment: string;
}

export interface HostCommands {
  /** Runs one shell script on each instance; an answer (or the reason there is none) per instance id. */
  run(instanceIds: readonly string[], script: string, options: RunOptions): Promise<Map<string, HostAnswer>>;
}

/** SendCommand takes at most this many instance ids. */
const MAX_INSTANCES_PER_COMMAND = 50;

/** Invocation statuses that mean "not finished yet". */
const WAITING = new Set(['Pending', 'InProgress', 'Delayed']);

export interface SsmHostCommandsOptions {
  /** Between two GetCommandInvocation calls for the same host. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class SsmHostCommands implements HostCommands {
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly ssm: SSMClient,
    options: SsmHostCommandsOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  async run(instanceIds: readonly string[], script: string, options: RunOptions): Promise<Map<string, HostAnswer>> {
    const answers = new Map<string, HostAnswer>();
    const deadline = this.now() + options.timeoutMs;
    const batches: string[][] = [];
    for (let i = 0; i < instanceIds.length; i += MAX_INSTANCES_PER_COMMAND) batches.push(instanceIds.slice(i, i + MAX_INSTANCES_PER_COMMAND));
    await Promise.all(
      batches.map(async (batch) => {
        const sent = await this.ssm.send(
          new SendCommandCommand({
            DocumentName: 'AWS-RunShellScript',
            InstanceIds: batch,
            Parameters: { commands: [script] },
            // SSM's own bound on the script.
            TimeoutSeconds: Math.max(30, Math.ceil(options.timeoutMs / 1000)),
            Comment: options.comment,
          }),
        );
        const commandId = sent.Command?.CommandId;
        if (!commandId) throw new Error('SSM SendCommand returned no command id');
        await Promise.all(
          batch.map(async (instanceId) => {
            const answer = await this.waitFor(commandId, instanceId, deadline);
            answers.set(instanceId, answer);
            options.onAnswer?.(instanceId, answer);
          }),
        );
      }),
    );
    return answers;
  }

  private async waitFor(commandId: string, instanceId: string, deadline: number): Promise<HostAnswer> {
    let status = 'Pending';
    let detail = '';
    for (;;) {
      try {
        const invocation = await this.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
        status = invocation.Status ?? 'Pending';
        detail = invocation.StatusDetails ?? status;
        if (status === 'Success') return { state: 'answered', stdout: invocation.StandardOutputContent ?? '' };
        if (!WAITING.has(status)) return { state: 'failed', stdout: invocation.StandardOutputContent ?? '', detail: `SSM Run Command ${detail}` };
      } catch (error) {
        // The invocation appears a moment after SendCommand returns.
        if ((error as { name?: string }).name !== 'InvocationDoesNotExist') throw error;
      }
      if (this.now() >= deadline) {
        return { state: 'no-answer', stdout: '', detail: `no answer through SSM within the bound (last status ${status}); is the SSM agent running and the instance online?` };
      }
      await this.sleep(this.pollMs);
    }
  }
}
