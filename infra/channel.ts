// The operator channel of stacks outside AWS (Hetzner Cloud, OpenStack): what AWS Systems Manager's
// Run Command is on AWS. The signaling node answers HTTPS requests under one path of its own site
// (port 443, already open for the meetings) and runs a request's script as root only when the
// request is signed with the stack's channel key: an Ed25519 key pair Pulumi makes per stack, whose
// private half stays a Pulumi secret and whose public half reaches the host in its user data.
// Shared by the host side (rendered into the bundle) and the operator side (scripts/lib/channel/).

/** The one path the channel answers; everything else of the site stays as it is. */
export const CHANNEL_PATH = '/_jitsi-eu/channel/run';

/** First line of every signed message: a new protocol gets a new line, never a reinterpretation. */
export const CHANNEL_PROTOCOL = 'jitsi-eu-channel-v1';

export const CHANNEL_HEADERS = {
  /** Unix seconds when the request was signed. */
  time: 'X-Jitsi-Eu-Time',
  /** 32 lowercase hex characters, never used twice. */
  nonce: 'X-Jitsi-Eu-Nonce',
  /** Base64 of the Ed25519 signature over channelMessage(). */
  signature: 'X-Jitsi-Eu-Signature',
} as const;

/** A request older or newer than this (by the host's clock) is refused: hosts keep time with NTP. */
export const CHANNEL_CLOCK_SKEW_SECONDS = 300;

/** The largest request body: a role's configuration archive travels inside the script. */
export const CHANNEL_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The longest a script may run (an apply with package installs); nginx waits a little longer. */
export const CHANNEL_MAX_SCRIPT_SECONDS = 900;

/** Where the host keeps the channel's public key (PEM), written by cloud-init from the user data. */
export const CHANNEL_PUBLIC_KEY_PATH = '/etc/jitsi-eu/channel.pub';

/** The request body: one script for bash, and how long it may run. */
export interface ChannelRequest {
  script: string;
  timeoutSeconds: number;
}

/** The answer to a signed request the host accepted: the script's exit status and output. */
export interface ChannelAnswer {
  exitCode: number;
  stdout: string;
  /** The end of standard error only (the host keeps at most a few kilobytes of it). */
  stderr: string;
  seconds: number;
}

/**
 * The exact bytes signed: protocol, the stack's domain (so a request for one deployment is worth
 * nothing at another), method and path, time, nonce, and the SHA-256 of the body (hex).
 */
export function channelMessage(parts: { domain: string; method: string; path: string; time: number; nonce: string; bodySha256: string }): string {
  return [CHANNEL_PROTOCOL, parts.domain, `${parts.method} ${parts.path}`, String(parts.time), parts.nonce, parts.bodySha256].join('\n');
}

/**
 * The key as the user data carries it: the base64 of its DER SubjectPublicKeyInfo (one line, 60
 * characters for Ed25519), from a PEM public key.
 */
export function publicKeyLine(pem: string): string {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  if (!/^MCowBQYDK2VwAyEA[A-Za-z0-9+/]{43}=$/.test(body)) throw new Error('the channel key is not an Ed25519 public key in PEM form');
  return body;
}

/** The channel service on the signaling host: loopback only, nginx proxies the channel's path to it. */
export const CHANNEL_SERVICE_PORT = 8097;

/** The service's systemd unit on the signaling host. */
export const CHANNEL_UNIT = 'jitsi-eu-channel.service';

/**
 * On the host: `channel-apply.sh REVISION SHA256 < archive.tar.gz` installs a role archive and its
 * pointer, then runs the host agent (`jitsi-eu-apply --json`), whose JSON is its standard output.
 */
export const CHANNEL_APPLY_PATH = '/usr/local/lib/jitsi-eu/channel-apply.sh';

/**
 * Set by deploy to the `signalingHost` output of the stack's last run (Hetzner and OpenStack), so
 * the program keeps that node and deploy applies the new configuration through the channel: read
 * once, by the entry point (infra/index.ts), and handed down as ProgramOptions.
 */
export const DEPLOYED_SIGNALING_HOST_ENV = 'JITSI_EU_DEPLOYED_SIGNALING_HOST';
