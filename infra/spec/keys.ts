// Every stack config key jitsi-eu reads: its type, default and meaning. Pulumi.yaml's `config:`
// block and the README's config reference are checked against this list.
import { PINNED_JITSI_RELEASE } from '../privacy/upstream.ts';

export const NAMESPACE = 'jitsi-eu';

export type ConfigKeyType = 'string' | 'boolean' | 'integer' | 'object' | 'array';

export interface ConfigKey {
  /** Full key as written in a stack file, e.g. `jitsi-eu:domain`. */
  key: string;
  type: ConfigKeyType;
  required: boolean;
  /** Default when the key is absent (undefined: no default). */
  default?: string | boolean | number | Record<string, string | number>;
  /** Allowed values, for enumerations. */
  allowed?: readonly string[];
  description: string;
}

/** Instance type defaults; see the README ("Sizing") for the capacity figures behind them. */
export const DEFAULT_INSTANCE_TYPE = 'c6i.xlarge';
export const DEFAULT_BRIDGES = { min: 1, max: 4, instanceType: 'c6i.2xlarge' } as const;
/** Hetzner defaults: dedicated vCPUs, since a videobridge's media work suffers from noisy neighbours. */
export const HETZNER_DEFAULT_SERVER_TYPE = 'ccx23';
export const HETZNER_DEFAULT_BRIDGE_SERVER_TYPE = 'ccx33';
export const DEFAULT_IMAGE = { hetzner: 'debian-12', openstack: 'Debian 12' } as const;

