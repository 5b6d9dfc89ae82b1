// The site's DNS ownership record under Pulumi's mocks: written beside the address record whenever
// jitsi-eu manages DNS, so that teardown --purge can later prove the records are this stack's.
import { describe, expect, it } from 'vitest';
import { providerUrn, recordProgram } from '../../scripts/plan/record.ts';

const CONFIG: Record<string, string> = {
  'aws:region': 'eu-central-1',
  'jitsi-eu:domain': 'meet.example.org',
  'jitsi-eu:acmeEmail': 'ops@example.org',
  'jitsi-eu:organization': 'Example University',
  'jitsi-eu:privacyContact': 'dpo@example.org',
};

describe('DNS ownership record', () => {
  it('is a TXT record at _jitsi-eu.<domain> naming the stack, in the same zone and provider as the site record', async () => {
    const rec = await recordProgram({ stack: 'course-a', config: { ...CONFIG, 'jitsi-eu:dnsZone': 'example.org' } });
    const records = rec.resources.filter((r) => r.type === 'aws:route53/record:Record');
    const site = records.find((r) => r.inputs.type === 'A')!;
    const owner = records.filter((r) => r.inputs.type === 'TXT');
    expect(owner).toHaveLength(1);
    // The provider quotes TXT values itself: Route53 then holds "jitsi-eu:stack=course-a".
    expect(owner[0]!.inputs).toMatchObject({ name: '_jitsi-eu.meet.example.org', type: 'TXT', records: ['jitsi-eu:stack=course-a'] });
    expect(owner[0]!.inputs.zoneId).toBe(site.inputs.zoneId);
    expect(owner[0]!.inputs.ttl).toBe(site.inputs.ttl);
    expect(providerUrn(owner[0]!.provider ?? '')).toBe(providerUrn(site.provider ?? ''));
  });

  it('is not written when the operator manages DNS (no jitsi-eu:dnsZone)', async () => {
    const rec = await recordProgram({ stack: 'course-b', config: CONFIG });
    expect(rec.resources.filter((r) => r.type === 'aws:route53/record:Record')).toEqual([]);
    expect(rec.outputs.dnsManaged).toBe(false);
  });
});
