// A fake of the Hetzner Cloud API v1 on loopback, for the endpoints teardown and status call:
// list (label_selector, page, per_page → meta.pagination), get and delete of servers, firewalls,
// networks and primary IPs, the firewall action remove_from_resources, and DNS zones with their
// record sets (list, delete by name and type). Shapes follow Hetzner's
// API reference (docs.hetzner.cloud): items under the plural key, one item under the singular key,
// errors as { error: { code, message } }, deletions of servers answered with an action. Like the
// provider, it refuses to delete a firewall still applied to anything (422 resource_in_use) and a
// primary IP still assigned (422 must_be_unassigned); deleting a network detaches its servers, as
// the reference says. A deleted server lingers in status "deleting" for one more read.
import { startFakeServer, type FakeAnswer, type FakeRequest, type FakeServer } from './fake-http.ts';

type Labels = Record<string, string>;

export interface SeedServer {
  id: number;
  name: string;
  labels: Labels;
  status?: string;
  ipv4?: string;
  privateIp?: string;
  network?: number;
  serverType?: string;
  location?: string;
  created?: string;
  /** Ids of attached volumes. */
  volumes?: number[];
}
export interface SeedFirewall {
  id: number;
  name: string;
  labels: Labels;
  servers?: number[];
  selector?: string;
}
export interface SeedNetwork {
  id: number;
  name: string;
  labels: Labels;
}
export interface SeedPrimaryIp {
  id: number;
  name: string;
  labels: Labels;
  ip: string;
  assignee?: number;
  autoDelete?: boolean;
}
export interface SeedZone {
  id: number;
  name: string;
  /** Names relative to the zone, `@` for its apex. */
  rrsets: { name: string; type: string; values: string[]; labels?: Labels }[];
}
export interface HetznerSeed {
  zones?: SeedZone[];
  servers?: SeedServer[];
  firewalls?: SeedFirewall[];
  networks?: SeedNetwork[];
  primaryIps?: SeedPrimaryIp[];
}

type Resource = Record<string, unknown> & { id: number; labels: Labels };

export interface FakeHetzner extends FakeServer {
  /** HCLOUD_TOKEN and HCLOUD_ENDPOINT for the CLI. */
  env: Record<string, string>;
  /** Ids still there, per collection. */
  ids(collection: 'servers' | 'firewalls' | 'networks' | 'primary_ips'): number[];
  /** Record sets still there, as `name/type` per zone name. */
  rrsets(zone: string): string[];
  /** The next `count` requests answer 429, to exercise retries. */
  throttleNext(count: number): void;
}

/** Hetzner's label selector: comma-separated `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`. */
export function matchesSelector(labels: Labels, selector: string): boolean {
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g)?.map((t) => t.trim()).filter(Boolean) ?? [];
  return terms.every((term) => {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === 'in' ? has : !has;
    }
    if ((m = /^([^!=]+)!=(.*)$/.exec(term))) return labels[m[1]!] !== m[2];
    if ((m = /^([^!=]+)==?(.*)$/.exec(term))) return labels[m[1]!] === m[2];
    if (term.startsWith('!')) return !(term.slice(1) in labels);
    return term in labels;
  });
}

const SINGULAR = { servers: 'server', firewalls: 'firewall', networks: 'network', primary_ips: 'primary_ip' } as const;
type Collection = keyof typeof SINGULAR;

const error = (status: number, code: string, message: string): FakeAnswer => ({ status, body: { error: { code, message, details: {} } } });
const CREATED = '2026-12-01T09:00:00+00:00';

export interface FakeHetznerOptions {
  token?: string;
  /** Hetzner allows up to 50 per page; a smaller cap makes a few resources span pages. */
  maxPerPage?: number;
}

