// `npm run state -- restore --stack NAME --from FILE`: a backup imported into the backend in
// use, replacing the stack's current state after confirmation, then read back and compared.
import { readFileSync } from 'node:fs';
import { EXIT, UsageError, style } from '../lib/cli.ts';
import { PulumiCommandError, chooseBackend, redactUrl } from '../lib/workspace.ts';
import type { StateDeps } from './deps.ts';
import { StateCopyError, importAndVerify, readStack, type StackSnapshot } from './move.ts';
import { parseDeployment, resourceCount } from './pulumi-cli.ts';

export interface RestoreOptions {
  stack: string;
  from: string;
  yes: boolean;
  json: boolean;
}

export async function restoreState(options: RestoreOptions, deps: StateDeps): Promise<number> {
  const { stack } = options;
  let text: string;
  try {
    text = readFileSync(options.from, 'utf8');
  } catch (error) {
    throw new UsageError(`--from ${options.from} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const deployment = parseDeployment(text, `--from ${options.from}`);
  const backup: StackSnapshot = { text, deployment, resources: resourceCount(deployment) };
  const pulumi = deps.pulumi(deps.env, deps.projectDir);
  const backend = chooseBackend(deps.env, deps.home);
  const where = backend.isDefault ? `the local state folder ${backend.localDir}` : redactUrl(backend.url);
  const exists = (await pulumi.stackNames(backend.url)).includes(stack);
  const current = exists ? (await readStack(pulumi, backend.url, stack)).resources : undefined;

  deps.note(
    `Restore stack ${stack} in ${where} from ${options.from} (${backup.resources} resources).\n` +
      (current === undefined ? `The stack does not exist there yet and will be created.\n` : `Its current state (${current} resources) will be replaced.\n`),
  );
  if (!options.yes) {
    const go = await deps.confirm(`Replace the state of ${stack}? Type the stack name to confirm [${stack}]:`, stack);
    if (!go) throw new UsageError('not confirmed: nothing was changed');
  }
  try {
    await importAndVerify(pulumi, backend.url, stack, backup, !exists, deps.progress);
  } catch (error) {
    if (!(error instanceof PulumiCommandError || error instanceof StateCopyError)) throw error;
    deps.note(`${style.fail('error:', process.stderr)} ${error.message}\n`);
    return EXIT.FAILED;
  }
  const report = { stack, from: options.from, resources: backup.resources, backend: redactUrl(backend.url), created: !exists };
  if (options.json) deps.out(`${JSON.stringify(report, null, 2)}\n`);
  else deps.out(`Restored stack ${stack} (${backup.resources} resources, verified) in ${where}.\n`);
  return EXIT.OK;
}
