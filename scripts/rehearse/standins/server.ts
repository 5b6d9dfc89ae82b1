// The services a booting host reaches outside Debian's archive, as stand-ins, all in one process
// that runs inside the rehearsal's network namespace (never on this machine's own addresses):
//  - the instance metadata service at 169.254.169.254, every request recorded: EC2's (IMDSv2: a
//    token first, then the instance's values and its role's credentials), Hetzner's (the whole
//    metadata document cloud-init's Hetzner data source reads, the user data, and the values per
//    key) or OpenStack's (meta_data.json);
//  - over HTTPS with the rehearsal's CA, under the real names (the container's /etc/hosts points
//    them here): Jitsi's package repository and key (download.jitsi.org), the region's SSM agent
//    bucket (s3.<region>.<suffix>), SSM Parameter Store (ssm.<region>.<suffix>: moto_server behind
//    a proxy), the stack's bundle bucket (<bucket>.s3.<region>.<suffix>: moto_server's S3, asked
//    path-style) and the Auto Scaling API (autoscaling.<region>.<suffix>: RecordLifecycleActionHeartbeat
//    and CompleteLifecycleAction, which moto does not implement, answered and recorded here);
//  - addresses of the stack's private network that another host of the stack would hold (the
//    signaling node's bridge share, for a bridge outside AWS): TCP there is carried to a Unix
//    socket where the test's own server answers;
//  - a control socket (a Unix socket in the work folder) for the rehearsal: the lifecycle state
//    the metadata reports, the metadata and Auto Scaling requests received, and deliveries of configuration
//    bundles (objects and pointers put into moto, as deploy puts them into AWS).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { join, normalize } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Cloud } from '../../../infra/spec/types.ts';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/** What deploy puts into AWS for a configuration change: archive objects and plain-text pointers. */
export interface Delivery {
  /** SSM String parameters (name → value). */
  pointers: Record<string, string>;
  objects: { bucket: string; key: string; base64: string }[];
}

export interface StandinConfig {
  /** Whose metadata service answers at 169.254.169.254: EC2's (IMDSv2), Hetzner's or OpenStack's. */
  cloud: Cloud;
  region: string;
  /** amazonaws.com or amazonaws.eu */
  dnsSuffix: string;
  /** Address of the HTTPS stand-ins inside the namespace. */
  serviceAddress: string;
  /** false: nothing answers at 169.254.169.254 (the metadata service is down). */
  imds: boolean;
  /** false: download.jitsi.org does not answer (the Jitsi repository is unreachable). */
  jitsiRepository: boolean;
  tlsCert: string;
  tlsKey: string;
  repoRoot: string;
  ssmAgentDeb: string;
  instance: { id: string; privateIp: string; publicIp: string; autoscalingGroup?: string; mac?: string };
  /** Hetzner: the user data the metadata service hands out at /hetzner/v1/userdata, base64 (bytes kept as given). */
  userData?: string;
  /** SSM parameters (name → value), stored as SecureString. */
  parameters: Record<string, string>;
  /** The stack's bundle bucket, answered at its virtual-hosted name. */
  bundleBucket: string;
  /** The configuration delivered before the host boots. */
  delivery: Delivery;
  controlSocket: string;
  motoPort: number;
  /** Private-network services stood in by a server of the rehearsal's own, reached through a Unix socket. */
  privateServices?: PrivateService[];
}

/** An address and port of the stack's private network, and the Unix socket whose server answers there. */
export interface PrivateService {
  address: string;
  port: number;
  socket: string;
}

/** Joins two connections both ways; an error on either closes both. */
export function joinConnections(client: Socket, upstream: Socket): void {
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
}

/** Carries each connection to the service's address on to its socket; none answering there closes it. */
function forwardToSocket(service: PrivateService): Server {
  return createTcpServer((client) => joinConnections(client, connect(service.socket)));
}

/** A request the metadata service at 169.254.169.254 received. */
export interface MetadataRequest {
  method: string;
  path: string;
}

export interface AutoscalingCall {
  action: string;
  params: Record<string, string>;
  at: string;
}

const IMDS_ADDRESS = '169.254.169.254';
const ROLE_NAME = 'jitsi-eu-rehearsal-host';

/** OpenStack's meta_data.json for the rehearsal host, as the config drive and the metadata service give it. */
export function openstackMetaData(config: Pick<StandinConfig, 'instance' | 'region'>): object {
  return {
    uuid: config.instance.id,
    name: `jitsi-eu-${config.instance.id.slice(0, 8)}`,
    hostname: `jitsi-eu-${config.instance.id.slice(0, 8)}`,
    availability_zone: 'nova',
    project_id: 'b1c2d3e4f5a60718293a4b5c6d7e8f90',
    launch_index: 0,
    meta: { 'jitsi-eu:public-ipv4': config.instance.publicIp, 'jitsi-eu:stack': 'rehearsal' },
    public_keys: {},
    devices: [],
  };
}

