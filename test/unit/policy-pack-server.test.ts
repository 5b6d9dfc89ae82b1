// The policy pack as `pulumi preview --policy-pack infra/policy` runs it: the SDK's policy runner
// (which registers its bundled ts-node, then requires the pack directory) starts Pulumi's policy
// analyzer and prints its port. The test talks to that server over gRPC, with resources recorded
// from the program.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../infra/spec/index.ts';
import { readStackConfig } from '../../scripts/plan/config.ts';
import { type RecordedResource, providerUrn, recordProgram } from '../../scripts/plan/record.ts';
import { unwrapSecrets } from '../../scripts/plan/describe.ts';

// The gRPC client and messages the Pulumi SDK itself uses.
const sdk = createRequire(createRequire(import.meta.url).resolve('@pulumi/pulumi/package.json'));
const grpc = sdk('@grpc/grpc-js') as any;
const services = sdk('./proto/analyzer_grpc_pb.js') as any;
const messages = sdk('./proto/analyzer_pb.js') as any;
const { Struct } = sdk('google-protobuf/google/protobuf/struct_pb.js') as any;
const { Empty } = sdk('google-protobuf/google/protobuf/empty_pb.js') as any;

let server: ChildProcess;
let client: any;
let resources: RecordedResource[];
let sandboxResources: RecordedResource[];

beforeAll(async () => {
  const stack = 'example-scalable';
  resources = (await recordProgram({ stack, config: readStackConfig(join(PROJECT_DIR, `Pulumi.${stack}.yaml`)) })).resources;
  sandboxResources = (await recordProgram({ stack: 'example-sandbox', config: readStackConfig(join(PROJECT_DIR, 'Pulumi.example-sandbox.yaml')) })).resources;
  // Arguments: the engine address (unused until the engine calls back), then the pack directory.
  const runner = join(dirname(sdk.resolve('./package.json')), 'cmd/run-policy-pack/index.js');
  server = spawn(process.execPath, [runner, '127.0.0.1:1', '.'], { cwd: join(PROJECT_DIR, 'infra/policy') });
  const port = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    server.once('exit', (code) => reject(new Error(`the policy pack exited (${String(code)}): ${stderr}`)));
    server.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk).trim()));
  });
  expect(port).toMatch(/^\d+$/);
  client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
  client?.close();
  server?.kill();
});

interface Diagnostic {
  policy: string;
  message: string;
}

function analyze(resource: RecordedResource, props: Record<string, unknown> = unwrapSecrets(resource.inputs) as Record<string, unknown>): Promise<Diagnostic[]> {
  const request = new messages.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(resource.urn);
  request.setProperties(Struct.fromJavaScript(props));
  request.setOptions(new messages.AnalyzerResourceOptions());
  const provider = resources.find((r) => resource.provider && r.urn === providerUrn(resource.provider));
  if (provider) {
    const p = new messages.AnalyzerProviderResource();
    p.setType(provider.type);
    p.setName(provider.name);
    p.setUrn(provider.urn);
    p.setProperties(Struct.fromJavaScript(provider.inputs));
    request.setProvider(p);
  }
  return new Promise((resolve, reject) => {
    client.analyze(request, (error: Error | null, response: any) => {
      if (error) reject(error);
      else resolve(response.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage() })));
    });
  });
}

const named = (type: string) => resources.find((r) => r.type === type)!;

