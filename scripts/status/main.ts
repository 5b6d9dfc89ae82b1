// `npm run status -- --stack NAME`: gathers the report, prints it, and turns its problems into the
// exit code.
import { EXIT } from '../lib/cli.ts';
import { collectStatus } from './collect.ts';
import { REAL_STATUS_DEPS, type StatusDeps } from './deps.ts';
import { statusText } from './report.ts';
import type { StatusOptions } from './usage.ts';

export async function statusMain(options: StatusOptions, deps: StatusDeps = REAL_STATUS_DEPS): Promise<number> {
  const spec = deps.loadSpec(options.stack);
  await deps.requireCredentials(spec.region);
  const report = await collectStatus(spec, deps, options.timeoutMs);
  deps.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : statusText(report));
  return report.problems.length === 0 ? EXIT.OK : EXIT.FAILED;
}
