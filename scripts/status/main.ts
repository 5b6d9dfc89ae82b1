// `npm run status -- --stack NAME`: gathers the report, prints it, and turns its problems into the
// exit code.
import { EXIT, UsageError } from '../lib/cli.ts';
import { collectStatus } from './collect.ts';
import { REAL_STATUS_DEPS, type StatusDeps } from './deps.ts';
import { statusText } from './report.ts';
import type { StatusOptions } from './usage.ts';

export async function statusMain(options: StatusOptions, deps: StatusDeps = REAL_STATUS_DEPS): Promise<number> {
  const spec = deps.loadSpec(options.stack);
  if (options.resolve && options.resolve.host !== spec.domain) {
    throw new UsageError(`--resolve ${options.resolve.host}:${options.resolve.ip}: the stack's host name is ${spec.domain}`);
  }
  if (spec.cloud !== 'aws') {
    const { cloudStatusMain } = await import('./cloud.ts');
    return cloudStatusMain({ ...spec, cloud: spec.cloud }, options, deps);
  }
  await deps.requireCredentials(spec.region);
  const report = await collectStatus(spec, deps, options.timeoutMs, options.resolve?.ip);
  deps.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : statusText(report));
  return report.problems.length === 0 ? EXIT.OK : EXIT.FAILED;
}
