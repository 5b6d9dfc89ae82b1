// Asking before destroying: on a terminal the user types the answer; anywhere else (cron, CI, a
// pipe) there is nobody to ask, so the command stops and says to pass --yes.
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../lib/cli.ts';

/** Resolves true only when the typed answer equals `expected` (case-insensitive). */
export type Confirm = (question: string, expected: string) => Promise<boolean>;

export const confirmOnTerminal: Confirm = async (question, expected) => {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError([`${question.replace(/\s*\[.*$/, '')}: not on a terminal, so nobody can confirm.`, 'Pass --yes to go ahead without asking.']);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} `);
    return answer.trim().toLowerCase() === expected.toLowerCase();
  } finally {
    rl.close();
  }
};