/** Default sizes per cloud; OpenStack has none, since every cloud names its flavors its own way. */
export function defaultSizes(cloud: 'aws' | 'hetzner' | 'openstack'): { node?: string; bridges: { min: number; max: number; instanceType?: string } } {
  if (cloud === 'hetzner') return { node: HETZNER_DEFAULT_SERVER_TYPE, bridges: { min: 2, max: 2, instanceType: HETZNER_DEFAULT_BRIDGE_SERVER_TYPE } };
  if (cloud === 'openstack') return { bridges: { min: 2, max: 2 } };
  return { node: DEFAULT_INSTANCE_TYPE, bridges: { ...DEFAULT_BRIDGES } };
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  {
    key: 'jitsi-eu:cloud',
    type: 'string',
    required: false,
    default: 'aws',
    allowed: ['aws', 'hetzner', 'openstack'],
    description:
      'Where the servers run: aws (EU regions of AWS), hetzner (Hetzner Cloud, a German company, in its EU locations) or openstack ' +
      '(any OpenStack cloud: OVHcloud, Infomaniak, Open Telekom Cloud, Cleura, a university\'s own).',
  },
  {
    key: 'aws:region',
    type: 'string',
    required: false,
    description:
      'AWS region. EU member states: eu-central-1, eu-west-1, eu-west-3, eu-north-1, eu-south-1, eu-south-2, ' +
      'and the AWS European Sovereign Cloud region eusc-de-east-1. eu-west-2 and eu-central-2 need jitsi-eu:allowNonEuRegion. ' +
      'Required with cloud aws.',
  },
  {
    key: 'jitsi-eu:location',
    type: 'string',
    required: false,
    allowed: ['fsn1', 'nbg1', 'hel1'],
    description: 'Hetzner location: fsn1 (Falkenstein), nbg1 (Nuremberg) or hel1 (Helsinki). Required with cloud hetzner; ash, hil and sin are outside the EU and refused.',
  },
  {
    key: 'openstack:region',
    type: 'string',
    required: false,
    description: 'OpenStack region, as the cloud names it (e.g. GRA11, dc3-a, eu-de). Required with cloud openstack.',
  },
  {
    key: 'openstack:cloud',
    type: 'string',
    required: false,
    description: 'The clouds.yaml entry holding the credentials; without it the OS_* variables are used.',
  },
  {
    key: 'jitsi-eu:country',
    type: 'string',
    required: false,
    description:
      'OpenStack: the ISO 3166-1 code of the country the region is in (e.g. FR, DE, CH). Required with cloud openstack; outside the ' +
      'EU/EEA only European countries with an adequacy decision are allowed, and only with jitsi-eu:allowNonEuRegion.',
  },
  {
    key: 'jitsi-eu:provider',
    type: 'string',
    required: false,
    description:
      'OpenStack: the legal name of the company that runs the cloud (e.g. OVH SAS, Roubaix, France), named as processor in the privacy ' +
      'notice. Required with cloud openstack; AWS and Hetzner are named by jitsi-eu.',
  },
  {
    key: 'jitsi-eu:externalNetwork',
    type: 'string',
    required: false,
    description: 'OpenStack: the external network public (floating) addresses come from (e.g. Ext-Net, public). Required with cloud openstack.',
  },
  {
    key: 'jitsi-eu:image',
    type: 'string',
    required: false,
    description: 'Hetzner and OpenStack: the Debian 12 image name at the provider (defaults: debian-12 on Hetzner, "Debian 12" on OpenStack).',
  },
  {
    key: 'jitsi-eu:domain',
    type: 'string',
    required: true,
    description: 'Host name of the meeting site (e.g. meet.example.org): lowercase, no scheme, port or path.',
  },
  {
    key: 'jitsi-eu:tls',
    type: 'string',
    required: false,
    default: 'letsencrypt',
    allowed: ['letsencrypt', 'letsencrypt-staging'],
    description: "Certificate source: Let's Encrypt, or its staging CA for sandboxes (browsers will not trust it).",
  },
  {
    key: 'jitsi-eu:acmeEmail',
    type: 'string',
    required: true,
    description: "Contact address for the Let's Encrypt account (expiry notices).",
  },
  {
    key: 'jitsi-eu:topology',
    type: 'string',
    required: false,
    default: 'single',
    allowed: ['single', 'scalable'],
    description: 'single: one node runs everything. scalable: a signaling node plus an autoscaled videobridge pool.',
  },
  {
    key: 'jitsi-eu:instanceType',
    type: 'string',
    required: false,
    default: DEFAULT_INSTANCE_TYPE,
    description:
      'Instance type of the single node, or of the signaling node when scalable. AWS: one of the known EC2 types (docs/configuration.md, ' +
      '"Instance types"). Hetzner: a server type such as ccx23 (the default there). OpenStack: the flavor name (required there). Below ' +
      '2 vCPU or 4 GiB of memory it is accepted with a warning.',
  },
  {
    key: 'jitsi-eu:bridges',
    type: 'object',
    required: false,
    default: { ...DEFAULT_BRIDGES },
    description:
      'Videobridge pool for the scalable topology: {min, max, instanceType}; 1 <= min <= max. On Hetzner and OpenStack the pool is a ' +
      'fixed number of servers (no autoscaling there): min and max must be equal. A bridge type below 4 vCPU or 8 GiB of memory is ' +
      'accepted with a warning.',
  },
  {
    key: 'jitsi-eu:auth',
    type: 'string',
    required: false,
    default: 'secure',
    allowed: ['anonymous', 'secure', 'jwt'],
    description:
      'anonymous: anyone may open rooms. secure: hosts log in with an account, guests join anonymously. ' +
      'jwt: hosts arrive with a token signed by the deployment\'s app secret (LMS integration).',
  },
  {
    key: 'jitsi-eu:lobby',
    type: 'boolean',
    required: false,
    default: true,
    description: 'Every new room starts with its lobby on: guests knock and a host admits them.',
  },
  {
    key: 'jitsi-eu:p2p',
    type: 'boolean',
    required: false,
    default: false,
    description: 'Allow direct peer-to-peer media in 1:1 calls (participants then learn each other\'s IP address).',
  },
  {
    key: 'jitsi-eu:turn',
    type: 'boolean',
    required: false,
    default: true,
    description: 'Run the deployment\'s own coturn for STUN/TURN (clients behind strict firewalls).',
  },
  {
    key: 'jitsi-eu:dnsZone',
    type: 'string',
    required: false,
    description: 'Route53 hosted zone that contains the domain; when set, jitsi-eu creates the DNS records.',
  },
  {
    key: 'jitsi-eu:expiresAt',
    type: 'string',
    required: false,
    description: 'ISO 8601 instant after which the deployment may be reaped (required for sandboxes).',
  },
  {
    key: 'jitsi-eu:owner',
    type: 'string',
    required: false,
    description: 'Who answers for this deployment (e-mail); tagged on every resource.',
  },
  {
    key: 'jitsi-eu:organization',
    type: 'string',
    required: false,
    description: 'Controller named in the privacy notice (defaults to the domain, with a warning).',
  },
  {
    key: 'jitsi-eu:privacyContact',
    type: 'string',
    required: false,
    description: 'E-mail or URL for data-protection requests, named in the privacy notice (defaults to acmeEmail, with a warning).',
  },
  {
    key: 'jitsi-eu:legalBasis',
    type: 'string',
    required: false,
    default: 'legitimate-interest',
    allowed: ['legitimate-interest', 'public-task'],
    description:
      'Legal basis the privacy notice names. legitimate-interest: GDPR Art. 6(1)(f), the basis a company, association or ' +
      'private institution relies on to run meetings for its people. public-task: Art. 6(1)(e), for public bodies such as ' +
      'public universities, which may not rely on (f) for their tasks (Art. 6(1), last sentence); name the law that gives the task in your records.',
  },
  {
    key: 'jitsi-eu:noticeTranslations',
    type: 'array',
    required: false,
    description:
      'Languages the privacy notice is offered in besides English (served at /privacy.html): any of de (/privacy.de.html) and fr ' +
      '(/privacy.fr.html), e.g. [de]. Default: none (each translation is a legal text the organisation publishes: opt in to it).',
  },
  {
    key: 'jitsi-eu:embedOrigins',
    type: 'array',
    required: false,
    description:
      'Origins whose pages may embed meetings through /external_api.js, e.g. [https://lms.example.org]: https:// and a host name ' +
      '(and port), nothing else. Default: none, so no site can frame a meeting (CSP frame-ancestors \'none\', X-Frame-Options DENY).',
  },
  {
    key: 'jitsi-eu:ipv6',
    type: 'boolean',
    required: false,
    default: false,
    description:
      'Dual stack: the VPC and subnets get IPv6 ranges, every host an IPv6 address, the security groups open the same ports to ::/0, ' +
      'nginx and coturn listen on IPv6, the videobridge offers its IPv6 address, and the DNS zone gets an AAAA record.',
  },
  {
    key: 'jitsi-eu:jitsiVersion',
    type: 'string',
    required: false,
    default: PINNED_JITSI_RELEASE,
    description: 'Jitsi stable release to install (a release number such as 10710).',
  },
  {
    key: 'jitsi-eu:allowNonEuRegion',
    type: 'boolean',
    required: false,
    default: false,
    description:
      'Opt in to eu-west-2 (London) or eu-central-2 (Zurich) on AWS, or to an OpenStack region in a European country with an adequacy ' +
      'decision (jitsi-eu:country CH, GB, ...): outside the EU, allowed under that decision.',
  },
  {
    key: 'jitsi-eu:sandbox',
    type: 'boolean',
    required: false,
    default: false,
    description: 'Marks a stack managed by `npm run sandbox`; only sandboxes are ever reaped.',
  },
  {
    key: 'jitsi-eu:amiOwner',
    type: 'string',
    required: false,
    description: "Owner account of the Debian 12 AMI, where it differs from Debian's official account in the partition.",
  },
  {
    key: 'jitsi-eu:amiId',
    type: 'string',
    required: false,
    description:
      'The Debian 12 image of the hosts (the signaling node, and the bridges when they share its architecture). The first deploy ' +
      'records the newest one here; deploy never moves it, `npm run upgrade -- --image latest` does.',
  },
  {
    key: 'jitsi-eu:bridgeAmiId',
    type: 'string',
    required: false,
    description:
      "The bridges' Debian 12 image when their architecture differs from the signaling node's (Graviton bridges beside an x86 node, " +
      'or the reverse); recorded and moved like amiId.',
  },
];

export function configKey(key: string): ConfigKey | undefined {
  return CONFIG_KEYS.find((k) => k.key === key);
}
