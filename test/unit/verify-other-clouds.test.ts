// verify on Hetzner Cloud and OpenStack stacks: the external checks run as on AWS; the AWS-side
// checks and the placement of the address in AWS's EC2 ranges are skipped with the reason (and
// no AWS credentials are asked for); privacy-residency judges the place the stack declares.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeResidency } from '../../scripts/verify/checks/place.ts';
import { notOnThisCloud } from '../../scripts/verify/cloud-scope.ts';
import { ALL_CHECKS } from '../../scripts/verify/registry.ts';
import { runVerify } from '../../scripts/verify/run.ts';
import { makeSpec } from '../helpers/spec.ts';

const hetzner = makeSpec({ stack: 'h1', cloud: 'hetzner', region: 'hel1', country: 'FI', regionLabel: 'Helsinki, Finland', instanceType: 'ccx23', domain: 'meet.example.eu' });
const openstack = makeSpec({ stack: 'o1', cloud: 'openstack', region: 'GRA11', country: 'FR', regionLabel: 'GRA11 (FR)', instanceType: 'c3-8', domain: 'meet.example.eu' });

describe('privacy-residency', () => {
  it('passes a Hetzner EU location and an OpenStack region in an EU country, saying where the country comes from', () => {
    expect(judgeResidency(hetzner)).toEqual({ status: 'PASS', detail: 'jitsi-eu:location hel1 (Helsinki, Finland, FI): in the EU' });
    const os = judgeResidency(openstack);
    expect(os.status).toBe('PASS');
    expect(os.detail).toMatch(/^openstack:region GRA11 \(GRA11 \(FR\), FR\): in the EU; the country is the one the stack declares/);
    expect(judgeResidency({ ...openstack, country: 'NO' }).detail).toMatch(/in the EEA/);
  });

  it('warns for an opted-in adequacy country, fails outside Europe or outside Hetzner\'s EU locations', () => {
    expect(judgeResidency({ ...openstack, country: 'CH', allowNonEuRegion: true }).status).toBe('WARN');
    expect(judgeResidency({ ...openstack, country: 'CH' }).status).toBe('FAIL');
    expect(judgeResidency({ ...openstack, country: 'US' }).detail).toMatch(/outside the EU\/EEA; move the stack/);
    expect(judgeResidency({ ...hetzner, region: 'ash', country: 'US' }).detail).toMatch(/is not one of Hetzner's EU locations/);
  });
});

describe('which checks apply on which cloud', () => {
  it('skips every AWS-side check and the EC2-range placement on Hetzner and OpenStack stacks, and nothing else', () => {
    for (const spec of [hetzner, openstack]) {
      const skipped = ALL_CHECKS.filter((c) => notOnThisCloud(c, spec, true)).map((c) => c.id);
      expect(skipped).toEqual(['dns-aws-eu-region', ...ALL_CHECKS.filter((c) => c.mode === 'aws').map((c) => c.id)]);
    }
    expect(ALL_CHECKS.filter((c) => notOnThisCloud(c, makeSpec(), true))).toEqual([]);
    // Without a stack nothing says which cloud the site is on.
    expect(ALL_CHECKS.filter((c) => notOnThisCloud(c, hetzner, false))).toEqual([]);
  });
});

describe('runVerify on a Hetzner stack', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(301, { location: 'https://meet.example.eu/' }).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('--aws asks AWS for nothing and says why each AWS-side check is skipped', async () => {
    const report = await runVerify({ spec: hetzner, only: ['aws'], aws: true, timeoutSeconds: 10 });
    expect(report.checks.length).toBeGreaterThan(3);
    for (const check of report.checks) {
      expect(check.status).toBe('SKIP');
      expect(check.detail).toMatch(/^AWS-side check; stack h1 runs on Hetzner Cloud, which gives jitsi-eu no read access to its hosts/);
    }
    expect(report.verdict).toBe('pass');
  });

  it('skips the EC2-range placement with the reason and judges the declared place instead', async () => {
    const report = await runVerify({
      spec: hetzner,
      only: ['dns-aws-eu-region', 'privacy-residency'],
      resolve: [`meet.example.eu:127.0.0.1`],
      portMap: [`80=${port}`, `443=${port}`],
      timeoutSeconds: 10,
    });
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get('dns-aws-eu-region')).toMatchObject({ status: 'SKIP' });
    expect(byId.get('dns-aws-eu-region')!.detail).toMatch(/Hetzner Cloud publishes no address ranges per location that jitsi-eu can check offline/);
    expect(byId.get('privacy-residency')).toMatchObject({ status: 'PASS', detail: 'jitsi-eu:location hel1 (Helsinki, Finland, FI): in the EU' });
  });
});
