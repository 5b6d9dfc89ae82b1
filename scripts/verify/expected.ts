// What verify expects of a deployment. With a stack, the expectations are that stack's spec (and
// the privacy profile rendered from it); without one, they are jitsi-eu's defaults for the URL's
// host — the spec `npm run render` would produce from a stack file naming only the domain.
import { specFromConfig, stackFileFor, fqdnProblem } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { UsageError, loadSpecOrThrow } from '../lib/cli.ts';

export interface Expectations {
  spec: DeploymentSpec;
  /** Where the expectations came from, for the report header. */
  source: string;
  /** False when no stack was given: any allowed region is accepted. */
  fromStack: boolean;
}

/** Region assumed for the default spec; region checks accept any allowed region then. */
const DEFAULT_REGION = 'eu-central-1';

/**
 * The spec for a URL's host when no stack is given: every setting at its jitsi-eu default
 * (secure auth, lobby on, P2P off, own TURN, Let's Encrypt).
 */
export function defaultSpecForHost(host: string): DeploymentSpec {
  const problem = fqdnProblem(host);
  if (problem) throw new UsageError(`--url host ${host} ${problem}`);
  const result = specFromConfig(
    { 'aws:region': DEFAULT_REGION, 'jitsi-eu:domain': host, 'jitsi-eu:acmeEmail': `hostmaster@${host}` },
    { stack: 'verify-defaults' },
  );
  if (!result.ok) throw new UsageError([`cannot build default expectations for ${host}:`, ...result.problems.map((p) => `  ${p.message}`)]);
  return result.spec;
}

export interface ExpectationInput {
  host?: string;
  stack?: string;
  stackFile?: string;
  spec?: DeploymentSpec;
}

export function expectationsFor(input: ExpectationInput): Expectations {
  if (input.spec) return { spec: input.spec, source: `stack ${input.spec.stack}`, fromStack: true };
  if (input.stack || input.stackFile) {
    const path = input.stackFile ?? stackFileFor(input.stack!);
    const { spec } = loadSpecOrThrow(path, input.stack);
    return { spec, source: `stack ${spec.stack} (${path})`, fromStack: true };
  }
  if (!input.host) throw new UsageError('missing --url https://DOMAIN (or --stack NAME to take the domain from the stack)');
  return { spec: defaultSpecForHost(input.host), source: 'jitsi-eu defaults (no --stack given)', fromStack: false };
}
