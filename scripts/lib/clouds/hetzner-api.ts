// The Hetzner Cloud API v1, as far as jitsi-eu reads and removes a stack's resources: servers,
// firewalls, networks and primary IPs, selected by label. Bearer token from HCLOUD_TOKEN; the
// base URL can be changed with HCLOUD_ENDPOINT, as the hcloud CLI allows.
import { UsageError } from '../cli.ts';
import { DEFAULT_RETRY, requestJson, type RetryPolicy } from './json-api.ts';

export const HETZNER_API = 'https://api.hetzner.cloud/v1';

export type Labels = Record<string, string>;

export interface HetznerServer {
  id: number;
  name: string;
  /** running, initializing, starting, stopping, off, deleting, migrating, rebuilding, unknown */
  status: string;
  created: string;
  labels: Labels;
  public_net: {
    ipv4: { id?: number; ip: string } | null;
    ipv6: { id?: number; ip: string } | null;
    firewalls?: { id: number; status: string }[];
  };
  private_net: { network: number; ip: string }[];
  server_type: { name: string };
  datacenter: { name: string; location: { name: string } };
}

export type FirewallTarget =
  | { type: 'server'; server: { id: number } }
  | { type: 'label_selector'; label_selector: { selector: string } };

export interface HetznerFirewall {
  id: number;
  name: string;
  labels: Labels;
  created: string;
  applied_to: FirewallTarget[];
}

export interface HetznerNetwork {
  id: number;
  name: string;
  ip_range: string;
  labels: Labels;
  created: string;
  /** Ids of the servers attached to the network. */
  servers: number[];
}

export interface HetznerPrimaryIp {
  id: number;
  name: string;
  ip: string;
  type: 'ipv4' | 'ipv6';
  labels: Labels;
  created: string;
  assignee_id: number | null;
  auto_delete: boolean;
}

/** A DNS zone (DNS is part of the Cloud API). */
export interface HetznerZone {
  id: number;
  name: string;
  mode: 'primary' | 'secondary';
}

/** A record set of a zone: `name` is relative to the zone (`@` for its apex), `id` is `name/type`. */
export interface HetznerRrset {
  id: string;
  name: string;
  type: string;
  ttl: number | null;
  labels: Labels;
  records: { value: string; comment?: string }[];
  zone: number;
}

/** The list endpoints jitsi-eu reads, and the key each one's page holds its items under. */
export interface HetznerCollections {
  servers: HetznerServer;
  firewalls: HetznerFirewall;
  networks: HetznerNetwork;
  primary_ips: HetznerPrimaryIp;
}
export type HetznerCollection = keyof HetznerCollections;

/** The key a single item comes under (`GET /servers/42` → `{ server: … }`). */
const SINGULAR: Record<HetznerCollection, string> = { servers: 'server', firewalls: 'firewall', networks: 'network', primary_ips: 'primary_ip' };

interface Page {
  meta?: { pagination?: { next_page: number | null } };
}

export interface HetznerCredentials {
  token: string;
  endpoint: string;
}

/** HCLOUD_TOKEN (and HCLOUD_ENDPOINT) from the environment, or a usage error saying what to set. */
export function hetznerCredentials(env: NodeJS.ProcessEnv): HetznerCredentials {
  const token = env.HCLOUD_TOKEN?.trim();
  if (!token) {
    throw new UsageError([
      'no Hetzner Cloud API token: HCLOUD_TOKEN is not set.',
      'Create a read & write API token in the Hetzner Console (the project of the stack → Security → API tokens) and export HCLOUD_TOKEN=<token>.',
    ]);
  }
  return { token, endpoint: (env.HCLOUD_ENDPOINT?.trim() || HETZNER_API).replace(/\/+$/, '') };
}

export class HetznerApi {
  constructor(
    private readonly credentials: HetznerCredentials,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    try {
      const { body: answer } = await requestJson<T>(
        `${this.credentials.endpoint}${path}`,
        { method, headers: { Authorization: `Bearer ${this.credentials.token}` }, ...(body !== undefined ? { body } : {}) },
        this.retry,
      );
      return answer;
    } catch (error) {
      if ((error as { status?: unknown }).status === 401) {
        throw new UsageError(['Hetzner Cloud refused HCLOUD_TOKEN (401 unauthorized).', 'Check that the token belongs to the project of the stack and has not been revoked.']);
      }
      throw error;
    }
  }

  /** Every item of a list, page after page. */
  private async pages<T>(path: string, key: string, filters: Record<string, string> = {}): Promise<T[]> {
    const items: T[] = [];
    let page: number | null = 1;
    while (page !== null) {
      const query = new URLSearchParams({ ...filters, page: String(page), per_page: '50' });
      const answer: Page & Record<string, unknown> = await this.call('GET', `${path}?${query}`);
      items.push(...((answer[key] as T[] | undefined) ?? []));
      page = answer.meta?.pagination?.next_page ?? null;
    }
    return items;
  }

  /** Every item of a collection matching the label selector. */
  list<K extends HetznerCollection>(collection: K, labelSelector: string): Promise<HetznerCollections[K][]> {
    return this.pages(`/${collection}`, collection, { label_selector: labelSelector });
  }

  zones(): Promise<HetznerZone[]> {
    return this.pages('/zones', 'zones');
  }

  rrsets(zoneId: number): Promise<HetznerRrset[]> {
    return this.pages(`/zones/${zoneId}/rrsets`, 'rrsets');
  }

  async deleteRrset(zoneId: number, name: string, type: string): Promise<void> {
    await this.call('DELETE', `/zones/${zoneId}/rrsets/${encodeURIComponent(name)}/${encodeURIComponent(type)}`);
  }

  /** One item, or undefined once it is gone. */
  async get<K extends HetznerCollection>(collection: K, id: number): Promise<HetznerCollections[K] | undefined> {
    try {
      const answer = await this.call<Record<string, HetznerCollections[K]>>('GET', `/${collection}/${id}`);
      return answer[SINGULAR[collection]];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(collection: HetznerCollection, id: number): Promise<void> {
    await this.call('DELETE', `/${collection}/${id}`);
  }

  /** Takes a firewall off what it is applied to: servers, and label selectors (which cover servers too). */
  async removeFirewallFrom(firewallId: number, targets: readonly FirewallTarget[]): Promise<void> {
    if (targets.length === 0) return;
    await this.call('POST', `/firewalls/${firewallId}/actions/remove_from_resources`, { remove_from: targets });
  }
}

export function isNotFound(error: unknown): boolean {
  return (error as { status?: unknown }).status === 404;
}