describe('the policy pack served by Pulumi', () => {
  it('announces the jitsi-eu policies of every cloud, all mandatory', async () => {
    const info = await new Promise<any>((resolve, reject) => client.getAnalyzerInfo(new Empty(), (e: Error | null, r: any) => (e ? reject(e) : resolve(r))));
    expect(info.getName()).toBe('jitsi-eu');
    const policies = info.getPoliciesList().map((p: any) => p.getName());
    expect(policies).toEqual(['eu-region', 'encrypted-volumes', 'imdsv2-required', 'no-public-admin-ports', 'no-ssh-key-pairs', 'required-tags', 'no-secrets-in-user-data', 'sandbox-expiry-schedule',
      'hetzner-eu-location', 'hetzner-no-ssh-keys', 'hetzner-no-public-admin-ports', 'hetzner-jitsi-ports-only', 'hetzner-required-labels', 'hetzner-no-secrets-in-user-data',
      'openstack-region', 'openstack-no-public-admin-ports', 'openstack-only-jitsi-ports', 'openstack-no-ssh-keys', 'openstack-required-tags', 'openstack-no-secrets-in-user-data']);
  });

  it('finds nothing wrong with any resource the program registers', async () => {
    for (const resource of resources) expect(await analyze(resource), `${resource.type} ${resource.name}`).toEqual([]);
  });

  it('reports violations introduced into recorded resources', async () => {
    const instance = named('aws:ec2/instance:Instance');
    const props = unwrapSecrets(instance.inputs) as Record<string, any>;
    props.metadataOptions = { ...props.metadataOptions, httpTokens: 'optional' };
    props.keyName = 'admin';
    expect((await analyze(instance, props)).map((d) => d.policy).sort()).toEqual(['imdsv2-required', 'no-ssh-key-pairs']);

    const provider = named('pulumi:providers:aws');
    expect((await analyze(provider, { ...provider.inputs, region: 'us-east-1' })).map((d) => d.policy)).toEqual(['eu-region']);

    const group = resources.find((r) => r.name === 'bridges-sg')!;
    const open = { ...group.inputs, ingress: [...(group.inputs.ingress as unknown[]), { protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }] };
    const [diagnostic] = await analyze(group, open);
    expect(diagnostic?.policy).toBe('no-public-admin-ports');
    expect(diagnostic?.message).toContain('22');
  });

  it('refuses an OpenStack security group rule that opens SSH to the Internet', async () => {
    const type = 'openstack:networking/secGroupRule:SecGroupRule';
    const rule: RecordedResource = { type, name: 'ssh', urn: `urn:pulumi:test::jitsi-eu::${type}::ssh`, id: '', custom: true, inputs: {} };
    const props = { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '0.0.0.0/0', securityGroupId: 'sg' };
    expect((await analyze(rule, props)).map((d) => d.policy).sort()).toEqual(['openstack-no-public-admin-ports', 'openstack-only-jitsi-ports']);
    expect(await analyze(rule, { ...props, portRangeMin: 443, portRangeMax: 443 })).toEqual([]);
  });
});

/** The whole stack at once, as the engine sends it for stack policies. */
function analyzeStack(stack: readonly RecordedResource[]): Promise<Diagnostic[]> {
  const request = new messages.AnalyzeStackRequest();
  request.setResourcesList(stack.map((resource) => {
    const r = new messages.AnalyzerResource();
    r.setType(resource.type);
    r.setName(resource.name);
    r.setUrn(resource.urn);
    r.setProperties(Struct.fromJavaScript(unwrapSecrets(resource.inputs) as Record<string, unknown>));
    r.setOptions(new messages.AnalyzerResourceOptions());
    return r;
  }));
  return new Promise((resolve, reject) => {
    client.analyzeStack(request, (error: Error | null, response: any) => {
      if (error) reject(error);
      else resolve(response.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage() })));
    });
  });
}

describe('the stack policy served by Pulumi', () => {
  it('accepts the sandbox example with its expiry schedule, and refuses it without', async () => {
    expect(await analyzeStack(sandboxResources)).toEqual([]);
    const withoutSchedule = sandboxResources.filter((r) => r.type !== 'aws:scheduler/schedule:Schedule');
    const diagnostics = await analyzeStack(withoutSchedule);
    expect(diagnostics.map((d) => d.policy)).toEqual(['sandbox-expiry-schedule']);
    expect(diagnostics[0]!.message).toContain('no schedule that stops its signaling node');
    // Stacks that are not sandboxes need none.
    expect(await analyzeStack(resources)).toEqual([]);
  });
});
