// The stack config of a new sandbox: the base stack's config with the sandbox's own name, domain,
// certificate source, expiry, owner, size and auth mode, validated by the same spec code as
// every other command before anything touches Pulumi.
import { formatProblems, specFromConfig } from '../../infra/spec/index.ts';
import type { AuthMode, DeploymentSpec, TlsMode } from '../../infra/spec/types.ts';
import { UsageError } from '../lib/cli.ts';
import type { StackConfig } from '../lib/workspace.ts';
import { SANDBOX_SIZES, type SandboxSize } from './sizes.ts';
import { expiryAfter } from './ttl.ts';

export interface SandboxRequest {
  name: string;
  ttlMs: number;
  owner?: string;
  size?: SandboxSize;
  auth?: AuthMode;
  tls?: TlsMode;
  /** Full host name, for a base stack without a Route53 zone. */
  domain?: string;
}

export interface SandboxPlan {
  stack: string;
  config: StackConfig;
  spec: DeploymentSpec;
  /** Decisions the user should know about (printed, and part of --json). */
  notes: string[];
  warnings: string[];
  /** The stack file's leading comment. */
  comment: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function planSandbox(base: StackConfig, baseSource: string, request: SandboxRequest, now: Date): SandboxPlan {
  const { name } = request;
  const config: StackConfig = { ...base };
  const notes: string[] = [];

  // Domain: NAME.<zone> when the base has a Route53 zone (jitsi-eu then creates the record).
  const zone = typeof base['jitsi-eu:dnsZone'] === 'string' ? base['jitsi-eu:dnsZone'].replace(/\.$/, '') : undefined;
  if (request.domain) {
    config['jitsi-eu:domain'] = request.domain;
  } else if (zone) {
    config['jitsi-eu:domain'] = `${name}.${zone}`;
  } else {
    throw new UsageError([
      `${baseSource} has no jitsi-eu:dnsZone, so the sandbox's host name cannot be derived from a Route53 zone.`,
      `Give one with --domain ${name}.<your domain> (you then create its DNS A record when the deploy prints the address),`,
      'or use a base stack file with jitsi-eu:dnsZone set (--from).',
    ]);
  }

  config['jitsi-eu:tls'] = request.tls ?? 'letsencrypt-staging';
  if (config['jitsi-eu:tls'] === 'letsencrypt-staging') {
    notes.push("certificate from Let's Encrypt staging (no rate limits; browsers will warn): pass --tls letsencrypt for a trusted one");
  }

  if (request.size) config['jitsi-eu:instanceType'] = SANDBOX_SIZES[request.size].instanceType;

  if (request.auth) {
    config['jitsi-eu:auth'] = request.auth;
    if (request.auth === 'anonymous') {
      const lobbyWasOn = config['jitsi-eu:lobby'] === undefined || config['jitsi-eu:lobby'] === true || config['jitsi-eu:lobby'] === 'true';
      config['jitsi-eu:lobby'] = false;
      if (lobbyWasOn) notes.push('lobby turned off: with --auth anonymous nobody can log in as a host to admit guests from it');
    }
  }

  if (request.owner !== undefined) {
    if (!EMAIL.test(request.owner)) throw new UsageError(`--owner ${JSON.stringify(request.owner)} is not an e-mail address: who answers for this sandbox?`);
    config['jitsi-eu:owner'] = request.owner;
  } else if (config['jitsi-eu:owner'] === undefined) {
    notes.push(`no owner: ${baseSource} names none and --owner was not given`);
  }

  config['jitsi-eu:sandbox'] = true;
  config['jitsi-eu:expiresAt'] = expiryAfter(now, request.ttlMs);

  const result = specFromConfig(config, { stack: name, now });
  if (!result.ok) {
    throw new UsageError([
      `the config for sandbox ${name} (from ${baseSource}) is not valid:`,
      ...formatProblems(result.problems).map((line) => `  ${line}`),
    ]);
  }
  const comment = [
    `Sandbox ${name}: created ${now.toISOString()} by \`npm run sandbox -- create\` from ${baseSource}.`,
    'It is destroyed by `npm run sandbox -- reap` once jitsi-eu:expiresAt has passed;',
    `\`npm run sandbox -- extend ${name} --ttl 3d\` keeps it longer.`,
  ].join('\n');
  return { stack: name, config, spec: result.spec, notes, warnings: result.warnings, comment };
}
