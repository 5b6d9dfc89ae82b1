// Valid DeploymentSpecs for tests, built directly (no stack file), plus every variant the
// templates must handle.
import type { AuthMode, DeploymentSpec, Topology } from '../../infra/spec/types.ts';
import { PINNED_JITSI_RELEASE } from '../../infra/privacy/upstream.ts';

export function makeSpec(overrides: Partial<DeploymentSpec> = {}): DeploymentSpec {
  const base: DeploymentSpec = {
    stack: 'test',
    project: 'jitsi-eu',
    cloud: 'aws',
    region: 'eu-central-1',
    country: 'DE',
    regionLabel: 'Frankfurt, Germany',
    provider: 'Amazon Web Services EMEA SARL (Luxembourg), part of Amazon.com, Inc. (United States)',
    partition: 'aws',
    residency: 'eu',
    allowNonEuRegion: false,
    domain: 'meet.example.org',
    tls: 'letsencrypt',
    acmeEmail: 'ops@example.org',
    topology: 'single',
    instanceType: 'c6i.xlarge',
    auth: 'secure',
    lobby: true,
    p2p: false,
    turn: true,
    organization: 'Example University',
    privacyContact: 'privacy@example.org',
    legalBasis: 'legitimate-interest',
    noticeTranslations: [],
    embedOrigins: [],
    ipv6: false,
    jitsiVersion: PINNED_JITSI_RELEASE,
    sandbox: false,
  };
  const spec = { ...base, ...overrides };
  if (spec.topology === 'scalable' && !spec.bridges) spec.bridges = { min: 1, max: 4, instanceType: 'c6i.2xlarge' };
  if (spec.topology === 'single') delete spec.bridges;
  return spec;
}

/** Every combination of topology, auth mode and the boolean switches that a valid spec allows. */
export function specVariants(): DeploymentSpec[] {
  const variants: DeploymentSpec[] = [];
  const topologies: Topology[] = ['single', 'scalable'];
  const auths: AuthMode[] = ['anonymous', 'secure', 'jwt'];
  for (const topology of topologies) {
    for (const auth of auths) {
      for (const lobby of [true, false]) {
        // A lobby on every room needs a host who can get past it: not possible with anonymous auth.
        if (auth === 'anonymous' && lobby) continue;
        for (const [turn, p2p] of [[true, false], [true, true], [false, false]] as const) {
          variants.push(makeSpec({ topology, auth, lobby, turn, p2p, stack: `${topology}-${auth}-${lobby ? 'lobby' : 'open'}-${turn ? 'turn' : 'noturn'}-${p2p ? 'p2p' : 'nop2p'}` }));
        }
      }
    }
  }
  return variants;
}
