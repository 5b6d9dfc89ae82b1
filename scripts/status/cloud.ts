// status for a stack on Hetzner Cloud or OpenStack: the provider's view of the stack's servers and
// addresses (and what they cost), the public certificate, and the signaling node's answer to the
// status probe through the stack's channel, judged and printed (see cloud-report.ts).
import type { Cloud, DeploymentSpec } from '../../infra/spec/types.ts';
import { EXIT } from '../lib/cli.ts';
import type { ChannelClientOptions } from '../lib/channel/client.ts';
import { channelCaFrom } from '../lib/channel/stack.ts';
import type { HostAnswer } from '../lib/host-commands.ts';
import { cloudStatusReport, cloudStatusText, type CloudServer, type SignalingProbe, type StackResources } from './cloud-report.ts';
import type { StatusDeps } from './deps.ts';
import { STATUS_PROBE_COMMENT, probeScript } from './probe.ts';
import { bundleRevision } from './revision.ts';
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

/** The same probe AWS hosts answer through SSM, sent to the signaling node through the channel. */
async function askSignalingNode(spec: DeploymentSpec, server: CloudServer, deps: StatusDeps, channel: ChannelClientOptions, timeoutMs: number): Promise<HostAnswer> {
  if (!server.running) return { state: 'no-answer', stdout: '', detail: `not asked: the server is ${server.state}` };
  try {
    deps.progress(`reading stack ${spec.stack}'s channel to the signaling node from its outputs`);
    const hosts = await deps.openChannel(spec, channel);
    deps.progress(`asking the signaling node ${server.name} through the channel (waiting up to ${Math.round(timeoutMs / 1000)} s)`);
    const script = probeScript({ role: 'signaling', runsBridge: spec.topology === 'single', domain: spec.domain });
    const answer = (await hosts.run([server.id], script, { timeoutMs, comment: STATUS_PROBE_COMMENT })).get(server.id);
    return answer ?? { state: 'no-answer', stdout: '', detail: 'the channel gave no answer for the signaling node' };
  } catch (error) {
    // No channel in the stack's outputs, or the outputs could not be read: the rest of status still reports.
    return { state: 'failed', stdout: '', detail: (error as Error).message.replace(/\n/g, ' ') };
  }
}

async function probeSignalingNode(spec: DeploymentSpec, servers: readonly CloudServer[], deps: StatusDeps, channel: ChannelClientOptions, timeoutMs: number): Promise<SignalingProbe | undefined> {
  const server = servers.find((s) => s.role === 'signaling');
  if (!server) return undefined;
  const answer = await askSignalingNode(spec, server, deps, channel, timeoutMs);
  // Rendering loads the template engine: only once there is a node to compare with.
  const { renderBundle } = await import('../../infra/render/bundle.ts');
  return { answer, expectedRevision: bundleRevision(renderBundle(spec), 'signaling') };
}

export async function cloudStatusMain(spec: DeploymentSpec & { cloud: Exclude<Cloud, 'aws'> }, options: StatusOptions, deps: StatusDeps): Promise<number> {
  const now = deps.now();
  const env = deps.env ?? process.env;
  // A bad JITSI_EU_CHANNEL_CA is this machine's setup, a usage error, before anything is asked.
  const ca = channelCaFrom(env);
  const channel: ChannelClientOptions = { ...(ca.length ? { ca } : {}), onRetry: (why) => deps.progress(`the signaling node did not answer yet (${why}); trying again`) };
  const certificate = deps.publicCertificate(spec.domain, Math.min(options.timeoutMs, 15_000), options.resolve?.ip);
  const { region, resources } = await stackResources(spec, env, deps.progress);
  const probe = await probeSignalingNode(spec, resources.servers, deps, channel, options.timeoutMs);
  const report = cloudStatusReport(spec, region, resources, await certificate, now, probe);
  deps.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : cloudStatusText(report));
  return report.problems.length === 0 ? EXIT.OK : EXIT.FAILED;
}
