// The typed, validated description of one deployment. Everything downstream (privacy profile,
// render, infra, verify, sandbox) reads this and nothing else.

export type AuthMode = 'anonymous' | 'secure' | 'jwt';
export type Topology = 'single' | 'scalable';
export type TlsMode = 'letsencrypt' | 'letsencrypt-staging';
export type Partition = 'aws' | 'aws-eusc';
/** The provider the servers run at. */
export type Cloud = 'aws' | 'hetzner' | 'openstack';
export const CLOUDS: readonly Cloud[] = ['aws', 'hetzner', 'openstack'];
/** `eu`: an EU member state. `adequacy`: Europe outside the EU, allowed only by explicit opt-in. */
export type Residency = 'eu' | 'adequacy';
/** GDPR Art. 6(1) basis the privacy notice names: (f) legitimate interests, or (e) a task in the public interest. */
export type LegalBasis = 'legitimate-interest' | 'public-task';
/** Languages the privacy notice can be offered in besides English. */
export const NOTICE_TRANSLATIONS = ['de', 'fr'] as const;
export type NoticeTranslation = (typeof NOTICE_TRANSLATIONS)[number];

export interface BridgePoolSpec {
  min: number;
  max: number;
  instanceType: string;
}

export interface DeploymentSpec {
  /** Pulumi stack name (from `Pulumi.<stack>.yaml` or `--stack`). */
  stack: string;
  /** Pulumi project name; always `jitsi-eu`. */
  project: 'jitsi-eu';
  cloud: Cloud;
  /** AWS: the region. Hetzner: the location (fsn1, nbg1, hel1). OpenStack: the region as the cloud names it. */
  region: string;
  /** ISO 3166-1 alpha-2 code of the country the servers run in. */
  country: string;
  /** Where that is, for people: "Paris, France". */
  regionLabel: string;
  /** The company the servers are rented from (the processor the privacy notice names). */
  provider: string;
  /** Outside the EU/EEA (opted in): what transfers there rely on. */
  adequacyBasis?: string;
  /** AWS only ('aws' on other clouds, where it means nothing). */
  partition: Partition;
  residency: Residency;
  allowNonEuRegion: boolean;
  domain: string;
  tls: TlsMode;
  acmeEmail: string;
  topology: Topology;
  /** The single node, or the signaling node of a scalable deployment. */
  instanceType: string;
  /** Present exactly when `topology` is `scalable`. */
  bridges?: BridgePoolSpec;
  auth: AuthMode;
  lobby: boolean;
  p2p: boolean;
  turn: boolean;
  /** Route53 hosted zone that holds `domain`; without it the operator creates the DNS record. */
  dnsZone?: string;
  /** ISO 8601 instant, normalised to UTC (`2026-12-01T00:00:00.000Z`). */
  expiresAt?: string;
  owner?: string;
  /** Controller named in the privacy notice. */
  organization: string;
  /** Contact (e-mail or URL) for data-protection requests, named in the privacy notice. */
  privacyContact: string;
  /** Legal basis of the processing, named in the privacy notice. */
  legalBasis: LegalBasis;
  /** Languages the privacy notice is offered in besides English. */
  noticeTranslations: NoticeTranslation[];
  /** Origins (`https://host[:port]`) whose pages may embed meetings; empty: no site may. */
  embedOrigins: string[];
  /** Dual stack: the site, TURN and media are reachable over IPv6 as well as IPv4. */
  ipv6: boolean;
  /** Jitsi stable release installed on the hosts, e.g. `10710`. */
  jitsiVersion: string;
  /** Marks a stack managed by `npm run sandbox`; only such stacks are ever reaped. */
  sandbox: boolean;
  /** Owner account of the Debian 12 AMI, when it differs from Debian's official account in this partition. */
  amiOwner?: string;
  /**
   * The stack's Debian image: the signaling node's, and the bridges' when they share its
   * architecture. Recorded by the first deploy; only `npm run upgrade` moves it.
   */
  amiId?: string;
  /** The bridges' image when their architecture differs from the signaling node's. */
  bridgeAmiId?: string;
  /** Hetzner and OpenStack: the Debian 12 image's name at the provider. */
  image?: string;
  /** OpenStack: the external network floating addresses come from. */
  externalNetwork?: string;
  /** OpenStack: the clouds.yaml entry to use (else the OS_* variables). */
  openstackCloud?: string;
}

/** One problem with the stack config. `message` names the key, the value given and what is allowed. */
export interface SpecProblem {
  key: string;
  /** The value as given (undefined when missing). Never a secret: the spec holds none. */
  value?: unknown;
  message: string;
  /** 1-based line in the stack file, when known. */
  line?: number;
}

export type SpecResult =
  | { ok: true; spec: DeploymentSpec; warnings: string[] }
  | { ok: false; problems: SpecProblem[]; warnings: string[] };
