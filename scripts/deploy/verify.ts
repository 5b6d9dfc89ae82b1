// The live verification that ends a deploy: `runVerify` from scripts/verify/run.ts, given what the
// deploy already knows (the validated spec, and the Elastic IP so no resolver cache interferes).
// Loaded on first use: it brings in the TLS, HTTP and browser checks.
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { VerifyReport } from '../verify/types.ts';

export type { VerifyReport } from '../verify/types.ts';

export interface VerifyRequest {
  url: string;
  spec: DeploymentSpec;
  host: string;
  ip: string;
  timeoutMs: number;
  /** Where the checks report as they go. */
  progress?: (message: string) => void;
}

export type VerifyRunner = (request: VerifyRequest) => Promise<VerifyReport>;

/** The live verification, or the reason it cannot run in this checkout. */
export async function loadVerifyRunner(): Promise<{ run: VerifyRunner } | { missing: string }> {
  let module: typeof import('../verify/run.ts');
  try {
    module = await import('../verify/run.ts');
  } catch (error) {
    return { missing: `the live verification could not be loaded: ${(error as Error).message}` };
  }
  return {
    run: (request) =>
      module.runVerify({
        url: request.url,
        stack: request.spec.stack,
        spec: request.spec,
        resolve: [`${request.host}:${request.ip}`],
        timeoutSeconds: Math.max(1, Math.round(request.timeoutMs / 1000)),
        ...(request.progress ? { onProgress: request.progress } : {}),
      }),
  };
}
