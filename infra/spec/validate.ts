// Stack config map → DeploymentSpec, or every problem at once. Pure: the same map always gives
// the same answer (the clock is only used for a warning about past expiry dates).
import { closest, distance } from 'fastest-levenshtein';
import { PINNED_JITSI_RELEASE } from '../privacy/upstream.ts';
import { CONFIG_KEYS, DEFAULT_IMAGE, NAMESPACE, configKey, defaultSizes } from './keys.ts';
import { undersizeWarning, unknownInstanceTypeReason } from './instance-types.ts';
import { allowedRegionList } from './regions.ts';
import { type Place, awsPlace, hetznerPlace, openstackPlace } from './place.ts';
import { HETZNER_EU_LOCATIONS, PROVIDER_NAMES } from './places.ts';
import { STACK_NAME_RULE, stackNameProblem } from './stack-name.ts';
import type {
  AuthMode,
  BridgePoolSpec,
  Cloud,
  DeploymentSpec,
  LegalBasis,
  NoticeTranslation,
  SpecProblem,
  SpecResult,
  TlsMode,
  Topology,
} from './types.ts';
import { NOTICE_TRANSLATIONS } from './types.ts';

export interface ValidateOptions {
  stack: string;
  /** 1-based line of each key in the stack file, for messages. */
  lines?: ReadonlyMap<string, number>;
  now?: Date;
}

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value));

/** Keys naming AWS machine images: meaningless on other clouds. */
const AWS_IMAGE_KEYS = ['jitsi-eu:amiId', 'jitsi-eu:amiOwner', 'jitsi-eu:bridgeAmiId'];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// AWS tag values: letters, digits, spaces and _ . : / = + - @, up to 256 characters.
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/** Why a string is not a usable FQDN, or undefined when it is one. */
export function fqdnProblem(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'give the host name only, without a scheme such as "https://"';
  if (value.includes('/')) return 'give the host name only, without a path';
  if (/:\d*$/.test(value)) return 'give the host name only, without a port';
  if (value.includes('_')) return 'underscores are not allowed in host names';
  if (value !== value.toLowerCase()) return 'use lowercase letters';
  if (value.endsWith('.')) return 'leave out the trailing dot';
  if (value.length > 253) return `is ${value.length} characters long; a host name has at most 253`;
  const labels = value.split('.');
  if (labels.length < 2) return 'needs at least two labels, such as meet.example.org';
  for (const label of labels) {
    if (label.length === 0) return 'has an empty label (two dots in a row)';
    if (label.length > 63) return `label "${label}" is longer than 63 characters`;
    if (!/^[a-z0-9-]+$/.test(label)) return `label "${label}" may only hold a-z, 0-9 and "-"`;
    if (label.startsWith('-') || label.endsWith('-')) return `label "${label}" may not start or end with "-"`;
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) return 'is an IP address, not a host name';
  return undefined;
}