/**
 * The document Hetzner's metadata service answers at /hetzner/v1/metadata (YAML), as cloud-init's
 * Hetzner data source reads it: the instance id (a number, equal to the DMI serial), the server's
 * name, addresses, location, SSH keys, vendor data and a network configuration for its first
 * interface. The provider's own vendor data is not modelled: an empty cloud-config stands for it.
 */
export function hetznerMetaData(config: Pick<StandinConfig, 'instance' | 'region'>): Record<string, unknown> {
  const { instance } = config;
  return {
    'availability-zone': `${config.region}-dc14`,
    hostname: `jitsi-eu-${instance.id}`,
    'instance-id': Number(instance.id),
    'local-ipv4': '',
    'network-config': {
      version: 1,
      config: [{
        type: 'physical',
        name: 'eth0',
        ...(instance.mac ? { mac_address: instance.mac } : {}),
        subnets: [{ type: 'dhcp', ipv4: true, dns_nameservers: ['185.12.64.1', '185.12.64.2'] }],
      }],
    },
    'public-ipv4': instance.publicIp,
    'public-keys': [],
    region: 'eu-central',
    vendor_data: '#cloud-config\n',
  };
}

/** Hetzner's per-key paths under /hetzner/v1/metadata/: the document's scalar values, and the private networks. */
function hetznerMetaDataKey(config: Pick<StandinConfig, 'instance' | 'region'>, key: string): string | undefined {
  if (key === 'private-networks') {
    const { privateIp } = config.instance;
    return toYaml([{ ip: privateIp, alias_ips: [], interface_num: 1, network_id: 1, network_cidr: '10.0.0.0/16', subnet_cidr: '10.0.0.0/24', gateway: '10.0.0.1' }]);
  }
  const value = hetznerMetaData(config)[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, text: string | Buffer, type = 'text/plain'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function waitForMoto(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    const up = await fetch(`http://127.0.0.1:${port}/moto-api/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('moto_server did not answer within 60 s');
}

export async function startStandins(config: StandinConfig): Promise<{ stop: () => Promise<void> }> {
  const state = { lifecycle: 'InService', calls: [] as AutoscalingCall[], tokens: new Set<string>(), metadataRequests: [] as MetadataRequest[] };
  const credentials = {
    AccessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    SecretAccessKey: randomBytes(20).toString('base64'),
    Token: randomBytes(32).toString('base64'),
  };

  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(config.motoPort)], { stdio: 'ignore' });
  await waitForMoto(config.motoPort, moto);
  const ssm = new SSMClient({
    region: config.region,
    endpoint: `http://127.0.0.1:${config.motoPort}`,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  for (const [name, value] of Object.entries(config.parameters)) {
    await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString' }));
  }
  const s3 = new S3Client({
    region: config.region,
    endpoint: `http://127.0.0.1:${config.motoPort}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const deliver = async (delivery: Delivery) => {
    for (const object of delivery.objects) {
      const exists = await s3.send(new HeadBucketCommand({ Bucket: object.bucket })).then(() => true, () => false);
      if (!exists) await s3.send(new CreateBucketCommand({ Bucket: object.bucket, CreateBucketConfiguration: { LocationConstraint: config.region as never } }));
      await s3.send(new PutObjectCommand({ Bucket: object.bucket, Key: object.key, Body: Buffer.from(object.base64, 'base64') }));
    }
    for (const [name, value] of Object.entries(delivery.pointers)) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
    }
  };
  await deliver(config.delivery);

  const metadata = (path: string): string | undefined => {
    const { instance } = config;
    const values: Record<string, string> = {
      'instance-id': instance.id,
      'local-ipv4': instance.privateIp,
      'public-ipv4': instance.publicIp,
      'placement/region': config.region,
      'placement/availability-zone': `${config.region}a`,
      'iam/security-credentials/': ROLE_NAME,
      [`iam/security-credentials/${ROLE_NAME}`]: JSON.stringify({
        Code: 'Success',
        LastUpdated: new Date().toISOString(),
        Type: 'AWS-HMAC',
        ...credentials,
        Expiration: new Date(Date.now() + 6 * 3600_000).toISOString(),
      }),
      'autoscaling/target-lifecycle-state': state.lifecycle,
      ...(instance.autoscalingGroup ? { 'tags/instance/aws:autoscaling:groupName': instance.autoscalingGroup } : {}),
    };
    return values[path];
  };

  // Hetzner's and OpenStack's metadata services: plain GETs, no token (as the providers').
  const otherCloudMetadata = (path: string): { body: string | Buffer; type: string } | undefined => {
    if (config.cloud === 'hetzner') {
      if (path === '/hetzner/v1/metadata') return { body: toYaml(hetznerMetaData(config)), type: 'text/yaml' };
      if (path === '/hetzner/v1/userdata') return config.userData === undefined ? undefined : { body: Buffer.from(config.userData, 'base64'), type: 'text/plain' };
      const value = path.startsWith('/hetzner/v1/metadata/') ? hetznerMetaDataKey(config, path.slice('/hetzner/v1/metadata/'.length)) : undefined;
      return value === undefined ? undefined : { body: value, type: 'text/plain' };
    }
    if (path === '/openstack/latest/meta_data.json') return { body: JSON.stringify(openstackMetaData(config)), type: 'application/json' };
    return undefined;
  };

  const imds = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://imds');
    state.metadataRequests.push({ method: req.method ?? '', path: url.pathname });
    if (config.cloud !== 'aws') {
      const answer = req.method === 'GET' ? otherCloudMetadata(url.pathname) : undefined;
      return answer ? send(res, 200, answer.body, answer.type) : send(res, 404, 'Not Found');
    }
    if (req.method === 'PUT' && url.pathname === '/latest/api/token') {
      if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return send(res, 400, 'missing TTL');
      const token = randomBytes(24).toString('base64url');
      state.tokens.add(token);
      return send(res, 200, token);
    }
    // IMDSv2 only, as the hosts are configured: no token, no answer.
    if (!state.tokens.has(String(req.headers['x-aws-ec2-metadata-token'] ?? ''))) return send(res, 401, 'Unauthorized');
    if (url.pathname === '/latest/dynamic/instance-identity/document') {
      return send(res, 200, JSON.stringify({ region: config.region, instanceId: config.instance.id, privateIp: config.instance.privateIp }), 'application/json');
    }
    const value = url.pathname.startsWith('/latest/meta-data/') ? metadata(url.pathname.slice('/latest/meta-data/'.length)) : undefined;
    return value === undefined ? send(res, 404, 'Not Found') : send(res, 200, value);
  });

  const proxyToMoto = (req: IncomingMessage, res: ServerResponse, payload: Buffer) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: config.motoPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (e) => send(res, 502, String(e)));
    upstream.end(payload);
  };

  const serveFile = (res: ServerResponse, path: string) => {
    if (!existsSync(path) || !statSync(path).isFile()) return send(res, 404, 'Not Found');
    res.writeHead(200, { 'Content-Length': statSync(path).size });
    createReadStream(path).pipe(res);
  };

  const autoscaling = (res: ServerResponse, payload: Buffer, req: IncomingMessage) => {
    const params = Object.fromEntries(new URLSearchParams(payload.toString('utf8')));
    const action = params.Action ?? '';
    if (action !== 'RecordLifecycleActionHeartbeat' && action !== 'CompleteLifecycleAction') return proxyToMoto(req, res, payload);
    state.calls.push({ action, params, at: new Date().toISOString() });
    const ns = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
    return send(
      res,
      200,
      `<${action}Response xmlns="${ns}"><${action}Result/><ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata></${action}Response>`,
      'text/xml',
    );
  };

  const host = (name: string) => `${name}.${config.region}.${config.dnsSuffix}`;
  const https = createHttpsServer({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, async (req, res) => {
    const name = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const payload = await body(req);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'https://x').pathname);
    if (name === 'download.jitsi.org' && config.jitsiRepository) return serveFile(res, join(config.repoRoot, normalize(path).replace(/^(\.\.[/\\])+/, '')));
    if (name === host('s3') && /^\/amazon-ssm-[a-z0-9-]+\/latest\/debian_amd64\/amazon-ssm-agent\.deb$/.test(path)) return serveFile(res, config.ssmAgentDeb);
    if (name === host('ssm')) return proxyToMoto(req, res, payload);
    // The bucket at its virtual-hosted name, as the AWS CLI asks for it: moto answers path-style.
    if (name === `${config.bundleBucket}.${host('s3')}`) {
      req.url = `/${config.bundleBucket}${req.url ?? '/'}`;
      req.headers.host = host('s3');
      return proxyToMoto(req, res, payload);
    }
    if (name === host('autoscaling')) return autoscaling(res, payload, req);
    return send(res, 404, `no stand-in for ${name}${path}`);
  });

  const control = createHttpServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/lifecycle') {
      state.lifecycle = (await body(req)).toString('utf8').trim();
      return send(res, 200, state.lifecycle);
    }
    if (req.url === '/autoscaling-calls') return send(res, 200, JSON.stringify(state.calls), 'application/json');
    if (req.url === '/metadata-requests') return send(res, 200, JSON.stringify(state.metadataRequests), 'application/json');
    if (req.method === 'POST' && req.url === '/deliver') {
      try {
        await deliver(JSON.parse((await body(req)).toString('utf8')) as Delivery);
        return send(res, 200, 'delivered');
      } catch (error) {
        return send(res, 500, error instanceof Error ? error.message : String(error));
      }
    }
    return send(res, 404, 'Not Found');
  });

  const listen = (server: Server, ...args: [number, string] | [string]) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(...(args as [number, string]), () => resolve());
    });
  if (config.imds) await listen(imds, 80, IMDS_ADDRESS);
  await listen(https as unknown as ReturnType<typeof createHttpServer>, 443, config.serviceAddress);
  rmSync(config.controlSocket, { force: true });
  await listen(control, config.controlSocket);
  const services = config.privateServices ?? [];
  const forwards = services.map(forwardToSocket);
  for (const [i, forward] of forwards.entries()) await listen(forward, services[i]!.port, services[i]!.address);

  return {
    stop: async () => {
      for (const server of [imds, https, control, ...forwards]) server.close();
      moto.kill('SIGTERM');
    },
  };
}
