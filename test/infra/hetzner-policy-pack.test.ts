// The Hetzner policies as `pulumi preview --policy-pack infra/policy` runs them: Pulumi's own
// policy runner starts the pack's analyzer, and the test sends it the resources the Hetzner
// program registers under mocks, over gRPC, as the engine would.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import type { RecordedResource } from '../../scripts/plan/record.ts';
import { unwrapSecrets } from '../../scripts/plan/describe.ts';
import { runHetznerProgram } from '../helpers/hetzner-mocks.ts';


// The gRPC client and messages the Pulumi SDK itself uses.
const sdk = createRequire(createRequire(import.meta.url).resolve('@pulumi/pulumi/package.json'));
const grpc = sdk('@grpc/grpc-js') as any;
const services = sdk('./proto/analyzer_grpc_pb.js') as any;
const messages = sdk('./proto/analyzer_pb.js') as any;
const { Struct } = sdk('google-protobuf/google/protobuf/struct_pb.js') as any;

let server: ChildProcess;
let client: any;
let resources: RecordedResource[];

beforeAll(async () => {
  const run = await runHetznerProgram({
    stack: 'pack-hetzner',
    zones: { 'example.org': 'primary' },
    config: {
      'jitsi-eu:cloud': 'hetzner',
      'jitsi-eu:location': 'hel1',
      'jitsi-eu:domain': 'meet.example.org',
      'jitsi-eu:dnsZone': 'example.org',
      'jitsi-eu:acmeEmail': 'ops@example.org',
      'jitsi-eu:organization': 'Example University',
      'jitsi-eu:privacyContact': 'dpo@example.org',
      'jitsi-eu:topology': 'scalable',
      'jitsi-eu:bridges': '{"min":2,"max":2}',
      'jitsi-eu:ipv6': 'true',
    },
  });
  if (run.error) throw run.error;
  resources = run.recording.resources.filter((r) => r.custom);
  const runner = join(dirname(sdk.resolve('./package.json')), 'cmd/run-policy-pack/index.js');
  server = spawn(process.execPath, [runner, '127.0.0.1:1', '.'], { cwd: join(PROJECT_DIR, 'infra/policy') });
  const port = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    server.once('exit', (code) => reject(new Error(`the policy pack exited (${String(code)}): ${stderr}`)));
    server.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk).trim()));
  });
  client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
  client?.close();
  server?.kill();
});

function analyze(resource: RecordedResource, props: Record<string, unknown>): Promise<{ policy: string; message: string }[]> {
  const request = new messages.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(resource.urn);
  request.setProperties(Struct.fromJavaScript(props));
  request.setOptions(new messages.AnalyzerResourceOptions());
  return new Promise((resolve, reject) => {
    client.analyze(request, (error: Error | null, response: any) => {
      if (error) reject(error);
      else resolve(response.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage() })));
    });
  });
}
const propsOf = (resource: RecordedResource) => unwrapSecrets(resource.inputs) as Record<string, any>;
const named = (name: string) => resources.find((r) => r.name === name)!;

describe('the Hetzner policies served by Pulumi', () => {
  it('find nothing wrong with any resource the Hetzner program registers', async () => {
    expect(resources.filter((r) => r.type.startsWith('hcloud:')).length).toBeGreaterThan(8);
    for (const resource of resources) expect(await analyze(resource, propsOf(resource)), `${resource.type} ${resource.name}`).toEqual([]);
  });

  it('refuse a server in Ashburn with an SSH key, a firewall open to SSH and a server without its labels', async () => {
    const server = named('signaling-server');
    const abroad = await analyze(server, { ...propsOf(server), location: 'ash', sshKeys: ['ops'] });
    expect(abroad.map((d) => d.policy).sort()).toEqual(['hetzner-eu-location', 'hetzner-no-ssh-keys']);
    expect(abroad.find((d) => d.policy === 'hetzner-eu-location')?.message).toContain('United States');

    const firewall = named('network-signaling');
    const props = propsOf(firewall);
    const open = await analyze(firewall, { ...props, rules: [...props.rules, { direction: 'in', protocol: 'tcp', port: '22', sourceIps: ['0.0.0.0/0'] }] });
    expect(open.map((d) => d.policy).sort()).toEqual(['hetzner-jitsi-ports-only', 'hetzner-no-public-admin-ports']);

    const unlabelled = await analyze(named('bridges-1'), { ...propsOf(named('bridges-1')), labels: {} });
    expect(unlabelled.map((d) => d.policy)).toEqual(['hetzner-required-labels']);
  });
});
