// The meeting site's address record. With jitsi-eu:dnsZone set, jitsi-eu creates it in that
// Designate zone (OpenStack's DNS service, where the cloud offers it); otherwise the stack
// outputs say which record the operator must create. TURN is served under the same host name.
import * as pulumi from '@pulumi/pulumi';
import { getDnsZone } from '@pulumi/openstack/dns/getDnsZone.js';
import { RecordSet } from '@pulumi/openstack/dns/recordSet.js';
import type { DeploymentSpec } from '../spec/types.ts';
import type { DnsRecord } from '../outputs.ts';
import { dnsOwnerName, dnsOwnerValue } from '../tags.ts';
import { DNS_TTL_SECONDS } from './layout.ts';

/** Designate names end with a dot. */
const absolute = (name: string) => `${name}.`;

/** The Designate zone that holds the domain. */
export async function lookupZoneId(zoneName: string, provider: pulumi.ProviderResource): Promise<string> {
  const zone = await getDnsZone({ name: absolute(zoneName) }, { provider });
  return zone.id;
}

export interface DnsArgs {
  spec: DeploymentSpec;
  publicIp: pulumi.Input<string>;
  /** Dual stack: the signaling node's IPv6 address, for the AAAA record. */
  ipv6Address?: pulumi.Input<string>;
  /** The zone's id, looked up by the caller when spec.dnsZone is set. */
  zoneId?: string;
}

export class Dns extends pulumi.ComponentResource {
  readonly records: pulumi.Output<DnsRecord[]>;
  /** Whether jitsi-eu manages the records (true) or the operator must create them (false). */
  readonly managed: boolean;

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:openstack:Dns', name, {}, opts);
    const { spec, zoneId } = args;
    const child = { parent: this };
    this.managed = zoneId !== undefined;
    if (zoneId !== undefined) {
      const record = (suffix: string, type: 'A' | 'AAAA' | 'TXT', recordName: string, value: pulumi.Input<string>) =>
        new RecordSet(`${name}-${suffix}`, {
          zoneId,
          name: absolute(recordName),
          type,
          ttl: DNS_TTL_SECONDS,
          records: [value],
          description: `jitsi-eu ${spec.stack}`,
        }, child);
      record('site', 'A', spec.domain, args.publicIp);
      if (args.ipv6Address !== undefined) record('site-ipv6', 'AAAA', spec.domain, args.ipv6Address);
      // Record sets carry no tags: this TXT record says the site's name belongs to this stack, so
      // teardown --purge may remove a record left behind, and never another stack's.
      record('owner', 'TXT', dnsOwnerName(spec.domain), dnsOwnerValue(spec.stack));
    }
    this.records = pulumi.all([args.publicIp, args.ipv6Address]).apply(([ip, ipv6]) => [
      { name: spec.domain, type: 'A' as const, value: ip, ttl: DNS_TTL_SECONDS },
      ...(ipv6 !== undefined ? [{ name: spec.domain, type: 'AAAA' as const, value: ipv6, ttl: DNS_TTL_SECONDS }] : []),
    ]);
    this.registerOutputs({ records: this.records, managed: this.managed });
  }
}
