// Where the servers run, as the stack file declares it: the AWS region, the Hetzner location, or
// the OpenStack region with the country the stack names for it. This is the declared place, read
// from the spec on every cloud; on AWS, dns-aws-eu-region also places the address itself, which
// the other clouds allow no offline way to do.
import { ADEQUACY_COUNTRIES, hetznerLocation, isEuOrEeaCountry } from '../../../infra/spec/places.ts';
import type { DeploymentSpec } from '../../../infra/spec/types.ts';
import type { CheckOutcome } from '../types.ts';
import { type CheckDefinition, fail, pass, skip, warn } from './define.ts';

const PLACE_KEY: Record<DeploymentSpec['cloud'], string> = { aws: 'aws:region', hetzner: 'jitsi-eu:location', openstack: 'openstack:region' };

export function judgeResidency(spec: DeploymentSpec): CheckOutcome {
  const where = `${PLACE_KEY[spec.cloud]} ${spec.region} (${spec.regionLabel}, ${spec.country})`;
  if (spec.cloud === 'hetzner' && !hetznerLocation(spec.region)) return fail(`${where} is not one of Hetzner's EU locations (fsn1, nbg1, hel1)`);
  const declared = spec.cloud === 'openstack' ? '; the country is the one the stack declares for the region (jitsi-eu:country): your provider\'s documentation of the region is the evidence' : '';
  if (isEuOrEeaCountry(spec.country)) return pass(`${where}: ${spec.country === 'IS' || spec.country === 'LI' || spec.country === 'NO' ? 'in the EEA' : 'in the EU'}${declared}`);
  const basis = ADEQUACY_COUNTRIES[spec.country];
  if (basis && spec.allowNonEuRegion) return warn(`${where}: outside the EU/EEA, opted in with jitsi-eu:allowNonEuRegion; transfers rely on ${basis}${declared}`);
  return fail(`${where}: outside the EU/EEA${basis ? ' without jitsi-eu:allowNonEuRegion' : ''}; move the stack to an EU place`);
}

const residency: CheckDefinition = {
  id: 'privacy-residency',
  title: 'Servers run in the EU (the place the stack declares)',
  area: 'privacy',
  mode: 'external',
  description:
    "The stack's place (AWS region, Hetzner location, or OpenStack region and the country the stack declares for it) is in the EU or EEA; " +
    'a European country with an adequacy decision only with jitsi-eu:allowNonEuRegion (WARN). Read from the stack file, so SKIP without --stack. ' +
    'It judges the declaration; on AWS dns-aws-eu-region also places the address itself.',
  async run(ctx) {
    if (!ctx.fromStack) return skip('no --stack given: where the servers run is known only from the stack file');
    return judgeResidency(ctx.spec);
  },
};

export const PLACE_CHECKS: CheckDefinition[] = [residency];