/** The known key an unknown one was most likely meant to be, if any is close enough. */
function nearestKey(key: string): string | undefined {
  const best = closest(key, CONFIG_KEYS.map((k) => k.key));
  return distance(key, best) <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function suggestion(key: string): string {
  const nearest = nearestKey(key);
  if (nearest) return `did you mean ${nearest}?`;
  return `known keys: ${CONFIG_KEYS.map((k) => k.key).filter((k) => k.startsWith(`${NAMESPACE}:`)).join(', ')}`;
}

export function specFromConfig(config: Readonly<Record<string, unknown>>, options: ValidateOptions): SpecResult {
  const problems: SpecProblem[] = [];
  const warnings: string[] = [];
  const lineOf = (key: string) => options.lines?.get(key);
  const problem = (key: string, value: unknown, message: string) =>
    problems.push({ key, value, message, ...(lineOf(key) ? { line: lineOf(key) } : {}) });

  // Unknown keys in our namespace, and keys with no namespace at all.
  const misspelt = new Set<string>();
  for (const key of Object.keys(config)) {
    if (key.startsWith(`${NAMESPACE}:`) && !configKey(key)) {
      const nearest = nearestKey(key);
      if (nearest) misspelt.add(nearest);
      problem(key, config[key], `${key} is not a jitsi-eu setting: ${suggestion(key)}`);
    } else if (!key.includes(':')) {
      problem(key, config[key], `${key} has no namespace: stack config keys look like ${NAMESPACE}:${key} or aws:region`);
    }
  }

  const raw = (key: string): unknown => {
    const value = config[key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'secure' in value) {
      problem(key, '[secret]', `${key} is stored as a secret; jitsi-eu settings are plain values (run pulumi config set without --secret)`);
      return undefined;
    }
    return value;
  };

  const str = (key: string): string | undefined => {
    const value = raw(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') {
      problem(key, value, `${key}: ${show(value)} is a ${typeof value}; expected text`);
      return undefined;
    }
    problem(key, value, `${key}: ${show(value)} is not text`);
    return undefined;
  };

  const requireStr = (key: string, what: string): string | undefined => {
    const value = str(key);
    // A misspelt key already says "did you mean <key>?": one message for one mistake.
    if (value === undefined && !problems.some((p) => p.key === key) && !misspelt.has(key)) {
      problem(key, undefined, `${key} is required: ${what}`);
    }
    return value;
  };

  const bool = (key: string): boolean => {
    const spec = configKey(key)!;
    const value = raw(key);
    if (value === undefined || value === null) return spec.default as boolean;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    problem(key, value, `${key}: ${show(value)} is not allowed: use true or false`);
    return spec.default as boolean;
  };

  const oneOf = <T extends string>(key: string): T => {
    const spec = configKey(key)!;
    const value = str(key);
    if (value === undefined) return spec.default as T;
    if (!spec.allowed!.includes(value)) {
      problem(key, value, `${key}: ${show(value)} is not allowed: use one of ${spec.allowed!.join(', ')}`);
      return spec.default as T;
    }
    return value as T;
  };

  const integer = (key: string, field: string, value: unknown, fallback: number): number => {
    const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      problem(key, value, `${key}.${field}: ${show(value)} is not allowed: use a whole number`);
      return fallback;
    }
    return n;
  };

  // --- cloud and place ---
  const allowNonEuRegion = bool('jitsi-eu:allowNonEuRegion');
  const cloud = oneOf<Cloud>('jitsi-eu:cloud');
  const notHere = (key: string, where: string) => {
    if (raw(key) !== undefined) problem(key, raw(key), `${key} applies to ${where} only; this stack has jitsi-eu:cloud: ${cloud}: remove it`);
  };
  let place: Place | undefined;
  if (cloud === 'aws') {
    for (const key of ['jitsi-eu:location', 'openstack:region', 'openstack:cloud', 'jitsi-eu:country', 'jitsi-eu:externalNetwork', 'jitsi-eu:image', 'jitsi-eu:provider']) {
      notHere(key, key === 'jitsi-eu:location' ? 'cloud hetzner' : key === 'jitsi-eu:image' ? 'clouds hetzner and openstack' : 'cloud openstack');
    }
    place = awsPlace(requireStr('aws:region', `one of ${allowedRegionList()}`), allowNonEuRegion, problem, warnings);
  } else if (cloud === 'hetzner') {
    for (const key of ['aws:region', 'openstack:region', 'openstack:cloud', 'jitsi-eu:country', 'jitsi-eu:externalNetwork', 'jitsi-eu:provider', ...AWS_IMAGE_KEYS]) {
      notHere(key, key.startsWith('aws:') || AWS_IMAGE_KEYS.includes(key) ? 'cloud aws' : 'cloud openstack');
    }
    place = hetznerPlace(requireStr('jitsi-eu:location', `one of ${HETZNER_EU_LOCATIONS.map((l) => l.location).join(', ')}`), problem);
    if (allowNonEuRegion) warnings.push('jitsi-eu:allowNonEuRegion is true but every Hetzner location jitsi-eu allows is in the EU; the opt-in has no effect');
  } else {
    for (const key of ['aws:region', 'jitsi-eu:location', ...AWS_IMAGE_KEYS]) notHere(key, key === 'jitsi-eu:location' ? 'cloud hetzner' : 'cloud aws');
    requireStr('jitsi-eu:provider', 'the legal name of the company running the OpenStack cloud, e.g. "OVH SAS, Roubaix, France" (the privacy notice names it)');
    const region = requireStr('openstack:region', 'the region as your OpenStack cloud names it, e.g. GRA11');
    const country = requireStr('jitsi-eu:country', 'the ISO 3166-1 code of the country the region is in, e.g. FR');
    requireStr('jitsi-eu:externalNetwork', 'the external network floating addresses come from, e.g. Ext-Net');
    place = region && country ? openstackPlace(region, country, allowNonEuRegion, problem, warnings) : undefined;
  }
  const info = place;
  const region = place?.region;

  // --- domain, TLS ---
  const domain = requireStr('jitsi-eu:domain', 'the host name of the meeting site, e.g. meet.example.org');
  if (domain !== undefined) {
    const why = fqdnProblem(domain);
    if (why) problem('jitsi-eu:domain', domain, `jitsi-eu:domain: ${show(domain)} is not a valid host name: ${why}`);
  }
  const tls = oneOf<TlsMode>('jitsi-eu:tls');
  const acmeEmail = requireStr('jitsi-eu:acmeEmail', "an e-mail address for the Let's Encrypt account");
  if (acmeEmail !== undefined && !EMAIL.test(acmeEmail)) {
    problem('jitsi-eu:acmeEmail', acmeEmail, `jitsi-eu:acmeEmail: ${show(acmeEmail)} is not an e-mail address`);
  }

  // --- topology and sizing ---
  const topology = oneOf<Topology>('jitsi-eu:topology');
  const sizes = defaultSizes(cloud);
  const givenType = str('jitsi-eu:instanceType');
  if (givenType === undefined && !sizes.node) {
    problem('jitsi-eu:instanceType', undefined, 'jitsi-eu:instanceType is required with cloud openstack: the flavor name of the node, e.g. c3-8 (flavors differ per cloud)');
  }
  const instanceType = givenType ?? sizes.node ?? '';
  // Instance types: only those jitsi-eu can price and size; a warning below what Jitsi needs.
  const nodeTypeReason = unknownInstanceTypeReason(instanceType, cloud);
  if (nodeTypeReason && instanceType !== '') {
    problem('jitsi-eu:instanceType', instanceType, `jitsi-eu:instanceType: ${show(instanceType)} is not an instance type jitsi-eu knows: ${nodeTypeReason}`);
  } else {
    const small = undersizeWarning('jitsi-eu:instanceType', instanceType, 'node', cloud);
    if (small) warnings.push(small);
  }
  let bridges: BridgePoolSpec | undefined;
  const rawBridges = parseObject('jitsi-eu:bridges', raw('jitsi-eu:bridges'), problem);
  if (rawBridges !== undefined && topology !== 'scalable') {
    problem('jitsi-eu:bridges', rawBridges, 'jitsi-eu:bridges is set but jitsi-eu:topology is "single": set topology: scalable, or remove bridges');
  }
  if (topology === 'scalable') {
    const given = rawBridges ?? {};
    for (const field of Object.keys(given)) {
      if (!['min', 'max', 'instanceType'].includes(field)) {
        problem('jitsi-eu:bridges', given, `jitsi-eu:bridges.${field} is not a bridge pool setting: use min, max and instanceType`);
      }
    }
    const min = given.min === undefined ? sizes.bridges.min : integer('jitsi-eu:bridges', 'min', given.min, sizes.bridges.min);
    const max = given.max === undefined ? (given.min === undefined || cloud === 'aws' ? sizes.bridges.max : min) : integer('jitsi-eu:bridges', 'max', given.max, sizes.bridges.max);
    const type = given.instanceType === undefined ? sizes.bridges.instanceType : given.instanceType;
    if (type === undefined) {
      problem('jitsi-eu:bridges', given, 'jitsi-eu:bridges.instanceType is required with cloud openstack: the flavor name of a bridge, e.g. c3-16');
    }
    if (cloud !== 'aws' && min !== max) {
      problem(
        'jitsi-eu:bridges',
        given,
        `jitsi-eu:bridges: min ${min} and max ${max} differ, but ${cloud === 'hetzner' ? 'Hetzner Cloud' : 'OpenStack'} has no autoscaling jitsi-eu uses: ` +
          'the pool is a fixed number of bridges; set min and max to the same number, and change it to scale',
      );
    }
    // Bridge instance type: known to the price table; a warning below what a videobridge needs.
    const bridgeTypeReason = type === undefined ? undefined : typeof type === 'string' ? unknownInstanceTypeReason(type, cloud) : `use an instance type such as ${sizes.bridges.instanceType ?? 'c3-16'}`;
    if (bridgeTypeReason) {
      problem('jitsi-eu:bridges', type, `jitsi-eu:bridges.instanceType: ${show(type)} is not an instance type jitsi-eu knows: ${bridgeTypeReason}`);
    } else if (type !== undefined) {
      const small = undersizeWarning('jitsi-eu:bridges.instanceType', String(type), 'bridge', cloud);
      if (small) warnings.push(small);
    }
    // With no bridge jicofo reports itself unhealthy and CPU tracking has nothing to scale out from.
    if (min < 1) problem('jitsi-eu:bridges', given, `jitsi-eu:bridges.min: ${min} is not allowed: keep at least 1 bridge running, or meetings have no media path`);
    if (max < 1) problem('jitsi-eu:bridges', given, `jitsi-eu:bridges.max: ${max} is not allowed: a pool needs at least 1 bridge`);
    if (min > max) problem('jitsi-eu:bridges', given, `jitsi-eu:bridges: min ${min} is greater than max ${max}: min must be <= max`);
    bridges = { min, max, instanceType: String(type ?? '') };
  }

  // --- access and media ---
  const auth = oneOf<AuthMode>('jitsi-eu:auth');
  const lobby = bool('jitsi-eu:lobby');
  const p2p = bool('jitsi-eu:p2p');
  const turn = bool('jitsi-eu:turn');
  const ipv6 = bool('jitsi-eu:ipv6');
  const invalid = (key: string) => problems.some((p) => p.key === key);
  if (lobby && auth === 'anonymous' && !invalid('jitsi-eu:auth') && !invalid('jitsi-eu:lobby')) {
    problem(
      'jitsi-eu:lobby',
      true,
      'jitsi-eu:lobby: true with jitsi-eu:auth: "anonymous" would strand everyone in the lobby: nobody can log in as a host ' +
        'to admit them. Use auth: secure or jwt, or set lobby: false',
    );
  }
  if (p2p && !turn && !invalid('jitsi-eu:p2p') && !invalid('jitsi-eu:turn')) {
    problem(
      'jitsi-eu:p2p',
      true,
      'jitsi-eu:p2p: true needs the deployment\'s own STUN server, which jitsi-eu:turn: false removes: ' +
        'set turn: true, or keep p2p: false (media through the bridge)',
    );
  }

  // --- DNS ---
  const dnsZone = str('jitsi-eu:dnsZone')?.replace(/\.$/, '');
  if (dnsZone !== undefined) {
    const why = fqdnProblem(dnsZone);
    if (why) problem('jitsi-eu:dnsZone', dnsZone, `jitsi-eu:dnsZone: ${show(dnsZone)} is not a valid zone name: ${why}`);
    else if (domain && domain !== dnsZone && !domain.endsWith(`.${dnsZone}`)) {
      problem('jitsi-eu:dnsZone', dnsZone, `jitsi-eu:dnsZone: ${show(dnsZone)} does not contain jitsi-eu:domain ${show(domain)}: use the zone that holds the domain`);
    }
  }

  // --- lifecycle and ownership ---
  const expiresAtRaw = str('jitsi-eu:expiresAt');
  let expiresAt: string | undefined;
  if (expiresAtRaw !== undefined) {
    const isInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(expiresAtRaw);
    const time = Date.parse(expiresAtRaw);
    if (!isInstant || Number.isNaN(time)) {
      problem('jitsi-eu:expiresAt', expiresAtRaw, `jitsi-eu:expiresAt: ${show(expiresAtRaw)} is not an ISO 8601 instant: use e.g. 2026-12-01T18:00:00Z`);
    } else {
      expiresAt = new Date(time).toISOString();
      if (time <= (options.now ?? new Date()).getTime()) warnings.push(`jitsi-eu:expiresAt ${expiresAt} is in the past`);
    }
  }
  const sandbox = bool('jitsi-eu:sandbox');
  if (sandbox && expiresAtRaw === undefined) {
    problem('jitsi-eu:sandbox', true, 'jitsi-eu:sandbox: true needs jitsi-eu:expiresAt: a sandbox must have an expiry');
  }
  const owner = str('jitsi-eu:owner');
  if (owner !== undefined && !TAG_VALUE.test(owner)) {
    problem('jitsi-eu:owner', owner, `jitsi-eu:owner: ${show(owner)} cannot be an AWS tag value: use up to 256 letters, digits, spaces and _ . : / = + - @`);
  }

  let organization = str('jitsi-eu:organization');
  if (organization === undefined && domain) {
    organization = domain;
    warnings.push(`jitsi-eu:organization is not set: the privacy notice names "${domain}" as controller; set your organisation's legal name`);
  }
  let privacyContact = str('jitsi-eu:privacyContact');
  if (privacyContact !== undefined && !EMAIL.test(privacyContact) && !/^https:\/\/\S+$/.test(privacyContact)) {
    problem('jitsi-eu:privacyContact', privacyContact, `jitsi-eu:privacyContact: ${show(privacyContact)} is neither an e-mail address nor an https:// URL`);
  }
  if (privacyContact === undefined && acmeEmail) {
    privacyContact = acmeEmail;
    warnings.push(`jitsi-eu:privacyContact is not set: the privacy notice names ${acmeEmail} (acmeEmail); set your data-protection contact`);
  }

  // --- privacy notice and embedding ---
  const legalBasis = oneOf<LegalBasis>('jitsi-eu:legalBasis');
  const noticeTranslations = translationList('jitsi-eu:noticeTranslations', raw('jitsi-eu:noticeTranslations'), problem);
  const embedOrigins = originList('jitsi-eu:embedOrigins', raw('jitsi-eu:embedOrigins'), domain, problem);

  const jitsiVersion = str('jitsi-eu:jitsiVersion') ?? PINNED_JITSI_RELEASE;
  if (!/^\d{4,6}$/.test(jitsiVersion)) {
    problem('jitsi-eu:jitsiVersion', jitsiVersion, `jitsi-eu:jitsiVersion: ${show(jitsiVersion)} is not a Jitsi stable release number such as ${PINNED_JITSI_RELEASE}`);
  } else if (jitsiVersion !== PINNED_JITSI_RELEASE) {
    warnings.push(`jitsi-eu:jitsiVersion ${jitsiVersion} differs from ${PINNED_JITSI_RELEASE}, the release whose option names jitsi-eu checked`);
  }

  const amiOwner = str('jitsi-eu:amiOwner');
  if (amiOwner !== undefined && !/^\d{12}$/.test(amiOwner)) {
    problem('jitsi-eu:amiOwner', amiOwner, `jitsi-eu:amiOwner: ${show(amiOwner)} is not an AWS account id (12 digits)`);
  }
  const amiId = str('jitsi-eu:amiId');
  if (amiId !== undefined && !/^ami-[0-9a-f]{8,17}$/.test(amiId)) {
    problem('jitsi-eu:amiId', amiId, `jitsi-eu:amiId: ${show(amiId)} is not an AMI id such as ami-0123456789abcdef0`);
  }
  const bridgeAmiId = str('jitsi-eu:bridgeAmiId');
  if (bridgeAmiId !== undefined && !/^ami-[0-9a-f]{8,17}$/.test(bridgeAmiId)) {
    problem('jitsi-eu:bridgeAmiId', bridgeAmiId, `jitsi-eu:bridgeAmiId: ${show(bridgeAmiId)} is not an AMI id such as ami-0123456789abcdef0`);
  } else if (bridgeAmiId !== undefined && topology !== 'scalable') {
    problem('jitsi-eu:bridgeAmiId', bridgeAmiId, 'jitsi-eu:bridgeAmiId is set but jitsi-eu:topology is "single": only a scalable stack has bridges; remove bridgeAmiId');
  }

  const stackProblem = stackNameProblem(options.stack);
  if (stackProblem) problem('(stack)', options.stack, `stack name ${show(options.stack)} ${stackProblem}: ${STACK_NAME_RULE}`);

  if (problems.length > 0 || !region || !info || !domain || !acmeEmail || (cloud === 'openstack' && !str('jitsi-eu:provider'))) {
    // In file order, so the messages read top to bottom like the stack file.
    const ordered = problems.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i);
    return { ok: false, problems: ordered.map(({ p }) => p), warnings };
  }
  const spec: DeploymentSpec = {
    stack: options.stack,
    project: 'jitsi-eu',
    cloud,
    region,
    country: info.country,
    regionLabel: info.label,
    provider: cloud === 'openstack' ? str('jitsi-eu:provider')! : PROVIDER_NAMES[cloud],
    ...(info.adequacyBasis ? { adequacyBasis: info.adequacyBasis } : {}),
    partition: info.partition,
    residency: info.residency,
    allowNonEuRegion,
    domain,
    tls,
    acmeEmail,
    topology,
    instanceType,
    ...(bridges ? { bridges } : {}),
    auth,
    lobby,
    p2p,
    turn,
    ipv6,
    ...(dnsZone ? { dnsZone } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(owner ? { owner } : {}),
    organization: organization ?? domain,
    privacyContact: privacyContact ?? acmeEmail,
    legalBasis,
    noticeTranslations,
    embedOrigins,
    jitsiVersion,
    sandbox,
    ...(amiOwner ? { amiOwner } : {}),
    ...(amiId ? { amiId } : {}),
    ...(bridgeAmiId ? { bridgeAmiId } : {}),
    ...(cloud === 'aws' ? {} : { image: str('jitsi-eu:image') ?? DEFAULT_IMAGE[cloud] }),
    ...(cloud === 'openstack' ? { externalNetwork: str('jitsi-eu:externalNetwork')! } : {}),
    ...(cloud === 'openstack' && str('openstack:cloud') ? { openstackCloud: str('openstack:cloud')! } : {}),
  };
  return { ok: true, spec, warnings };
}

