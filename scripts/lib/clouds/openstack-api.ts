// The OpenStack APIs jitsi-eu reads and removes a stack's resources with: Keystone v3 (a token
// and the service catalog), Nova (servers), Neutron (floating IPs, ports, security groups,
// routers, subnets, networks) and Designate (DNS record sets). Lists follow the "next" links;
// Nova and Neutron filter by `tags=a,b` (every tag present).
import { UsageError } from '../cli.ts';
import { ApiError, DEFAULT_RETRY, requestJson, type RetryPolicy } from './json-api.ts';
import { openstackCredentials, type OpenstackCredentials } from './openstack-credentials.ts';

/** Nova returns server tags, and filters by them, from this microversion on. */
const NOVA_MICROVERSION = '2.26';

export interface NovaServer {
  id: string;
  name: string;
  /** ACTIVE, BUILD, SHUTOFF, ERROR, DELETED, ... */
  status: string;
  created: string;
  tags: string[];
  metadata: Record<string, string>;
  /** network name → addresses (fixed and floating). */
  addresses: Record<string, { addr: string; version: number; 'OS-EXT-IPS:type'?: string }[]>;
  flavor: { original_name?: string; id?: string };
  'OS-EXT-AZ:availability_zone'?: string;
}

export interface NeutronResource {
  id: string;
  name?: string;
  tags: string[];
  created_at?: string;
}
export interface NeutronPort extends NeutronResource {
  network_id: string;
  device_id: string;
  device_owner: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  security_groups: string[];
}
export interface NeutronFloatingIp extends NeutronResource {
  floating_ip_address: string;
  port_id: string | null;
  router_id: string | null;
}

/** Neutron collections: URL path and the key its answer holds the items under. */
export const NEUTRON = {
  floatingips: { path: 'floatingips', key: 'floatingips' },
  ports: { path: 'ports', key: 'ports' },
  security_groups: { path: 'security-groups', key: 'security_groups' },
  routers: { path: 'routers', key: 'routers' },
  subnets: { path: 'subnets', key: 'subnets' },
  networks: { path: 'networks', key: 'networks' },
} as const;
export type NeutronCollection = keyof typeof NEUTRON;

export interface DesignateZone {
  id: string;
  name: string;
}
export interface DesignateRecordset {
  id: string;
  zone_id: string;
  name: string;
  type: string;
  records: string[];
  ttl?: number | null;
}

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region?: string; region_id?: string; url: string }[];
}

export interface DesignateApi {
  zones(): Promise<DesignateZone[]>;
  recordsets(zoneId: string): Promise<DesignateRecordset[]>;
  deleteRecordset(zoneId: string, id: string): Promise<void>;
}

export interface OpenstackSession {
  region: string;
  /** Where the credentials came from (never the credentials). */
  credentialsSource: string;
  /** Every server carrying all `tags`. */
  servers(tags: readonly string[]): Promise<NovaServer[]>;
  server(id: string): Promise<NovaServer | undefined>;
  deleteServer(id: string): Promise<void>;
  list<T extends NeutronResource = NeutronResource>(collection: NeutronCollection, filters: Record<string, string>): Promise<T[]>;
  delete(collection: NeutronCollection, id: string): Promise<void>;
  removeRouterInterface(routerId: string, portId: string): Promise<void>;
  /** Undefined when the cloud has no DNS service in its catalog. */
  dns?: DesignateApi;
}

/** `["jitsi-eu:stack=a", "x"]` → `{ "jitsi-eu:stack": "a", x: "" }`. */
export function tagMap(tags: readonly string[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => (t.includes('=') ? [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)] : [t, ''])));
}

export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;

