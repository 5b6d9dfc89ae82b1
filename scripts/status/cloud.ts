// status for a stack on Hetzner Cloud or OpenStack: the provider's view of the stack's servers and
// addresses (and what they cost), and the public certificate, judged and printed (see
// cloud-report.ts for what is not read, and why).
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { EXIT } from '../lib/cli.ts';
import { cloudStatusReport, cloudStatusText, type StackResources } from './cloud-report.ts';
import type { StatusDeps } from './deps.ts';
import type { StatusOptions } from './usage.ts';

async function stackResources(spec: DeploymentSpec & { cloud: Exclude<Cloud, 'aws'> }, env: NodeJS.ProcessEnv, progress: (m: string) => void): Promise<{ region: string; resources: StackResources }> {
  if (spec.cloud === 'hetzner') {
    const [{ HetznerApi, hetznerCredentials }, { hetznerStackResources }] = await Promise.all([import('../lib/clouds/hetzner-api.ts'), import('./hetzner.ts')]);
    const api = new HetznerApi(hetznerCredentials(env));
    progress(`reading stack ${spec.stack}'s servers and Primary IPs from the Hetzner Cloud API`);
    return { region: spec.region, resources: await hetznerStackResources(api, spec.stack) };
  }
  const [{ openstackSession }, { openstackStackResources }] = await Promise.all([import('../lib/clouds/openstack-api.ts'), import('./openstack.ts')]);
  const session = await openstackSession(env, { cloud: spec.openstackCloud, region: spec.region });
  progress(`reading stack ${spec.stack}'s servers and floating IPs from Nova and Neutron in ${session.region}`);
  return { region: session.region, resources: await openstackStackResources(session, spec.stack) };
}

export async function cloudStatusMain(spec: DeploymentSpec & { cloud: Exclude<Cloud, 'aws'> }, options: StatusOptions, deps: StatusDeps): Promise<number> {
  const now = deps.now();
  const [{ region, resources }, certificate] = await Promise.all([
    stackResources(spec, deps.env ?? process.env, deps.progress),
    deps.publicCertificate(spec.domain, Math.min(options.timeoutMs, 15_000), options.resolve?.ip),
  ]);
  const report = cloudStatusReport(spec, region, resources, certificate, now);
  deps.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : cloudStatusText(report));
  return report.problems.length === 0 ? EXIT.OK : EXIT.FAILED;
}
