// verify --browser --aws on a secure-auth stack reads the host account's password from the SSM
// parameter the deployment stores it in (the one the stack output hostAccountParameter names),
// here in moto_server.
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssmParameterName } from '../../infra/secrets.ts';
import { hostCredentialsFromSsm } from '../../scripts/verify/browser/host-login.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';

const REGION = 'eu-central-1';
const PASSWORD = 'from-ssm-7c1f0e';
let moto: Moto;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, moto.env);
  const ssm = new SSMClient({ region: REGION, endpoint: moto.endpoint });
  await ssm.send(new PutParameterCommand({ Name: ssmParameterName('campus', 'host-password'), Type: 'SecureString', Value: PASSWORD }));
  ssm.destroy();
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

describe('the host account from SSM', () => {
  it('reads the stack\'s host password parameter and logs in as the host account', async () => {
    const login = await hostCredentialsFromSsm({ stack: 'campus', region: REGION, endpoint: moto.endpoint, signal: new AbortController().signal });
    expect(login).toEqual({ user: 'host', password: PASSWORD });
  });

  it('names the parameter it could not read', async () => {
    const reading = hostCredentialsFromSsm({ stack: 'other', region: REGION, endpoint: moto.endpoint, signal: new AbortController().signal });
    await expect(reading).rejects.toThrow(`cannot read the host account's password from SSM parameter ${ssmParameterName('other', 'host-password')} in ${REGION}: ParameterNotFound`);
  });
});