/** `https://keystone.example:5000` or `…/v3` → `…/v3`. */
function keystoneV3(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

function authBody(credentials: OpenstackCredentials): unknown {
  const { secret, project } = credentials;
  const identity =
    secret.method === 'password'
      ? { methods: ['password'], password: { user: { name: secret.username, domain: { name: secret.userDomainName }, password: secret.password } } }
      : { methods: ['application_credential'], application_credential: { id: secret.id, secret: secret.secret } };
  const scope = secret.method === 'password' && project ? { project: project.id ? { id: project.id } : { name: project.name, domain: { name: project.domainName } } } : undefined;
  return { auth: { identity, ...(scope ? { scope } : {}) } };
}

function endpointFor(catalog: readonly CatalogEntry[], type: string, region: string, iface: string): string | undefined {
  const entry = catalog.find((c) => c.type === type);
  const endpoint = entry?.endpoints.find((e) => e.interface === iface && (e.region_id === region || e.region === region));
  return endpoint?.url.replace(/\/+$/, '');
}

/** The next page's query, asked again of our own endpoint (links may name an internal host). */
function queryOf(href: unknown): URLSearchParams | undefined {
  return typeof href === 'string' ? new URL(href, 'http://placeholder').searchParams : undefined;
}

type NextPage = (page: Record<string, unknown>) => URLSearchParams | undefined;

/** Nova and Neutron: `<key>_links: [{ rel: "next", href }]`. */
const linksNext = (linksKey: string): NextPage => (page) =>
  queryOf(Array.isArray(page[linksKey]) ? (page[linksKey] as { rel?: string; href?: string }[]).find((l) => l.rel === 'next')?.href : undefined);

/** Designate: `links: { self, next }`. */
const designateNext: NextPage = (page) => queryOf((page.links as { next?: unknown } | undefined)?.next);

export interface SessionOptions {
  /** clouds.yaml entry (openstack:cloud); else OS_CLOUD, else the OS_* variables. */
  cloud?: string | undefined;
  /** The stack's openstack:region; else OS_REGION_NAME or the entry's region_name, else the cloud's only region. */
  region?: string | undefined;
  retry?: RetryPolicy;
}

/** Authenticates (Keystone v3) and finds the compute, network and DNS endpoints of the region. */
export async function openstackSession(env: NodeJS.ProcessEnv, options: SessionOptions = {}): Promise<OpenstackSession> {
  const credentials = openstackCredentials(env, options.cloud);
  const retry = options.retry ?? DEFAULT_RETRY;
  let auth: { body: { token: { catalog?: CatalogEntry[] } }; headers: Headers };
  try {
    auth = await requestJson(`${keystoneV3(credentials.authUrl)}/auth/tokens`, { method: 'POST', body: authBody(credentials) }, retry);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new UsageError([`Keystone refused the credentials from ${credentials.source} (401).`, 'Check the user name, password (or application credential) and project there.']);
    }
    throw error;
  }
  const token = auth.headers.get('x-subject-token');
  if (!token) throw new Error(`Keystone at ${credentials.authUrl} answered without an X-Subject-Token`);
  const catalog = auth.body.token.catalog ?? [];
  const computeEndpoints = (catalog.find((c) => c.type === 'compute')?.endpoints ?? []).filter((e) => e.interface === credentials.interface);
  const regions = [...new Set(computeEndpoints.map((e) => e.region_id ?? e.region ?? ''))];
  const region = options.region ?? credentials.regionName ?? (regions.length === 1 ? regions[0]! : undefined);
  if (!region) {
    throw new UsageError([`the cloud of ${credentials.source} has ${regions.length} regions (${regions.join(', ')}): say which.`, 'Set openstack:region in the stack file, or --region, or OS_REGION_NAME.']);
  }
  const compute = endpointFor(catalog, 'compute', region, credentials.interface);
  const networkBase = endpointFor(catalog, 'network', region, credentials.interface);
  if (!compute || !networkBase) {
    throw new UsageError(`the catalog from ${credentials.source} has no ${!compute ? 'compute' : 'network'} endpoint in region ${region} (its regions: ${regions.join(', ') || 'none'})`);
  }
  const network = /\/v2\.0$/.test(networkBase) ? networkBase : `${networkBase}/v2.0`;
  const dnsBase = endpointFor(catalog, 'dns', region, credentials.interface);
  const designate = dnsBase ? `${dnsBase.replace(/\/v2$/, '')}/v2` : undefined;

  const headers = { 'X-Auth-Token': token };
  const nova = { ...headers, 'OpenStack-API-Version': `compute ${NOVA_MICROVERSION}`, 'X-OpenStack-Nova-API-Version': NOVA_MICROVERSION };
  const get = async <T>(url: string, extra: Record<string, string> = headers) => (await requestJson<T>(url, { headers: extra }, retry)).body;
  const del = async (url: string, extra: Record<string, string> = headers) => void (await requestJson(url, { method: 'DELETE', headers: extra }, retry));

  /** Every page of a list: `key` holds the items, `nextOf` finds the next page. */
  async function pages<T>(base: string, query: URLSearchParams, key: string, nextOf: NextPage, extra?: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    let q: URLSearchParams | undefined = query;
    while (q) {
      const page: Record<string, unknown> = await get(`${base}?${q}`, extra);
      items.push(...((page[key] as T[] | undefined) ?? []));
      const next = nextOf(page);
      q = next && next.toString() !== q.toString() ? next : undefined;
    }
    return items;
  }

  const dns: DesignateApi | undefined = designate
    ? {
        zones: () => pages<DesignateZone>(`${designate}/zones`, new URLSearchParams(), 'zones', designateNext),
        recordsets: (zoneId) => pages<DesignateRecordset>(`${designate}/zones/${encodeURIComponent(zoneId)}/recordsets`, new URLSearchParams(), 'recordsets', designateNext),
        deleteRecordset: (zoneId, id) => del(`${designate}/zones/${encodeURIComponent(zoneId)}/recordsets/${encodeURIComponent(id)}`),
      }
    : undefined;

  return {
    region,
    credentialsSource: credentials.source,
    servers: (tags) => pages<NovaServer>(`${compute}/servers/detail`, new URLSearchParams({ tags: tags.join(',') }), 'servers', linksNext('servers_links'), nova),
    server: async (id) => {
      try {
        return (await get<{ server: NovaServer }>(`${compute}/servers/${encodeURIComponent(id)}`, nova)).server;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    deleteServer: (id) => del(`${compute}/servers/${encodeURIComponent(id)}`, nova),
    list: <T extends NeutronResource>(collection: NeutronCollection, filters: Record<string, string>) =>
      pages<T>(`${network}/${NEUTRON[collection].path}`, new URLSearchParams(filters), NEUTRON[collection].key, linksNext(`${NEUTRON[collection].key}_links`)),
    delete: (collection, id) => del(`${network}/${NEUTRON[collection].path}/${encodeURIComponent(id)}`),
    removeRouterInterface: async (routerId, portId) => {
      await requestJson(`${network}/routers/${encodeURIComponent(routerId)}/remove_router_interface`, { method: 'PUT', headers, body: { port_id: portId } }, retry);
    },
    ...(dns ? { dns } : {}),
  };
}
