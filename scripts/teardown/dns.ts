// DNS records at a deployment's host name. Records carry no tags, so a record counts as the
// stack's own only when its name has the stack's ownership record (TXT `"jitsi-eu:stack=<stack>"` at
// `_jitsi-eu.<name>`, written at deploy); others are reported (a record pointing at a released
// address invites a takeover) but never purged. The ownership record is purged with what it proves.
import {
  ChangeResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type HostedZone,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { DNS_OWNER_LABEL, dnsOwnerName, dnsOwnerValue } from '../../infra/tags.ts';
import type { DnsRecord, Orphan } from './orphans.ts';

/** `Meet.Example.org.` → `meet.example.org`; Route53 writes `*` as `\052`. */
export function normaliseDnsName(name: string): string {
  return name.replace(/\\052/g, '*').replace(/\.$/, '').toLowerCase();
}

/** The public hosted zone that holds `domain`: the most specific one whose name is a suffix. */
export function zoneFor(zones: readonly HostedZone[], domain: string): HostedZone | undefined {
  const fqdn = normaliseDnsName(domain);
  return zones
    .filter((z) => !z.Config?.PrivateZone && z.Name)
    .filter((z) => {
      const zone = normaliseDnsName(z.Name!);
      return fqdn === zone || fqdn.endsWith(`.${zone}`);
    })
    .sort((a, b) => b.Name!.length - a.Name!.length)[0];
}

async function allZones(route53: Route53Client): Promise<HostedZone[]> {
  const zones: HostedZone[] = [];
  let marker: string | undefined;
  do {
    const page = await route53.send(new ListHostedZonesCommand({ ...(marker ? { Marker: marker } : {}) }));
    zones.push(...(page.HostedZones ?? []));
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  return zones;
}

async function recordsFrom(route53: Route53Client, zoneId: string, start: string): Promise<ResourceRecordSet[]> {
  const records: ResourceRecordSet[] = [];
  let next: { name?: string; type?: string; id?: string } | undefined = { name: start };
  while (next) {
    const page: ListResourceRecordSetsCommandOutput = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ...(next.name ? { StartRecordName: next.name } : {}),
        ...(next.type ? { StartRecordType: next.type as ResourceRecordSet['Type'] } : {}),
        ...(next.id ? { StartRecordIdentifier: next.id } : {}),
      }),
    );
    records.push(...(page.ResourceRecordSets ?? []));
    next = page.IsTruncated
      ? { ...(page.NextRecordName ? { name: page.NextRecordName } : {}), ...(page.NextRecordType ? { type: page.NextRecordType } : {}), ...(page.NextRecordIdentifier ? { id: page.NextRecordIdentifier } : {}) }
      : undefined;
  }
  return records;
}

function toRecord(zoneId: string, zoneName: string, set: ResourceRecordSet): DnsRecord {
  return {
    zoneId,
    zoneName,
    name: normaliseDnsName(set.Name ?? ''),
    type: String(set.Type),
    ...(set.TTL !== undefined ? { ttl: set.TTL } : {}),
    values: (set.ResourceRecords ?? []).map((r) => r.Value ?? ''),
    ...(set.SetIdentifier ? { setIdentifier: set.SetIdentifier } : {}),
    ...(set.AliasTarget
      ? { alias: { hostedZoneId: set.AliasTarget.HostedZoneId ?? '', dnsName: set.AliasTarget.DNSName ?? '', evaluateTargetHealth: Boolean(set.AliasTarget.EvaluateTargetHealth) } }
      : {}),
  };
}

/** The record types infra/aws/dns.ts writes at the site's name; others there are the operator's. */
const SITE_RECORD_TYPES = ['A', 'AAAA'];

/** An ownership record: a TXT record whose first label is `_jitsi-eu`. */
export function isOwnershipRecord(record: Pick<DnsRecord, 'name' | 'type'>): boolean {
  return record.type === 'TXT' && record.name.startsWith(`${DNS_OWNER_LABEL}.`);
}

/** Records named `domain` or below it (never the zone's own NS and SOA), judged by their ownership records. */
export async function findDnsRecords(route53: Route53Client, stack: string, domain: string): Promise<Orphan[]> {
  const fqdn = normaliseDnsName(domain);
  const zone = zoneFor(await allZones(route53), fqdn);
  if (!zone?.Id) return [];
  const zoneId = zone.Id.replace(/^\/hostedzone\//, '');
  const zoneName = normaliseDnsName(zone.Name!);
  const sets = (await recordsFrom(route53, zoneId, fqdn)).filter((set) => {
    const name = normaliseDnsName(set.Name ?? '');
    return (name === fqdn || name.endsWith(`.${fqdn}`)) && set.Type !== 'NS' && set.Type !== 'SOA';
  });
  const marker = `"${dnsOwnerValue(stack)}"`;
  const records = sets.map((set) => ({ set, record: toRecord(zoneId, zoneName, set) }));
  /** Names of ownership records that hold this stack's value and nothing else. */
  const ours = new Set(records.filter(({ record }) => isOwnershipRecord(record) && record.values.length > 0 && record.values.every((v) => v === marker)).map(({ record }) => record.name));
  return records.map(({ set, record }) => {
    const owner = isOwnershipRecord(record);
    const proof = owner ? record.name : dnsOwnerName(record.name);
    const written = owner || SITE_RECORD_TYPES.includes(record.type);
    const purgeable = ours.has(proof) && written;
    const note = owner
      ? `an ownership record, but not for stack ${stack} alone (it holds ${record.values.join(' ')}): never removed by --purge`
      : !ours.has(proof)
        ? `DNS records carry no tags and ${proof} does not hold the ownership record TXT ${marker}: check it and delete it by hand if it was this deployment's`
        : `jitsi-eu writes only A and AAAA records at a site's name: this ${record.type} record is someone else's, never removed by --purge`;
    return {
      id: `route53:${zoneId}/${record.name}/${record.type}${set.SetIdentifier ? `/${set.SetIdentifier}` : ''}`,
      kind: 'route53:record',
      resourceId: `${record.name} ${record.type}`,
      region: 'global',
      tags: {},
      foundBy: ['route53-name'],
      purgeable,
      ...(purgeable ? {} : { note }),
      record,
    } satisfies Orphan;
  });
}

/** Whether the zone still holds the record set (same name, type and set identifier). */
export async function dnsRecordExists(route53: Route53Client, record: DnsRecord): Promise<boolean> {
  const page = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: record.zoneId, StartRecordName: record.name, StartRecordType: record.type as ResourceRecordSet['Type'], MaxItems: 100 }),
  );
  return (page.ResourceRecordSets ?? []).some((set) => normaliseDnsName(set.Name ?? '') === record.name && set.Type === record.type && set.SetIdentifier === record.setIdentifier);
}

export async function deleteDnsRecord(route53: Route53Client, record: DnsRecord): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: record.zoneId,
      ChangeBatch: {
        Comment: 'jitsi-eu teardown --purge',
        Changes: [
          {
            Action: 'DELETE',
            ResourceRecordSet: {
              Name: record.name,
              Type: record.type as ResourceRecordSet['Type'],
              ...(record.alias
                ? { AliasTarget: { HostedZoneId: record.alias.hostedZoneId, DNSName: record.alias.dnsName, EvaluateTargetHealth: record.alias.evaluateTargetHealth } }
                : { TTL: record.ttl ?? 300, ResourceRecords: record.values.map((Value) => ({ Value })) }),
            },
          },
        ],
      },
    }),
  );
}