/** A list given as YAML or, as Pulumi stores it, as JSON text. */
function listValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function translationList(key: string, value: unknown, problem: (key: string, value: unknown, message: string) => void): NoticeTranslation[] {
  if (value === undefined || value === null) return [];
  const list = listValue(value);
  const allowed = NOTICE_TRANSLATIONS.join(', ');
  if (!Array.isArray(list)) {
    problem(key, value, `${key}: ${show(value)} is not allowed: use a list of languages from ${allowed}, such as [de]`);
    return [];
  }
  const languages: NoticeTranslation[] = [];
  for (const item of list) {
    if (!(NOTICE_TRANSLATIONS as readonly unknown[]).includes(item)) {
      problem(key, item, `${key}: ${show(item)} is not allowed: the notice is offered in English and may add ${allowed}`);
    } else if (!languages.includes(item as NoticeTranslation)) languages.push(item as NoticeTranslation);
  }
  return languages;
}

/**
 * A list of web origins allowed to embed meetings: each `https://host` or `https://host:port`,
 * exactly as a browser writes an origin (lowercase, no path, no trailing slash, no wildcard).
 * A YAML sequence, or the JSON string Pulumi stores for it.
 */
function originList(
  key: string,
  value: unknown,
  domain: string | undefined,
  problem: (key: string, value: unknown, message: string) => void,
): string[] {
  if (value === undefined || value === null) return [];
  const list = listValue(value);
  if (!Array.isArray(list)) {
    problem(key, value, `${key}: ${show(value)} is not allowed: use a list of origins such as [https://lms.example.org]`);
    return [];
  }
  const origins: string[] = [];
  for (const item of list) {
    const why = originProblem(item, domain);
    if (why) problem(key, item, `${key}: ${show(item)} is not allowed: ${why}`);
    else if (!origins.includes(item as string)) origins.push(item as string);
  }
  return origins;
}

