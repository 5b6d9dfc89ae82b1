// Asking before a deploy changes anything: on a terminal the operator answers after reading the
// preview; anywhere else (CI, cron, a pipe) nobody can, so deploy stops and says to pass --yes.
import { UsageError } from '../lib/cli.ts';

export interface Confirmation {
  /** --yes: the caller has confirmed already. */
  yes: boolean;
  /** Whether someone at a terminal can answer. */
  interactive: boolean;
  /** Asks one question and resolves to the typed answer. */
  ask: (question: string) => Promise<string>;
}

/** Resolves when the deploy may go ahead; a UsageError (exit 2) when it may not. */
export async function confirmDeploy(stack: string, confirmation: Confirmation): Promise<void> {
  if (confirmation.yes) return;
  if (!confirmation.interactive) {
    throw new UsageError([
      `deploy of ${stack} needs a confirmation, and this is not a terminal, so nobody can give it: nothing was changed.`,
      `Read the preview (npm run deploy -- --stack ${stack} --preview-only), then run again with --yes to deploy without asking.`,
    ]);
  }
  const answer = await confirmation.ask(`Deploy these changes to ${stack}? [y/N] `);
  if (!/^\s*y(es)?\s*$/i.test(answer)) throw new UsageError('not confirmed: nothing was changed');
}

/** The real terminal: zx's question on stderr, so stdout stays clean for --json. */
export const TERMINAL_CONFIRMATION = {
  interactive: () => Boolean(process.stdin.isTTY && process.stderr.isTTY),
  ask: async (question: string) => {
    const { question: ask } = await import('zx');
    return ask(question, { output: process.stderr, choices: ['yes', 'no'] });
  },
};
