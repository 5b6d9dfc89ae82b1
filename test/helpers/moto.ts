// moto_server, moto's standalone AWS API emulator, on a free loopback port. Tests point the AWS
// SDK at `endpoint` with dummy credentials (see `env`) and stop the server in afterAll.
import { spawn } from 'node:child_process';
import { captureOutput, stopChild } from './child-process.ts';
import { freePort, requireTool } from './tools.ts';

export interface Moto {
  endpoint: string;
  /** Variables that send the AWS SDK (and child processes) to this server with dummy credentials. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const binary = requireTool('moto_server');
  const port = await freePort();
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = captureOutput(child, 2000);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${log()}`);
    const up = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'eu-central-1',
      // Never ask the instance metadata service for credentials.
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stop,
  };
}
