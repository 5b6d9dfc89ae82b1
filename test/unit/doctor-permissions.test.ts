// The doctor's permission check reads IAM's policy simulation: denied actions are listed by name,
// every page of the answer is read, and the role behind an assumed-role session is simulated.
// IAM stands in as a small loopback server that answers SimulatePrincipalPolicy (moto has none).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPermissions } from '../../scripts/doctor/aws.ts';
import { DEPLOY_ACTIONS, DNS_ACTIONS } from '../../scripts/doctor/permissions.ts';

const DENIED = new Set(['ec2:RunInstances', 'iam:PassRole', 'route53:ChangeResourceRecordSets']);
const PAGE = 20;
const requests: URLSearchParams[] = [];
let server: Server;
const saved: Record<string, string | undefined> = {};

function answer(form: URLSearchParams): string {
  const actions = [...form.entries()].filter(([k]) => /^ActionNames\.member\.\d+$/.test(k)).map(([, v]) => v);
  const start = Number(form.get('Marker') ?? 0);
  const page = actions.slice(start, start + PAGE);
  const truncated = start + PAGE < actions.length;
  const members = page
    .map((a) => `<member><EvalActionName>${a}</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>${DENIED.has(a) ? 'implicitDeny' : 'allowed'}</EvalDecision></member>`)
    .join('');
  return (
    '<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult>' +
    `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<Marker>${start + PAGE}</Marker>` : ''}<EvaluationResults>${members}</EvaluationResults>` +
    '</SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>test</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>'
  );
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push(form);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(answer(form));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = { AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };
  for (const [key, value] of Object.entries(env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await new Promise((resolve) => server.close(resolve));
});

describe('doctor: permissions a deploy needs', () => {
  it('lists every denied action, across pages, for the role behind an assumed-role session', async () => {
    const item = await checkPermissions({ account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/deployer/alice' }, 'eu-central-1', true);
    expect(item.status).toBe('missing');
    expect(item.detail).toBe(
      `IAM policy simulation denies 3 of ${DEPLOY_ACTIONS.length + DNS_ACTIONS.length} actions for arn:aws:iam::123456789012:role/deployer: ec2:RunInstances, iam:PassRole, route53:ChangeResourceRecordSets`,
    );
    const simulations = requests.filter((r) => r.get('Action') === 'SimulatePrincipalPolicy');
    expect(simulations.length).toBeGreaterThan(1);
    expect(simulations.every((r) => r.get('PolicySourceArn') === 'arn:aws:iam::123456789012:role/deployer')).toBe(true);
  });

  it('asks nothing about Route53 for a stack without a DNS zone', async () => {
    requests.length = 0;
    const item = await checkPermissions({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/ops' }, 'eu-central-1', false);
    expect(item).toMatchObject({ status: 'missing', detail: expect.stringMatching(/denies 2 of \d+ actions .*: ec2:RunInstances, iam:PassRole$/) });
    const asked = requests.flatMap((r) => [...r.entries()].filter(([k]) => k.startsWith('ActionNames.')).map(([, v]) => v));
    expect(asked).not.toContain('route53:ChangeResourceRecordSets');
    expect([...new Set(asked)]).toEqual(DEPLOY_ACTIONS);
  });

  it('does not simulate the root user, and says the check could not run without credentials', async () => {
    expect((await checkPermissions({ account: '1', arn: 'arn:aws:iam::123456789012:root' }, 'eu-central-1', false)).status).toBe('ok');
    expect((await checkPermissions(undefined, 'eu-central-1', false)).status).toBe('unknown');
  });
});
