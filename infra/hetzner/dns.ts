// The meeting site's address record. With jitsi-eu:dnsZone set, jitsi-eu creates it in that zone
// of Hetzner DNS (a zone of the same Hetzner Cloud project, managed through the Cloud API);
// otherwise the stack outputs say which record the operator must create. TURN is served under the
// same host name, so the one record is all clients need (an A record, and an AAAA record too on a
// dual-stack deployment). Unlike Route53, Hetzner's record sets carry labels: they get the stack's.
import * as pulumi from '@pulumi/pulumi';
import { getZone } from '@pulumi/hcloud/getZone.js';
import { ZoneRrset } from '@pulumi/hcloud/zoneRrset.js';
import type { DeploymentSpec } from '../spec/types.ts';
import type { DnsRecord } from '../outputs.ts';
import { dnsOwnerName, dnsOwnerValue } from '../tags.ts';
import { hetznerLabels } from './labels.ts';
import { DNS_TTL_SECONDS } from './layout.ts';

export interface DnsArgs {
  spec: DeploymentSpec;
  publicIp: pulumi.Input<string>;
  /** Dual stack: the signaling node's IPv6 address, for the AAAA record. */
  ipv6Address?: pulumi.Input<string>;
  /** The zone's name at Hetzner, looked up by the caller when spec.dnsZone is set. */
  zone?: string;
}

/** The zone named by jitsi-eu:dnsZone, as Hetzner knows it; a missing zone stops the run with the fix. */
export async function lookupZone(zoneName: string): Promise<string> {
  let zone: Awaited<ReturnType<typeof getZone>>;
  try {
    zone = await getZone({ name: zoneName });
  } catch (error) {
    throw new pulumi.RunError(
      `jitsi-eu:dnsZone: the zone ${zoneName} is not in this Hetzner Cloud project (${(error as Error).message.split('\n')[0]}): ` +
        'create it in the Hetzner Console (DNS) of the project HCLOUD_TOKEN belongs to, or remove jitsi-eu:dnsZone and create the records yourself',
    );
  }
  // A secondary zone mirrors another name server: records are changed there, not through Hetzner.
  if (zone.mode !== 'primary') {
    throw new pulumi.RunError(
      `jitsi-eu:dnsZone: the zone ${zoneName} is a ${zone.mode} zone at Hetzner, whose records cannot be changed through the API: ` +
        'remove jitsi-eu:dnsZone and create the records at the primary name server',
    );
  }
  return zone.name ?? zoneName;
}

/** A host name as a record-set name inside its zone: `meet.example.org` in `example.org` → `meet`, the apex → `@`. */
export function nameInZone(host: string, zone: string): string {
  if (host === zone) return '@';
  if (!host.endsWith(`.${zone}`)) throw new Error(`${host} is not inside the zone ${zone}`);
  return host.slice(0, -(zone.length + 1));
}

/** A TXT value as Hetzner's record sets take it: a quoted string. */
export const quotedTxt = (value: string): string => `"${value.replace(/["\\]/g, '\\$&')}"`;

export class Dns extends pulumi.ComponentResource {
  readonly records: pulumi.Output<DnsRecord[]>;
  /** Whether jitsi-eu manages the records (true) or the operator must create them (false). */
  readonly managed: boolean;

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('jitsi-eu:hetzner:Dns', name, {}, opts);
    const { spec, zone } = args;
    this.managed = zone !== undefined;
    if (zone !== undefined) {
      const recordSet = (suffix: string, host: string, type: string, values: pulumi.Input<string>[]) =>
        new ZoneRrset(`${name}-${suffix}`, {
          zone,
          name: nameInZone(host, zone),
          type,
          ttl: DNS_TTL_SECONDS,
          records: values.map((value) => ({ value })),
          labels: hetznerLabels(spec),
        }, { parent: this });
      recordSet('site', spec.domain, 'A', [args.publicIp]);
      if (args.ipv6Address !== undefined) recordSet('site-ipv6', spec.domain, 'AAAA', [args.ipv6Address]);
      // The same proof of ownership as on AWS, for teardown --purge to check before removing a
      // record left behind (one pointing at a released address invites a subdomain takeover).
      recordSet('owner', dnsOwnerName(spec.domain), 'TXT', [quotedTxt(dnsOwnerValue(spec.stack))]);
    }
    this.records = pulumi.all([args.publicIp, args.ipv6Address]).apply(([ip, ipv6]) => [
      { name: spec.domain, type: 'A' as const, value: ip, ttl: DNS_TTL_SECONDS },
      ...(ipv6 !== undefined ? [{ name: spec.domain, type: 'AAAA' as const, value: ipv6, ttl: DNS_TTL_SECONDS }] : []),
    ]);
    this.registerOutputs({ records: this.records, managed: this.managed });
  }
}
