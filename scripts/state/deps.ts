// What the state commands reach outside themselves; tests swap the parts they need.
import { S3Client } from '@aws-sdk/client-s3';
import { homedir } from 'node:os';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { requireAwsCredentials, type AwsIdentity } from '../deploy/credentials.ts';
import { progress } from '../lib/cli.ts';
import { confirmOnTerminal, type Confirm } from '../teardown/confirm.ts';
import { pulumiCli, type PulumiCli } from './pulumi-cli.ts';

export interface StateDeps {
  env: NodeJS.ProcessEnv;
  projectDir: string;
  home: string;
  pulumi: (env: NodeJS.ProcessEnv, projectDir: string) => PulumiCli;
  s3: (region: string) => S3Client;
  requireCredentials: (region: string) => Promise<AwsIdentity>;
  confirm: Confirm;
  out: (text: string) => void;
  progress: (message: string) => void;
  /** Warnings and the preview: stderr, so stdout stays clean for --json. */
  note: (text: string) => void;
}

export const REAL_STATE_DEPS: StateDeps = {
  env: process.env,
  projectDir: PROJECT_DIR,
  home: homedir(),
  pulumi: (env, projectDir) => pulumiCli({ env, projectDir }),
  s3: (region) => new S3Client({ region, maxAttempts: 5 }),
  requireCredentials: (region) => requireAwsCredentials(region),
  confirm: confirmOnTerminal,
  out: (text) => process.stdout.write(text),
  progress,
  note: (text) => process.stderr.write(text),
};
