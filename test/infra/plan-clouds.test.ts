// The offline plan on Hetzner Cloud and OpenStack: the mocks answer these providers' resources
// and lookups the way their APIs do, the plan describes what a reader needs (firewall rules,
// server types, flavors, addresses) with no credential in it, and the summary says where the
// servers run and how each promise is met. A stand-in program registers the resource types the
// cloud programs use, so this holds whatever those programs look like in detail.
import * as pulumi from '@pulumi/pulumi';
import * as hcloud from '@pulumi/hcloud';
import * as openstack from '@pulumi/openstack';
import { describe, expect, it } from 'vitest';
import { finishRecording, installMocks, type Recording } from '../../scripts/plan/record.ts';
import { plannedResources } from '../../scripts/plan/run.ts';
import { planSummary } from '../../scripts/plan/summary.ts';
import { formatPlan } from '../../scripts/plan/report.ts';
import { estimateCost } from '../../infra/cost/model.ts';
import { PORTS } from '../../infra/ports.ts';
import { MOCK_PUBLIC_IP } from '../../scripts/plan/stand-ins.ts';
import { loadStackFile, PROJECT_DIR } from '../../infra/spec/index.ts';
import { join } from 'node:path';

const TOKEN = 'hcloud-token-that-must-never-be-printed-0123456789abcdef0123456789abcdef';

async function record(stack: string, config: Record<string, string>, program: () => Promise<Record<string, unknown>>): Promise<{ recording: Recording; outputs: Record<string, unknown> }> {
  const mocks = await installMocks({ stack, config });
  const outputs = (await pulumi.runtime.runInPulumiStack(program)) as Record<string, unknown>;
  return { recording: await finishRecording(mocks, stack, outputs as never), outputs };
}