/** Why a value is not an origin that may embed meetings, or undefined when it is one. */
function originProblem(value: unknown, domain: string | undefined): string | undefined {
  const example = 'use an origin such as https://lms.example.org';
  if (typeof value !== 'string') return `it is not text; ${example}`;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/:]*)(?::(\d{1,5}))?(.*)$/i.exec(value);
  if (!m) return `it is not an origin; ${example}`;
  const [, scheme, host, port, rest] = m;
  if (scheme !== 'https') return `only https:// origins can embed a meeting (browsers give camera and microphone to secure pages only); ${example}`;
  if (rest !== '') return `an origin has no path, query or trailing slash; ${example}`;
  if (host!.includes('*')) return 'wildcards would let any site under that name frame meetings: list each origin';
  const why = fqdnProblem(host!);
  if (why) return `its host ${why}`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith('0') || port === '443')) {
    return port === '443' ? 'leave out :443, browsers do not write the default port' : 'the port must be 1-65535 without leading zeros';
  }
  if (host === domain && port === undefined) return 'the meeting site itself needs no entry';
  return undefined;
}

/** An object-valued key: a YAML mapping, or the JSON string Pulumi stores for it. */
function parseObject(
  key: string,
  value: unknown,
  problem: (key: string, value: unknown, message: string) => void,
): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through to the message below
    }
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  problem(key, value, `${key}: ${show(value)} is not allowed: use a mapping such as {min: 1, max: 4, instanceType: c6i.2xlarge}`);
  return undefined;
}

