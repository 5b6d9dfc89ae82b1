// The meeting site's address record. With jitsi-eu:dnsZone set, jitsi-eu creates it in that
// Route53 zone; otherwise the stack outputs say which record the operator must create. TURN is
// served under the same host name, so the one record is all clients need (an A record, and an
// AAAA record too on a dual-stack deployment).
import * as pulumi from '@pulumi/pulumi';
import { getZone } from '@pulumi/aws/route53/getZone.js';
import { Record as DnsRecordResource } from '@pulumi/aws/route53/record.js';
import type { DeploymentSpec } from '../spec/types.ts';
import { dnsOwnerName, dnsOwnerValue } from '../tags.ts';
import { DNS_TTL_SECONDS } from './layout.ts';
import type { DnsRecord } from '../outputs.ts';

export type { DnsRecord } from '../outputs.ts';

export interface DnsArgs {
  spec: DeploymentSpec;
  publicIp: pulumi.Input<string>;
  /** Dual stack: the signaling node's IPv6 address, for the AAAA record. */
  ipv6Address?: pulumi.Input<string>;
  /** The hosted zone's id, looked up by the caller when spec.dnsZone is set. */
  zoneId?: string;
}

/** The Route53 public hosted zone that holds the domain. */
export async function lookupZoneId(zoneName: string, provider: pulumi.ProviderResource): Promise<string> {
  const zone = await getZone({ name: zoneName, privateZone: false }, { provider });
  return zone.zoneId;
}

export class Dns extends pulumi.ComponentResource {
  readonly records: pulumi.Output<DnsRecord[]>;
  /** Whether jitsi-eu manages the records (true) or the operator must create them (false). */
  readonly managed: boolean;

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:aws:Dns', name, {}, opts);
    const { spec } = args;
    this.managed = args.zoneId !== undefined;
    if (args.zoneId !== undefined) {
      new DnsRecordResource(`${name}-site`, {
        zoneId: args.zoneId,
        name: spec.domain,
        type: 'A',
        ttl: DNS_TTL_SECONDS,
        records: [args.publicIp],
      }, { parent: this });
      if (args.ipv6Address !== undefined) {
        new DnsRecordResource(`${name}-site-ipv6`, {
          zoneId: args.zoneId,
          name: spec.domain,
          type: 'AAAA',
          ttl: DNS_TTL_SECONDS,
          records: [args.ipv6Address],
        }, { parent: this });
      }
    }
    if (args.zoneId !== undefined) {
      // Records carry no tags: this TXT record says the site's name belongs to this stack, so that
      // teardown --purge may remove a record left behind (one pointing at a released address
      // invites a subdomain takeover) and never another stack's.
      new DnsRecordResource(`${name}-owner`, {
        zoneId: args.zoneId,
        name: dnsOwnerName(spec.domain),
        type: 'TXT',
        ttl: DNS_TTL_SECONDS,
        records: [dnsOwnerValue(spec.stack)],
      }, { parent: this });
    }
    this.records = pulumi.all([args.publicIp, args.ipv6Address]).apply(([ip, ipv6]) => [
      { name: spec.domain, type: 'A' as const, value: ip, ttl: DNS_TTL_SECONDS },
      ...(ipv6 !== undefined ? [{ name: spec.domain, type: 'AAAA' as const, value: ipv6, ttl: DNS_TTL_SECONDS }] : []),
    ]);
    this.registerOutputs({ records: this.records, managed: this.managed });
  }
}
