// DNS records at a deployment's host name. Records carry no tags, so a record counts as the
// stack's own only when the same name holds the ownership TXT record `"jitsi-eu:stack=<stack>"`;
// others are reported (a record pointing at a released address invites a takeover) but never purged.
import {
  ChangeResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type HostedZone,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { dnsOwnerMarker, type DnsRecord, type Orphan } from './orphans.ts';

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
    ...(set.AliasTarget
      ? { alias: { hostedZoneId: set.AliasTarget.HostedZoneId ?? '', dnsName: set.AliasTarget.DNSName ?? '', evaluateTargetHealth: Boolean(set.AliasTarget.EvaluateTargetHealth) } }
      : {}),
  };
}

/** Records named `domain` or below it (never the zone's own NS and SOA). */
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
  const marker = `"${dnsOwnerMarker(stack)}"`;
  const owned = new Set(sets.filter((s) => s.Type === 'TXT' && (s.ResourceRecords ?? []).some((r) => r.Value === marker)).map((s) => normaliseDnsName(s.Name ?? '')));
  return sets.map((set) => {
    const record = toRecord(zoneId, zoneName, set);
    const purgeable = owned.has(record.name);
    return {
      id: `route53:${zoneId}/${record.name}/${record.type}${set.SetIdentifier ? `/${set.SetIdentifier}` : ''}`,
      kind: 'route53:record',
      resourceId: `${record.name} ${record.type}`,
      region: 'global',
      tags: {},
      foundBy: ['route53-name'],
      purgeable,
      ...(purgeable
        ? {}
        : { note: `DNS records carry no tags and this name has no ownership record (TXT ${marker}): check it and delete it by hand if it was this deployment's` }),
      record,
    } satisfies Orphan;
  });
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
