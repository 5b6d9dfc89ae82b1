// The checks that ask AWS: who the credentials are, whether they may do what a deploy does, and
// whether the stack's Route53 zone is there.
import { DEPLOY_ACTIONS, DNS_ACTIONS, principalToSimulate, simulateActions } from './permissions.ts';
import { missing, ok, unknown, type DoctorItem } from './item.ts';

const CREDENTIALS_FIX = [
  'set credentials for the account jitsi-eu deploys into, e.g.:',
  '  export AWS_PROFILE=jitsi-eu      # a profile from ~/.aws/config (run aws sso login first if it uses SSO)',
  '  or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys)',
];

const reason = (error: unknown): string => {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'error'}: ${(e.message ?? String(error)).split('\n')[0]}`;
};

export interface CallerIdentity {
  account: string;
  arn: string;
}

export async function checkCredentials(region: string): Promise<{ item: DoctorItem; caller?: CallerIdentity }> {
  const title = 'AWS credentials';
  const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
  const sts = new STSClient({ region, maxAttempts: 2 });
  try {
    const who = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(15_000) });
    const caller = { account: who.Account ?? '', arn: who.Arn ?? '' };
    return { item: ok('aws-credentials', title, `account ${caller.account}, ${caller.arn}`), caller };
  } catch (error) {
    const name = (error as { name?: string }).name;
    const detail = name === 'CredentialsProviderError' ? 'no AWS credentials were found' : `AWS refused or did not answer (${reason(error)})`;
    return { item: missing('aws-credentials', title, detail, CREDENTIALS_FIX) };
  } finally {
    sts.destroy();
  }
}

export async function checkPermissions(caller: CallerIdentity | undefined, region: string, withDns: boolean): Promise<DoctorItem> {
  const id = 'aws-permissions';
  const title = 'permissions a deploy needs';
  const actions = withDns ? [...DEPLOY_ACTIONS, ...DNS_ACTIONS] : DEPLOY_ACTIONS;
  if (!caller) return unknown(id, title, 'not checked: no working AWS credentials', ['fix the credentials first']);
  const principal = principalToSimulate(caller.arn);
  if (!principal) {
    return ok(id, title, 'the account root user may do everything (prefer an IAM role or user for day-to-day deploys)');
  }
  try {
    const { denied } = await simulateActions(principal, actions, region);
    if (denied.length === 0) return ok(id, title, `IAM policy simulation allows all ${actions.length} actions for ${principal}`);
    return missing(id, title, `IAM policy simulation denies ${denied.length} of ${actions.length} actions for ${principal}: ${denied.join(', ')}`, [
      `grant ${principal} these actions (e.g. in a policy attached to it), then run npm run doctor again`,
    ]);
  } catch (error) {
    return unknown(id, title, `IAM policy simulation was not possible (${reason(error)})`, [
      `make sure ${principal} may perform: ${actions.join(', ')}`,
      '(the simulation itself needs iam:SimulatePrincipalPolicy; without it, a deploy is the test)',
    ]);
  }
}

export async function checkDnsZone(zone: string | undefined, region: string, caller: CallerIdentity | undefined): Promise<DoctorItem> {
  const id = 'dns-zone';
  const title = 'Route53 zone of the stack';
  if (!zone) return ok(id, title, 'no jitsi-eu:dnsZone: deploy prints the DNS record to create and waits for it');
  if (!caller) return unknown(id, title, `${zone} not checked: no working AWS credentials`, ['fix the credentials first']);
  const name = `${zone.replace(/\.$/, '')}.`;
  const { ListHostedZonesByNameCommand, Route53Client } = await import('@aws-sdk/client-route-53');
  const route53 = new Route53Client({ region, maxAttempts: 2 });
  try {
    const page = await route53.send(new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 10 }), { abortSignal: AbortSignal.timeout(15_000) });
    const zones = (page.HostedZones ?? []).filter((z) => z.Name === name);
    const publicZone = zones.find((z) => !z.Config?.PrivateZone);
    if (publicZone) return ok(id, title, `${zone}: public hosted zone ${publicZone.Id?.replace('/hostedzone/', '')} in account ${caller.account}`);
    const onlyPrivate = zones.length > 0 ? ' (only a private zone of that name: browsers cannot resolve it)' : '';
    return missing(id, title, `${zone}: no public hosted zone of that name in account ${caller.account}${onlyPrivate}`, [
      `create it (aws route53 create-hosted-zone --name ${zone} --caller-reference $(date +%s)) and delegate it from its parent domain,`,
      'or remove jitsi-eu:dnsZone from the stack file: deploy then prints the record to create by hand',
    ]);
  } catch (error) {
    return unknown(id, title, `${zone}: Route53 could not be asked (${reason(error)})`, ['allow route53:ListHostedZones for these credentials']);
  } finally {
    route53.destroy();
  }
}