export async function startFakeHetzner(seed: HetznerSeed, options: FakeHetznerOptions = {}): Promise<FakeHetzner> {
  const token = options.token ?? 'fake-hcloud-token-0123456789';
  const maxPerPage = options.maxPerPage ?? 50;
  const state: Record<Collection, Map<number, Resource>> = { servers: new Map(), firewalls: new Map(), networks: new Map(), primary_ips: new Map() };
  /** Servers deleted but still readable once (status deleting). */
  const lingering = new Map<number, number>();
  let throttle = 0;
  let actionId = 1000;
  const zones = new Map<number, { id: number; name: string; rrsets: Map<string, Record<string, unknown>> }>();
  for (const z of seed.zones ?? []) {
    const rrsets = new Map<string, Record<string, unknown>>();
    for (const r of z.rrsets) {
      rrsets.set(`${r.name}/${r.type}`, { id: `${r.name}/${r.type}`, name: r.name, type: r.type, ttl: null, labels: r.labels ?? {}, records: r.values.map((value) => ({ value, comment: '' })), zone: z.id, protection: { change: false } });
    }
    zones.set(z.id, { id: z.id, name: z.name, rrsets });
  }
  /** One page of items, with Hetzner's meta.pagination. */
  const paginate = (key: string, all: unknown[], query: URLSearchParams): FakeAnswer => {
    const perPage = Math.min(Number(query.get('per_page') ?? 25), maxPerPage);
    const page = Number(query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    return {
      status: 200,
      body: {
        [key]: all.slice((page - 1) * perPage, page * perPage),
        meta: { pagination: { page, per_page: perPage, previous_page: page > 1 ? page - 1 : null, next_page: page < last ? page + 1 : null, last_page: last, total_entries: all.length } },
      },
    };
  };

  const action = (command: string, resources: { id: number; type: string }[]) => ({
    id: (actionId += 1),
    command,
    status: 'running',
    progress: 0,
    started: new Date().toISOString(),
    finished: null,
    resources,
    error: null,
  });

  for (const s of seed.servers ?? []) {
    state.servers.set(s.id, {
      id: s.id,
      name: s.name,
      status: s.status ?? 'running',
      created: s.created ?? CREATED,
      labels: s.labels,
      public_net: {
        ipv4: s.ipv4 ? { id: s.id + 5000, ip: s.ipv4, blocked: false, dns_ptr: `static.${s.ipv4}.clients.your-server.de` } : null,
        ipv6: null,
        floating_ips: [],
        firewalls: [],
      },
      private_net: s.network !== undefined ? [{ network: s.network, ip: s.privateIp ?? '10.0.0.2', alias_ips: [], mac_address: '86:00:00:00:00:01' }] : [],
      server_type: { id: 1, name: s.serverType ?? 'ccx23', cores: 4, memory: 16, disk: 160 },
      datacenter: { id: 1, name: `${s.location ?? 'fsn1'}-dc14`, location: { id: 1, name: s.location ?? 'fsn1', country: 'DE', city: 'Falkenstein', network_zone: 'eu-central' } },
      image: { id: 114690387, name: 'debian-12', type: 'system' },
      protection: { delete: false, rebuild: false },
      volumes: s.volumes ?? [],
    });
  }
  for (const f of seed.firewalls ?? []) {
    const applied: unknown[] = (f.servers ?? []).map((id) => ({ type: 'server', server: { id } }));
    if (f.selector) applied.push({ type: 'label_selector', label_selector: { selector: f.selector }, applied_to_resources: [] });
    state.firewalls.set(f.id, { id: f.id, name: f.name, labels: f.labels, created: CREATED, rules: [], applied_to: applied });
  }
  for (const n of seed.networks ?? []) {
    const servers = (seed.servers ?? []).filter((s) => s.network === n.id).map((s) => s.id);
    state.networks.set(n.id, { id: n.id, name: n.name, labels: n.labels, created: CREATED, ip_range: '10.0.0.0/16', subnets: [], routes: [], servers, load_balancers: [], protection: { delete: false }, expose_routes_to_vswitch: false });
  }
  for (const p of seed.primaryIps ?? []) {
    state.primary_ips.set(p.id, {
      id: p.id,
      name: p.name,
      labels: p.labels,
      created: CREATED,
      ip: p.ip,
      type: 'ipv4',
      assignee_id: p.assignee ?? null,
      assignee_type: 'server',
      auto_delete: p.autoDelete ?? false,
      blocked: false,
      dns_ptr: [],
      protection: { delete: false },
    });
  }

  const deleteServer = (id: number) => {
    const server = state.servers.get(id)!;
    server.status = 'deleting';
    lingering.set(id, 1);
    for (const f of state.firewalls.values()) f.applied_to = (f.applied_to as { type: string; server?: { id: number } }[]).filter((t) => t.server?.id !== id);
    for (const n of state.networks.values()) n.servers = (n.servers as number[]).filter((s) => s !== id);
    for (const p of [...state.primary_ips.values()]) {
      if (p.assignee_id !== id) continue;
      if (p.auto_delete) state.primary_ips.delete(p.id);
      else p.assignee_id = null;
    }
  };

  const handle = (request: FakeRequest): FakeAnswer => {
    if (request.headers.authorization !== `Bearer ${token}`) return error(401, 'unauthorized', 'unable to authenticate');
    if (throttle > 0) {
      throttle -= 1;
      return { ...error(429, 'rate_limit_exceeded', 'limit of 3600 requests per hour reached'), headers: { 'Retry-After': '0' } };
    }
    const z = /^\/v1\/zones(?:\/(\d+)\/rrsets(?:\/([^/]+)\/([^/]+))?)?$/.exec(request.path);
    if (z) {
      if (!z[1]) return paginate('zones', [...zones.values()].map((zone) => ({ id: zone.id, name: zone.name, mode: 'primary', ttl: 3600, labels: {}, created: CREATED, status: 'ok' })), request.query);
      const zone = zones.get(Number(z[1]));
      if (!zone) return error(404, 'not_found', `zone with ID '${z[1]}' not found`);
      if (!z[2] && request.method === 'GET') return paginate('rrsets', [...zone.rrsets.values()], request.query);
      const key = `${decodeURIComponent(z[2] ?? '')}/${z[3]}`;
      if (!zone.rrsets.has(key)) return error(404, 'not_found', `rrset '${key}' not found`);
      if (request.method !== 'DELETE') return error(405, 'method_not_allowed', 'not supported by the fake');
      zone.rrsets.delete(key);
      return { status: 201, body: { action: action('delete_rrset', [{ id: zone.id, type: 'zone' }]) } };
    }
    const m = /^\/v1\/(servers|firewalls|networks|primary_ips)(?:\/(\d+))?(\/actions\/remove_from_resources)?$/.exec(request.path);
    if (!m) return error(404, 'not_found', `no route ${request.method} ${request.path}`);
    const collection = m[1] as Collection;
    const items = state[collection];
    if (!m[2]) {
      if (request.method !== 'GET') return error(405, 'method_not_allowed', 'not supported by the fake');
      const selector = request.query.get('label_selector');
      const all = [...items.values()].filter((r) => (selector ? matchesSelector(r.labels, selector) : true)).sort((a, b) => a.id - b.id);
      return paginate(collection, all, request.query);
    }
    const id = Number(m[2]);
    const item = items.get(id);
    if (!item) return error(404, 'not_found', `${SINGULAR[collection]} with ID '${id}' not found`);
    if (request.method === 'GET') {
      if (collection === 'servers' && lingering.has(id)) {
        const left = lingering.get(id)! - 1;
        if (left < 0) {
          items.delete(id);
          lingering.delete(id);
          return error(404, 'not_found', `server with ID '${id}' not found`);
        }
        lingering.set(id, left);
      }
      return { status: 200, body: { [SINGULAR[collection]]: item } };
    }
    if (m[3]) {
      if (collection !== 'firewalls' || request.method !== 'POST') return error(405, 'method_not_allowed', 'not supported by the fake');
      const removeFrom = ((request.body as { remove_from?: unknown[] })?.remove_from ?? []) as { type: string; server?: { id: number }; label_selector?: { selector: string } }[];
      const applied = item.applied_to as typeof removeFrom;
      for (const target of removeFrom) {
        const at = applied.findIndex((a) => a.type === target.type && (target.type === 'server' ? a.server?.id === target.server?.id : a.label_selector?.selector === target.label_selector?.selector));
        if (at < 0) return error(404, 'firewall_resource_not_found', 'the resource the firewall should be removed from was not found');
        applied.splice(at, 1);
      }
      return { status: 201, body: { actions: removeFrom.map((t) => action('remove_firewall', [{ id: t.server?.id ?? 0, type: t.type }, { id, type: 'firewall' }])) } };
    }
    if (request.method !== 'DELETE') return error(405, 'method_not_allowed', 'not supported by the fake');
    if (collection === 'servers') {
      if (item.status === 'deleting') return error(404, 'not_found', `server with ID '${id}' not found`);
      deleteServer(id);
      return { status: 200, body: { action: action('delete_server', [{ id, type: 'server' }]) } };
    }
    if (collection === 'firewalls' && (item.applied_to as unknown[]).length > 0) return error(422, 'resource_in_use', 'firewall must not be in use to be deleted');
    if (collection === 'primary_ips' && item.assignee_id !== null) return error(422, 'must_be_unassigned', 'primary IP is still assigned to a resource');
    items.delete(id);
    return { status: 204 };
  };

  const server = await startFakeServer(handle);
  return {
    ...server,
    env: { HCLOUD_TOKEN: token, HCLOUD_ENDPOINT: `${server.url}/v1` },
    ids: (collection) => [...state[collection].entries()].filter(([id, r]) => !(collection === 'servers' && r.status === 'deleting' && lingering.has(id))).map(([id]) => id).sort((a, b) => a - b),
    rrsets: (name) => [...([...zones.values()].find((z) => z.name === name)?.rrsets.keys() ?? [])].sort(),
    throttleNext: (count) => {
      throttle = count;
    },
  };
}
