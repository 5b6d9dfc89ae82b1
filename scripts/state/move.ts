// Copying a stack's state into a backend: export, create the stack there when needed, import,
// read it back and compare the resource count. Nothing is ever deleted: when a step fails the
// original state is untouched and still the one in use.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactUrl } from '../lib/workspace.ts';
import { parseDeployment, resourceCount, secretsProviderOf, type Deployment, type PulumiCli } from './pulumi-cli.ts';

/** A step of the move or restore failed, or its result does not match (exit 1). */
export class StateCopyError extends Error {}

export interface StackSnapshot {
  /** The export exactly as Pulumi printed it. */
  text: string;
  deployment: Deployment;
  resources: number;
}

export async function readStack(pulumi: PulumiCli, backendUrl: string, stack: string): Promise<StackSnapshot> {
  const text = await pulumi.exportStack(backendUrl, stack);
  const deployment = parseDeployment(text, `the state of stack ${stack} in ${redactUrl(backendUrl)}`);
  return { text, deployment, resources: resourceCount(deployment) };
}

export type MoveOutcome = 'moved' | 'already-there';

/**
 * Copies `source` into `targetUrl`. A stack already there with the same number of resources is
 * taken as an earlier move ('already-there'); an empty one (a move that stopped after creating
 * it) is filled; any other is refused, never overwritten.
 */
export async function copyStackState(pulumi: PulumiCli, targetUrl: string, stack: string, source: StackSnapshot, progress: (m: string) => void): Promise<MoveOutcome> {
  const where = redactUrl(targetUrl);
  const exists = (await pulumi.stackNames(targetUrl)).includes(stack);
  if (exists) {
    const there = await readStack(pulumi, targetUrl, stack);
    if (there.resources === source.resources) return 'already-there';
    if (there.resources !== 0) {
      throw new StateCopyError(
        `stack ${stack} already exists in ${where} with ${there.resources} resources (the current state has ${source.resources}); ` +
          'it is not overwritten. If the copy there is the one your team uses, set PULUMI_BACKEND_URL to it instead; ' +
          'otherwise back it up with `npm run state -- backup` and remove it first.',
      );
    }
  }
  await importAndVerify(pulumi, targetUrl, stack, source, !exists, progress);
  return 'moved';
}

/** Imports the snapshot as `stack` (creating it first when asked), then checks what Pulumi reads back. */
export async function importAndVerify(pulumi: PulumiCli, targetUrl: string, stack: string, source: StackSnapshot, create: boolean, progress: (m: string) => void): Promise<void> {
  const where = redactUrl(targetUrl);
  if (create) {
    progress(`creating stack ${stack} in ${where}`);
    await pulumi.initStack(targetUrl, stack, secretsProviderOf(source.deployment, pulumi.defaultSecretsProvider));
  }
  // The export holds the stack's encrypted secrets: a private folder, removed right after.
  const dir = mkdtempSync(join(tmpdir(), 'jitsi-eu-state-'));
  try {
    const file = join(dir, `${stack}.json`);
    writeFileSync(file, source.text, { mode: 0o600 });
    progress(`importing ${source.resources} resources into ${where}`);
    await pulumi.importStack(targetUrl, stack, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const back = await readStack(pulumi, targetUrl, stack);
  if (back.resources !== source.resources) {
    throw new StateCopyError(`the state imported into ${where} has ${back.resources} resources, not ${source.resources}; the original state is unchanged`);
  }
}