function specOf(file: string) {
  const result = loadStackFile(join(PROJECT_DIR, file), { now: new Date('2026-11-22T00:00:00Z') });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

describe('plan on Hetzner Cloud', () => {
  it('answers the lookups and resources like the Hetzner API, and describes them without the token', async () => {
    const { recording, outputs } = await record('example-hetzner', { 'jitsi-eu:location': 'fsn1' }, async () => {
      const provider = new hcloud.Provider('hcloud', { token: TOKEN });
      const zone = await hcloud.getZone({ name: 'example.org' }, { provider });
      const image = await hcloud.getImage({ name: 'debian-12', withArchitecture: 'x86' }, { provider });
      const firewall = new hcloud.Firewall('firewall', {
        rules: [
          { direction: 'in', protocol: 'udp', port: String(PORTS.jvbMedia), sourceIps: ['0.0.0.0/0', '::/0'], description: 'conference media' },
          { direction: 'in', protocol: 'tcp', port: String(PORTS.https), sourceIps: ['0.0.0.0/0', '::/0'], description: 'HTTPS' },
        ],
      }, { provider });
      const ipv4 = new hcloud.PrimaryIp('signaling-ipv4', { type: 'ipv4', assigneeType: 'server', autoDelete: false, location: 'fsn1' }, { provider });
      const server = new hcloud.Server('signaling', {
        serverType: 'ccx23',
        location: 'fsn1',
        image: String(image.id),
        firewallIds: [firewall.id.apply(Number)],
        publicNets: [{ ipv4Enabled: true, ipv4: ipv4.id.apply(Number), ipv6Enabled: true }],
        userData: '#cloud-config\n{}\n',
        shutdownBeforeDeletion: true,
      }, { provider });
      new hcloud.ZoneRrset('site-a', { zone: zone.name!, name: 'video', type: 'A', ttl: 300, records: [{ value: server.ipv4Address }] }, { provider });
      return { publicIp: server.ipv4Address, primaryIp: ipv4.ipAddress, zoneId: zone.id, serverId: server.id };
    });

    expect(outputs.publicIp).toBe(MOCK_PUBLIC_IP);
    expect(outputs.primaryIp).toBe(MOCK_PUBLIC_IP);
    expect(String(outputs.serverId)).toMatch(/^\d+$/);
    expect(recording.invokes.map((i) => i.token)).toEqual(['hcloud:index/getZone:getZone', 'hcloud:index/getImage:getImage']);

    const resources = plannedResources(recording);
    const byName = (name: string) => resources.find((r) => r.name === name)!.properties;
    expect(byName('firewall').outbound).toBe('all (no outbound rule)');
    expect(byName('firewall').inbound).toEqual(['udp 10000 from 0.0.0.0/0, ::/0 (conference media)', 'tcp 443 from 0.0.0.0/0, ::/0 (HTTPS)']);
    expect(byName('signaling')).toMatchObject({ serverType: 'ccx23', location: 'fsn1', image: 'Debian 12 image looked up at deploy time', sshKeys: 'none', shutdownBeforeDeletion: true });
    expect(String(byName('signaling').userData)).toMatch(/bytes of cloud-config/);
    expect(byName('site-a')).toMatchObject({ type: 'A', records: ["the signaling node's Primary IPv4"] });
    expect(byName('hcloud')).toEqual({});
    expect(JSON.stringify(resources)).not.toContain(TOKEN);

    const spec = specOf('Pulumi.example-hetzner.yaml');
    const summary = planSummary(spec, resources);
    expect(summary.place).toEqual({ region: 'fsn1', country: 'DE', label: 'Falkenstein, Germany' });
    expect(summary.servers).toEqual(['1 × signaling node ccx23', '2 × videobridge ccx33']);
    expect(summary.firewall).toHaveLength(2);
    expect(summary.promises.find((p) => p.promise === 'disks')!.how).toMatch(/does not encrypt/);

    const text = formatPlan({ stack: spec.stack, region: spec.region, summary, resources, policy: [], cost: estimateCost(spec) }, spec);
    expect(text).toContain('on Hetzner Cloud');
    expect(text).toContain('Place: Falkenstein, Germany (fsn1), country DE');
    // A few tenths of a cent per participant-hour beyond the included traffic, not rounded to nothing.
    expect(text).toContain('€0.0018 per participant-hour beyond the allowance');
    expect(text).toMatch(/Hetzner Cloud list prices recorded \d{4}-\d\d-\d\d/);
    expect(text).toContain('Running cost: €364.47 per month');
    expect(text).not.toContain(TOKEN);
  });
});

describe('plan on OpenStack', () => {
  it('answers Neutron, Glance, Nova and Designate lookups, and describes security group rules and the floating IP', async () => {
    const { recording, outputs } = await record('example-openstack', { 'openstack:region': 'GRA11' }, async () => {
      const external = await openstack.networking.getNetwork({ name: 'Ext-Net' });
      const image = await openstack.images.getImage({ name: 'Debian 12', mostRecent: true });
      const flavor = await openstack.compute.getFlavor({ name: 'b3-16' });
      const zone = await openstack.dns.getDnsZone({ name: 'example.org.' });
      const group = new openstack.networking.SecGroup('signaling-sg', { description: 'jitsi-eu signaling node' });
      new openstack.networking.SecGroupRule('media', { direction: 'ingress', ethertype: 'IPv4', protocol: 'udp', portRangeMin: PORTS.jvbMedia, portRangeMax: PORTS.jvbMedia, remoteIpPrefix: '0.0.0.0/0', securityGroupId: group.id, description: 'conference media' });
      new openstack.networking.SecGroupRule('bridge-share', { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: PORTS.bridgeShare, portRangeMax: PORTS.bridgeShare, remoteIpPrefix: '10.0.0.0/24', securityGroupId: group.id });
      const floating = new openstack.networking.FloatingIp('signaling-ip', { pool: external.name! });
      const server = new openstack.compute.Instance('signaling', {
        flavorName: flavor.name,
        imageId: image.id,
        securityGroups: [group.name],
        metadata: { 'jitsi-eu:public-ipv4': floating.address },
        userData: '#cloud-config\n{}\n',
        stopBeforeDestroy: true,
      });
      new openstack.dns.RecordSet('site-a', { zoneId: zone.id, name: 'video.example.org.', type: 'A', ttl: 300, records: [floating.address] });
      return { publicIp: floating.address, external: external.external, serverId: server.id };
    });

    expect(outputs.publicIp).toBe(MOCK_PUBLIC_IP);
    expect(outputs.external).toBe(true);
    expect(String(outputs.serverId)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(recording.invokes.map((i) => i.token)).toEqual([
      'openstack:networking/getNetwork:getNetwork',
      'openstack:images/getImage:getImage',
      'openstack:compute/getFlavor:getFlavor',
      'openstack:dns/getDnsZone:getDnsZone',
    ]);

    const resources = plannedResources(recording);
    const byName = (name: string) => resources.find((r) => r.name === name)!.properties;
    expect(byName('media')).toEqual({ ingress: 'udp 10000 from 0.0.0.0/0 (conference media)' });
    expect(byName('bridge-share')).toEqual({ ingress: 'tcp 8099 from 10.0.0.0/24' });
    expect(byName('signaling')).toMatchObject({ flavor: 'b3-16', image: 'Debian 12 image looked up at deploy time', keyPair: 'none', metadata: ['jitsi-eu:public-ipv4'], stopBeforeDestroy: true });
    expect(byName('site-a')).toMatchObject({ type: 'A', records: ["the signaling node's floating IP"] });

    const spec = specOf('Pulumi.example-openstack.yaml');
    const summary = planSummary(spec, resources);
    expect(summary.place).toEqual({ region: 'GRA11', country: 'FR', label: 'GRA11 (FR)' });
    expect([...summary.firewall].sort()).toEqual(['tcp 8099 from 10.0.0.0/24', 'udp 10000 from 0.0.0.0/0 (conference media)']);
    const text = formatPlan({ stack: spec.stack, region: spec.region, summary, resources, policy: [], cost: estimateCost(spec) }, spec);
    expect(text).toMatch(/OVHcloud Public Cloud list prices recorded \d{4}-\d\d-\d\d/);
    expect(text).toContain('Running cost: at least €74.68 per month');
    expect(text).toContain('not priced: 1 floating IP address from Ext-Net');
  });
});
