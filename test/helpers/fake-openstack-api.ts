// A fake OpenStack cloud on loopback for the endpoints teardown and status call: Keystone v3
// password authentication (token in X-Subject-Token, a service catalog with two regions), Nova
// servers (microversion 2.26: tags in the answer and the `tags=` all-of filter), Neutron floating
// IPs, ports, security groups, routers (remove_router_interface), subnets and networks, and
// Designate zones and record sets. Lists page with `limit`/`marker` and "next" links. Shapes follow
// the OpenStack API references; deletions are refused as Neutron refuses them (409 RouterInUse,
// SubnetInUse, NetworkInUse, SecurityGroupInUse, L3PortInUse, RouterInterfaceInUseByFloatingIP),
// and a deleted server lingers one read in task state "deleting", as Nova's background delete does.
import { randomUUID } from 'node:crypto';
import { startFakeServer, type FakeAnswer, type FakeRequest, type FakeServer } from './fake-http.ts';

export const REGIONS = ['RegionOne', 'RegionTwo'] as const;

export interface SeedServer {
  id: string;
  name: string;
  tags: string[];
  metadata?: Record<string, string>;
  region?: string;
  status?: string;
  flavor?: string;
  created?: string;
  /** network name → fixed and floating addresses */
  addresses?: Record<string, { addr: string; type: 'fixed' | 'floating' }[]>;
  /** Ids of attached Cinder volumes. */
  volumes?: string[];
}
export interface SeedPort {
  id: string;
  name?: string;
  tags?: string[];
  network: string;
  subnet?: string;
  ip?: string;
  deviceId?: string;
  deviceOwner?: string;
  securityGroups?: string[];
  /** Made by Nova for a server (deleted with it) rather than made first and handed to it (kept). */
  madeByNova?: boolean;
  region?: string;
}
export interface SeedNeutron {
  id: string;
  name: string;
  tags: string[];
  region?: string;
}
export interface SeedFloatingIp extends SeedNeutron {
  address: string;
  port?: string;
  router?: string;
}
export interface SeedSubnet extends SeedNeutron {
  network: string;
}
export interface SeedRecordset {
  name: string;
  type: string;
  records: string[];
}
export interface OpenstackSeed {
  servers?: SeedServer[];
  ports?: SeedPort[];
  floatingips?: SeedFloatingIp[];
  routers?: SeedNeutron[];
  subnets?: SeedSubnet[];
  networks?: SeedNeutron[];
  securityGroups?: SeedNeutron[];
  zones?: { name: string; recordsets: SeedRecordset[] }[];
}

export const FAKE_OS_USER = { username: 'jitsi-operator', password: 'os-secret-Pw7781xq', project: 'jitsi-project', domain: 'Default' };

type Item = Record<string, unknown> & { id: string; region: string };
const NEUTRON_COLLECTIONS = { floatingips: 'floatingips', ports: 'ports', 'security-groups': 'security_groups', routers: 'routers', subnets: 'subnets', networks: 'networks' } as const;
type NeutronKey = (typeof NEUTRON_COLLECTIONS)[keyof typeof NEUTRON_COLLECTIONS];
const ROUTER_INTERFACE = 'network:router_interface';
const CREATED = '2026-12-01T09:00:00Z';

export interface FakeOpenstack extends FakeServer {
  authUrl: string;
  /** OS_* variables for the fake's user (as an openrc file sets them). */
  env: Record<string, string>;
  /** A clouds.yaml text with one entry `name` for the fake's user. */
  cloudsYaml(name: string, region?: string): string;
  /** Ids still there: `servers`, a Neutron key (`floatingips`, `security_groups`, ...) or `recordsets`. */
  ids(collection: 'servers' | NeutronKey | 'recordsets'): string[];
  tokens: string[];
}

const neutronError = (status: number, type: string, message: string): FakeAnswer => ({ status, body: { NeutronError: { type, message, detail: '' } } });

export async function startFakeOpenstack(seed: OpenstackSeed, options: { pageSize?: number } = {}): Promise<FakeOpenstack> {
  const pageSize = options.pageSize ?? 1000;
  const tokens: string[] = [];
  const servers = new Map<string, Item>();
  const lingering = new Set<string>();
  const neutron: Record<NeutronKey, Map<string, Item>> = { floatingips: new Map(), ports: new Map(), security_groups: new Map(), routers: new Map(), subnets: new Map(), networks: new Map() };
  const zones = new Map<string, { id: string; name: string; recordsets: Map<string, Item> }>();
  let base = '';

  for (const s of seed.servers ?? []) {
    const addresses = Object.fromEntries(
      Object.entries(s.addresses ?? {}).map(([net, list]) => [net, list.map((a) => ({ addr: a.addr, version: 4, 'OS-EXT-IPS:type': a.type, 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' }))]),
    );
    servers.set(s.id, {
      id: s.id,
      region: s.region ?? REGIONS[0],
      name: s.name,
      status: s.status ?? 'ACTIVE',
      created: s.created ?? CREATED,
      updated: s.created ?? CREATED,
      tags: s.tags,
      metadata: s.metadata ?? {},
      addresses,
      flavor: { original_name: s.flavor ?? 'b2-15', vcpus: 4, ram: 15360, disk: 100, ephemeral: 0, swap: 0, extra_specs: {} },
      image: { id: '6e3b2a10-0000-4000-8000-000000000001' },
      'OS-EXT-AZ:availability_zone': 'nova',
      'OS-EXT-STS:task_state': null,
      'OS-EXT-STS:vm_state': 'active',
      'os-extended-volumes:volumes_attached': (s.volumes ?? []).map((id) => ({ id, delete_on_termination: false })),
      tenant_id: 'p-1',
      user_id: 'u-1',
    });
  }
  const neutronBase = (n: SeedNeutron) => ({ id: n.id, region: n.region ?? REGIONS[0], name: n.name, tags: n.tags, created_at: CREATED, updated_at: CREATED, project_id: 'p-1', tenant_id: 'p-1', revision_number: 1 });
  for (const n of seed.networks ?? []) neutron.networks.set(n.id, { ...neutronBase(n), status: 'ACTIVE', admin_state_up: true, shared: false, 'router:external': false, subnets: [] });
  for (const n of seed.subnets ?? []) neutron.subnets.set(n.id, { ...neutronBase(n), network_id: n.network, cidr: '10.0.0.0/24', ip_version: 4, gateway_ip: '10.0.0.1', enable_dhcp: true });
  for (const n of seed.routers ?? []) neutron.routers.set(n.id, { ...neutronBase(n), status: 'ACTIVE', admin_state_up: true, external_gateway_info: { network_id: 'ext-net', enable_snat: true } });
  for (const n of seed.securityGroups ?? []) neutron.security_groups.set(n.id, { ...neutronBase(n), description: '', security_group_rules: [] });
  for (const f of seed.floatingips ?? []) {
    neutron.floatingips.set(f.id, { ...neutronBase(f), floating_ip_address: f.address, floating_network_id: 'ext-net', port_id: f.port ?? null, router_id: f.router ?? null, fixed_ip_address: null, status: f.port ? 'ACTIVE' : 'DOWN', description: '' });
  }
  for (const p of seed.ports ?? []) {
    neutron.ports.set(p.id, {
      id: p.id,
      region: p.region ?? REGIONS[0],
      name: p.name ?? '',
      tags: p.tags ?? [],
      created_at: CREATED,
      network_id: p.network,
      fixed_ips: p.subnet ? [{ subnet_id: p.subnet, ip_address: p.ip ?? '10.0.0.5' }] : [],
      device_id: p.deviceId ?? '',
      device_owner: p.deviceOwner ?? '',
      security_groups: p.securityGroups ?? [],
      mac_address: 'fa:16:3e:00:00:02',
      status: p.deviceId ? 'ACTIVE' : 'DOWN',
      admin_state_up: true,
      madeByNova: p.madeByNova ?? false,
    });
  }
  for (const z of seed.zones ?? []) {
    const id = randomUUID();
    const recordsets = new Map<string, Item>();
    for (const r of z.recordsets) {
      const rid = randomUUID();
      recordsets.set(rid, { id: rid, region: '', zone_id: id, zone_name: z.name, name: r.name, type: r.type, records: r.records, ttl: 300, status: 'ACTIVE', action: 'NONE', version: 1 });
    }
    zones.set(id, { id, name: z.name, recordsets });
  }

  const visible = (item: Item) => {
    const { region: _region, madeByNova: _nova, seenDeleting: _seen, ...rest } = item;
    return rest;
  };

  /** One page of `items` after `marker`, with the next link when more remain. */
  function page(items: Item[], query: URLSearchParams, path: string) {
    const limit = Math.min(Number(query.get('limit') ?? pageSize), pageSize);
    const marker = query.get('marker');
    const start = marker ? items.findIndex((i) => i.id === marker) + 1 : 0;
    const slice = items.slice(start, start + limit);
    const more = start + limit < items.length;
    const next = new URLSearchParams(query);
    next.set('limit', String(limit));
    if (slice.length) next.set('marker', slice[slice.length - 1]!.id);
    // Links name the cloud's own host, as real clouds do; the client must not depend on it.
    return { slice: slice.map(visible), next: more ? `https://internal.cloud.example${path}?${next}` : undefined };
  }

  const withTags = (items: Iterable<Item>, region: string, query: URLSearchParams) => {
    const wanted = (query.get('tags') ?? '').split(',').filter(Boolean);
    const filters = [...query.entries()].filter(([k]) => !['tags', 'limit', 'marker'].includes(k));
    return [...items]
      .filter((i) => i.region === region)
      .filter((i) => wanted.every((t) => (i.tags as string[]).includes(t)))
      .filter((i) => filters.every(([k, v]) => String(i[k]) === v))
      .sort((a, b) => a.id.localeCompare(b.id));
  };

  const portsOf = (region: string) => [...neutron.ports.values()].filter((p) => p.region === region);
  const isDhcp = (p: Item) => p.device_owner === 'network:dhcp';

  function deleteServer(id: string) {
    const server = servers.get(id)!;
    server['OS-EXT-STS:task_state'] = 'deleting';
    lingering.add(id);
    for (const port of [...neutron.ports.values()].filter((p) => p.device_id === id)) {
      if (port.madeByNova) neutron.ports.delete(port.id);
      else Object.assign(port, { device_id: '', device_owner: '', status: 'DOWN' });
    }
    for (const f of neutron.floatingips.values()) if (f.port_id && !neutron.ports.has(f.port_id as string)) Object.assign(f, { port_id: null, fixed_ip_address: null, status: 'DOWN' });
  }

  function neutronDelete(key: NeutronKey, item: Item): FakeAnswer {
    const ports = portsOf(item.region);
    if (key === 'routers' && ports.some((p) => p.device_id === item.id && p.device_owner === ROUTER_INTERFACE)) {
      return neutronError(409, 'RouterInUse', `Router ${item.id} still has ports.`);
    }
    if (key === 'ports' && item.device_owner === ROUTER_INTERFACE) {
      return neutronError(409, 'L3PortInUse', `Port ${item.id} cannot be deleted directly via the port API: has device owner ${ROUTER_INTERFACE}.`);
    }
    if (key === 'subnets' && ports.some((p) => !isDhcp(p) && (p.fixed_ips as { subnet_id: string }[]).some((f) => f.subnet_id === item.id))) {
      return neutronError(409, 'SubnetInUse', `Unable to complete operation on subnet ${item.id}: one or more ports have an IP allocation from this subnet.`);
    }
    if (key === 'networks' && ports.some((p) => !isDhcp(p) && p.network_id === item.id)) {
      return neutronError(409, 'NetworkInUse', `Unable to complete operation on network ${item.id}. There are one or more ports still in use on the network.`);
    }
    if (key === 'security_groups' && ports.some((p) => (p.security_groups as string[]).includes(item.id))) {
      return neutronError(409, 'SecurityGroupInUse', `Security Group ${item.id} in use.`);
    }
    neutron[key].delete(item.id);
    if (key === 'networks') {
      for (const p of ports.filter((p) => p.network_id === item.id)) neutron.ports.delete(p.id);
      for (const s of [...neutron.subnets.values()].filter((s) => s.network_id === item.id)) neutron.subnets.delete(s.id);
    }
    return { status: 204 };
  }

  function keystone(request: FakeRequest): FakeAnswer {
    const auth = (request.body as { auth?: { identity?: { methods?: string[]; password?: { user?: { name?: string; password?: string; domain?: { name?: string } } } }; scope?: { project?: { name?: string } } } })?.auth;
    const user = auth?.identity?.password?.user;
    if (!auth?.identity?.methods?.includes('password') || user?.name !== FAKE_OS_USER.username || user.password !== FAKE_OS_USER.password || user.domain?.name !== FAKE_OS_USER.domain) {
      return { status: 401, body: { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } } };
    }
    if (auth.scope?.project?.name !== FAKE_OS_USER.project) return { status: 401, body: { error: { code: 401, message: 'Could not find project.', title: 'Unauthorized' } } };
    const token = `gAAAA${randomUUID().replace(/-/g, '')}`;
    tokens.push(token);
    const endpoints = (service: string, suffix: string) => REGIONS.map((region) => ({ id: randomUUID(), interface: 'public', region, region_id: region, url: `${base}/${region}/${service}${suffix}` }));
    return {
      status: 201,
      headers: { 'X-Subject-Token': token },
      body: {
        token: {
          methods: ['password'],
          expires_at: '2026-12-31T00:00:00.000000Z',
          issued_at: '2026-12-06T00:00:00.000000Z',
          user: { id: 'u-1', name: FAKE_OS_USER.username, domain: { id: 'default', name: FAKE_OS_USER.domain } },
          project: { id: 'p-1', name: FAKE_OS_USER.project, domain: { id: 'default', name: FAKE_OS_USER.domain } },
          roles: [{ id: 'r-1', name: 'member' }],
          catalog: [
            { id: 'c-1', type: 'identity', name: 'keystone', endpoints: [{ id: 'e-1', interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: `${base}/identity/v3` }] },
            { id: 'c-2', type: 'compute', name: 'nova', endpoints: endpoints('compute', '/v2.1') },
            { id: 'c-3', type: 'network', name: 'neutron', endpoints: endpoints('network', '') },
            { id: 'c-4', type: 'dns', name: 'designate', endpoints: endpoints('dns', '') },
          ],
        },
      },
    };
  }

  function handle(request: FakeRequest): FakeAnswer {
    if (request.path === '/identity/v3/auth/tokens' && request.method === 'POST') return keystone(request);
    if (!tokens.includes(String(request.headers['x-auth-token']))) return { status: 401, body: { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } } };
    const m = /^\/([^/]+)\/(compute\/v2\.1|network\/v2\.0|dns\/v2)(\/.*)$/.exec(request.path);
    if (!m || !(REGIONS as readonly string[]).includes(m[1]!)) return { status: 404, body: { message: `no route ${request.path}` } };
    const [, region, service, rest] = m as unknown as [string, string, string, string];

    if (service === 'compute/v2.1') {
      if (request.headers['openstack-api-version'] !== 'compute 2.26' && request.headers['x-openstack-nova-api-version'] !== '2.26') {
        return { status: 400, body: { badRequest: { code: 400, message: 'tags need microversion 2.26 or later' } } };
      }
      if (rest === '/servers/detail' && request.method === 'GET') {
        const { slice, next } = page(withTags(servers.values(), region, request.query), request.query, request.path);
        return { status: 200, body: { servers: slice, ...(next ? { servers_links: [{ rel: 'next', href: next }] } : {}) } };
      }
      const s = /^\/servers\/([^/]+)$/.exec(rest);
      const server = s ? servers.get(s[1]!) : undefined;
      if (!server || server.region !== region) return { status: 404, body: { itemNotFound: { code: 404, message: 'Instance could not be found.' } } };
      if (request.method === 'GET') {
        if (lingering.has(server.id)) {
          if (server.seenDeleting) {
            servers.delete(server.id);
            lingering.delete(server.id);
            return { status: 404, body: { itemNotFound: { code: 404, message: 'Instance could not be found.' } } };
          }
          server.seenDeleting = true;
        }
        return { status: 200, body: { server: visible(server) } };
      }
      if (request.method === 'DELETE') {
        if (lingering.has(server.id)) return { status: 204 };
        deleteServer(server.id);
        return { status: 204 };
      }
    }

    if (service === 'network/v2.0') {
      const r = /^\/routers\/([^/]+)\/remove_router_interface$/.exec(rest);
      if (r && request.method === 'PUT') {
        const router = neutron.routers.get(r[1]!);
        if (!router) return neutronError(404, 'RouterNotFound', `Router ${r[1]} could not be found`);
        const portId = (request.body as { port_id?: string })?.port_id;
        const port = portId ? neutron.ports.get(portId) : undefined;
        if (!port || port.device_id !== router.id) return neutronError(404, 'RouterInterfaceNotFound', `Router ${router.id} does not have an interface with id ${portId}`);
        if ([...neutron.floatingips.values()].some((f) => f.router_id === router.id && f.port_id)) {
          return neutronError(409, 'RouterInterfaceInUseByFloatingIP', `Router interface for subnet on router ${router.id} cannot be deleted, as it is required by one or more floating IPs.`);
        }
        neutron.ports.delete(port.id);
        return { status: 200, body: { id: router.id, port_id: port.id, subnet_id: (port.fixed_ips as { subnet_id: string }[])[0]?.subnet_id, tenant_id: 'p-1', tags: [] } };
      }
      const n = /^\/(floatingips|ports|security-groups|routers|subnets|networks)(?:\/([^/]+))?$/.exec(rest);
      if (!n) return neutronError(404, 'HTTPNotFound', `no route ${rest}`);
      const key = NEUTRON_COLLECTIONS[n[1] as keyof typeof NEUTRON_COLLECTIONS];
      if (!n[2] && request.method === 'GET') {
        const { slice, next } = page(withTags(neutron[key].values(), region, request.query), request.query, request.path);
        return { status: 200, body: { [key]: slice, ...(next ? { [`${key}_links`]: [{ rel: 'next', href: next }] } : {}) } };
      }
      const item = n[2] ? neutron[key].get(n[2]) : undefined;
      if (!item || item.region !== region) return neutronError(404, `${key}NotFound`, `${n[1]} ${n[2]} could not be found.`);
      if (request.method === 'GET') return { status: 200, body: { [key.replace(/s$/, '')]: visible(item) } };
      if (request.method === 'DELETE') return neutronDelete(key, item);
    }

    if (service === 'dns/v2') {
      if (region !== REGIONS[0]) return { status: 404, body: { code: 404, type: 'not_found', message: 'no zones in this region' } };
      if (rest === '/zones' && request.method === 'GET') {
        return { status: 200, body: { zones: [...zones.values()].map((z) => ({ id: z.id, name: z.name, status: 'ACTIVE', type: 'PRIMARY', ttl: 3600 })), links: { self: `${base}${request.path}` }, metadata: { total_count: zones.size } } };
      }
      const z = /^\/zones\/([^/]+)\/recordsets(?:\/([^/]+))?$/.exec(rest);
      const zone = z ? zones.get(z[1]!) : undefined;
      if (!zone) return { status: 404, body: { code: 404, type: 'zone_not_found', message: 'Could not find Zone' } };
      if (!z![2] && request.method === 'GET') {
        const all = [...zone.recordsets.values()].sort((a, b) => a.id.localeCompare(b.id));
        const { slice, next } = page(all, request.query, request.path);
        return { status: 200, body: { recordsets: slice, links: { self: `${base}${request.path}`, ...(next ? { next } : {}) }, metadata: { total_count: all.length } } };
      }
      const set = zone.recordsets.get(z![2]!);
      if (!set) return { status: 404, body: { code: 404, type: 'recordset_not_found', message: 'Could not find RecordSet' } };
      if (request.method === 'DELETE') {
        zone.recordsets.delete(set.id);
        return { status: 202, body: { ...visible(set), status: 'PENDING', action: 'DELETE' } };
      }
    }
    return { status: 405, body: { message: 'not supported by the fake' } };
  }

  const server = await startFakeServer(handle);
  base = server.url;
  const authUrl = `${server.url}/identity/v3`;
  return {
    ...server,
    authUrl,
    tokens,
    env: {
      OS_AUTH_URL: authUrl,
      OS_USERNAME: FAKE_OS_USER.username,
      OS_PASSWORD: FAKE_OS_USER.password,
      OS_PROJECT_NAME: FAKE_OS_USER.project,
      OS_USER_DOMAIN_NAME: FAKE_OS_USER.domain,
      OS_PROJECT_DOMAIN_NAME: FAKE_OS_USER.domain,
    },
    cloudsYaml: (name, region) =>
      [
        'clouds:',
        `  ${name}:`,
        '    auth:',
        `      auth_url: ${authUrl}`,
        `      username: ${FAKE_OS_USER.username}`,
        `      password: ${FAKE_OS_USER.password}`,
        `      project_name: ${FAKE_OS_USER.project}`,
        `      user_domain_name: ${FAKE_OS_USER.domain}`,
        `      project_domain_name: ${FAKE_OS_USER.domain}`,
        ...(region ? [`    region_name: ${region}`] : []),
        '    interface: public',
        '    identity_api_version: 3',
        '',
      ].join('\n'),
    ids: (collection) => {
      if (collection === 'servers') return [...servers.keys()].filter((id) => !lingering.has(id)).sort();
      if (collection === 'recordsets') return [...zones.values()].flatMap((z) => [...z.recordsets.values()].map((r) => `${r.name} ${r.type}`)).sort();
      return [...neutron[collection].keys()].sort();
    },
  };
}
