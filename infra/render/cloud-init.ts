// EC2 user data: one #cloud-config document per host role, a bootstrap that changes only with
// what truly needs a new host (Jitsi release, domain, stack, region, the agent's own code). It
// installs AWS's SSM agent (Session Manager is the only way in), keeps the Jitsi services masked
// while their packages install, installs the pinned Jitsi release from Jitsi's own repository,
// installs the host agent jitsi-eu-apply and runs it once: the agent fetches the role's
// configuration bundle (infra/render/delivery.ts), installs every file and runs the role's boot
// script. No configuration and no secret is in here.
import { gzipSync } from 'node:zlib';
import { Document, isScalar, stringify, visit } from 'yaml';
import { CHANNEL_PUBLIC_KEY_PATH } from '../channel.ts';
import { DEPLOY_VALUES } from '../placeholders.ts';
import { jitsiMetapackageVersion } from '../privacy/upstream.ts';
import { ssmPrefix } from '../secrets.ts';
import type { Cloud, DeploymentSpec, Partition } from '../spec/types.ts';
import { ARCHIVE_TEXT_PATH, archiveTextDecoder } from './archive-text.ts';
import { keepsSecretsOnHost, renderAgentFetch } from './cloud-layer.ts';
import type { RenderInput } from './input.ts';
import { REVISION_FILE } from '../../scripts/status/revision.ts';
import { AGENT_CONFIG_PATH, AGENT_PATH, bundlePointerName } from './delivery.ts';
import { servicesMaskedAtInstall, shellQuote } from './os.ts';
import {
  BOOT_DIR, CLOUD_INIT_OUTPUT_LOG, METADATA_GUARD_RULES_PATH, METADATA_GUARD_UNIT, METADATA_GUARD_UNIT_PATH, POLICY_RC_D, READY_FILE,
} from './paths.ts';
import { hostRoles } from './roles.ts';
import type { BundleFile, HostRole } from './types.ts';

/** Jitsi's package repository and its signing key, fetched over HTTPS at install time. */
export const JITSI_APT_SOURCE_URL = 'https://download.jitsi.org';
export const JITSI_APT_KEY_URL = `${JITSI_APT_SOURCE_URL}/jitsi-key.gpg.key`;
/** ASCII-armoured key; apt reads `.asc` keyrings named in signed-by. */
export const JITSI_APT_KEYRING = '/etc/apt/keyrings/jitsi.asc';

/** Service endpoints of a partition are `<service>.<region>.<suffix>`. */
export const PARTITION_DNS_SUFFIX: Record<Partition, string> = { aws: 'amazonaws.com', 'aws-eusc': 'amazonaws.eu' };

/**
 * AWS's SSM agent package for Debian, from the region's own agent bucket (Debian's archive has no
 * such package and Debian's AMIs do not ship it). `arch` is Debian's name for the host's
 * architecture (amd64, arm64), or a shell expression that prints it. The
 * bucket is `amazon-ssm-<region>` behind the partition's S3 endpoint, as the agent's own updater
 * resolves it.
 */
export function ssmAgentUrl(spec: Pick<DeploymentSpec, 'region' | 'partition'>, arch: string): string {
  const { region } = spec;
  return `https://s3.${region}.${PARTITION_DNS_SUFFIX[spec.partition]}/amazon-ssm-${region}/latest/debian_${arch}/amazon-ssm-agent.deb`;
}

export const SSM_AGENT_UNIT = 'amazon-ssm-agent.service';

/** Attempts at downloading and installing the SSM agent, and the pause between two. */
export const SSM_AGENT_INSTALL = { attempts: 5, pauseSeconds: 15 } as const;

/** EC2 refuses user data above 16 KB; the program sends it gzipped, so the gzip must fit. */
export const USER_DATA_MAX_BYTES = 16_384;

/** Bundle path of a role's cloud-config document. */
export function cloudInitPath(role: HostRole): string {
  return `etc/jitsi-eu/cloud-init/${role}.yaml`;
}

/** The gzip EC2 receives; deterministic (no file name, mtime 0) so a re-render changes nothing. */
export function userDataGzip(content: string): Buffer {
  return gzipSync(Buffer.from(content, 'utf8'), { level: 9 });
}

// Kept out of the bundle: it exists only between the first package install and the boot script.
const POLICY_RC_D_SCRIPT = [
  '#!/bin/sh',
  '# jitsi-eu: package scripts may not start services during the first boot; the boot script',
  '# removes this file once the deployment\'s own configuration is in place.',
  'exit 101',
  '',
].join('\n');

// Packages of the release: configuration-dependent ones (coturn, the JWT Lua libraries) come
// with the bundle (configurationPackages), so that switching them on never changes the user data.
function packagesFor(spec: DeploymentSpec, role: HostRole): string[] {
  // AWS: its CLI reaches SSM and S3. Elsewhere: nftables keeps the metadata service to root.
  const common = spec.cloud === 'aws' ? ['awscli', 'curl', 'unattended-upgrades'] : ['curl', 'nftables', 'unattended-upgrades'];
  if (role === 'bridge') return common; // the boot script installs jitsi-videobridge2 at the pinned version
  return [
    // The metapackage depends on exact versions of every Jitsi component.
    `jitsi-meet=${jitsiMetapackageVersion(spec.jitsiVersion)}`,
    'nginx',
    'prosody',
    // Prosody resolves DNS through it; a recommended package, and recommends are off.
    'lua-unbound',
    'certbot',
    'openssl',
    ...common,
  ];
}

// Session Manager is the only way in (no SSH): the agent is installed first, before anything that
// could fail, and only enabled here. Starting it from bootcmd cannot work: bootcmd runs inside
// cloud-init.service, which sysinit.target waits for, and the agent's unit is ordered after
// cloud-init.target (which comes after multi-user.target on Debian): a blocking start hangs the
// boot for ever, a --no-block one is refused as an ordering cycle. runcmd asks for the start
// without waiting; the agent then starts as soon as cloud-init has finished, whether the boot
// succeeded or failed. Bounded retries; when every attempt failed the command fails, with a line
// in cloud-init's log and the EC2 console (cloud-init-per runs it on the first boot only).
function ssmAgentInstall(spec: DeploymentSpec): string {
  return [
    `url=${ssmAgentUrl(spec, '$(dpkg --print-architecture)')}`,
    'dir=$(mktemp -d) n=1',
    `until curl -fsS --proto =https --tlsv1.2 --retry 3 --retry-all-errors -o "$dir/agent.deb" "$url" && dpkg -i "$dir/agent.deb" && systemctl enable ${SSM_AGENT_UNIT}; do`,
    `  [ $n -lt ${SSM_AGENT_INSTALL.attempts} ] || { rm -rf "$dir"; echo 'jitsi-eu: the SSM agent could not be installed' >&2; exit 1; }`,
    `  n=$((n + 1)); sleep ${SSM_AGENT_INSTALL.pauseSeconds}`,
    'done',
    'rm -rf "$dir"',
  ].join('\n');
}

function debconfAnswers(spec: DeploymentSpec, role: HostRole): string {
  const lines = [`jitsi-videobridge2 jitsi-videobridge/jvb-hostname string ${spec.domain}`];
  if (role === 'signaling') {
    lines.push(
      'jitsi-meet-prosody jicofo/jicofo-authuser string focus',
      // The stand-in certificate; jitsi-eu's own ACME step replaces it.
      'jitsi-meet-web-config jitsi-meet/cert-choice select Generate a new self-signed certificate',
      // No JaaS: its dial-in numbers and key server are third parties.
      'jitsi-meet-web-config jitsi-meet/jaas-choice boolean false',
    );
  }
  return `${lines.join('\n')}\n`;
}

// Jitsi's signing key, fetched before apt runs: the same first-boot step on every cloud.
const APT_KEY_COMMAND = [
  'cloud-init-per', 'instance', 'jitsi-eu-apt-key', 'sh', '-c',
  `install -d -m 0755 /etc/apt/keyrings && curl -fsS --proto '=https' --tlsv1.2 --retry 10 --retry-delay 3 --retry-all-errors -o ${JITSI_APT_KEYRING} ${JITSI_APT_KEY_URL}`,
];

function jitsiApt(spec: DeploymentSpec, role: HostRole) {
  return {
    apt: {
      // Keep the image's Debian mirrors; only add Jitsi's repository.
      preserve_sources_list: true,
      sources: { jitsi: { source: `deb [signed-by=${JITSI_APT_KEYRING}] ${JITSI_APT_SOURCE_URL} stable/` } },
      // jitsi-meet only recommends its own coturn setup; coturn comes with the bundle when the spec asks for it.
      conf: 'APT::Install-Recommends "false";\n',
      debconf_selections: { jitsi: debconfAnswers(spec, role) },
    },
  };
}

const section = (value: object): string => stringify(value, { lineWidth: 0, blockQuote: 'literal', indentSeq: false }).trimEnd();

// Lists of plain words (a command, the packages) on one line each: the same document, shorter,
// where the user data's size is capped (Hetzner Cloud).
function compactSection(value: object): string {
  const doc = new Document(value);
  visit(doc, { Seq: (_key, node) => { if (node.items.every(isScalar)) node.flow = true; } });
  return doc.toString({ lineWidth: 0, blockQuote: 'literal', indentSeq: false }).trimEnd();
}

/** The agent's settings, as shell assignments: all it needs to find its role's bundle. */
function agentConfig(spec: DeploymentSpec, role: HostRole): string {
  return [
    '# jitsi-eu-apply: where this host finds its configuration bundle. Written at first boot.',
    `JITSI_EU_APPLY_STACK=${shellQuote(spec.stack)}`,
    `JITSI_EU_APPLY_REGION=${shellQuote(spec.region)}`,
    `JITSI_EU_APPLY_ROLE=${shellQuote(role)}`,
    `JITSI_EU_APPLY_POINTER=${shellQuote(keepsSecretsOnHost(spec.cloud) ? LOCAL_BUNDLE.pointer : bundlePointerName(spec.stack, role))}`,
    // What this user data installs: the agent checks them before anything else.
    `JITSI_EU_APPLY_PACKAGES=(${packagesFor(spec, role).map(shellQuote).join(' ')})`,
    '',
  ].join('\n');
}

/** The agent's code: the same for every stack and role of a cloud. */
export function renderAgent(engine: RenderInput['engine'], cloud: Cloud = 'aws'): string {
  return engine.render('os/apply.sh.hbs', {
    libPath: `${BOOT_DIR}/lib.sh`,
    fetchBundle: renderAgentFetch(engine, cloud),
    sh: {
      config: shellQuote(AGENT_CONFIG_PATH),
      revisionFile: shellQuote(REVISION_FILE),
      readyFile: shellQuote(READY_FILE),
      bootDir: shellQuote(BOOT_DIR),
      policyRcD: shellQuote(POLICY_RC_D),
      cloudInitLog: shellQuote(CLOUD_INIT_OUTPUT_LOG),
    },
  });
}

function userData(input: RenderInput, role: HostRole): string {
  return keepsSecretsOnHost(input.spec.cloud) ? userDataWithArchive(input, role) : awsUserData(input, role);
}

function awsUserData(input: RenderInput, role: HostRole): string {
  const { spec, engine } = input;

  const bootcmd = {
    bootcmd: [
      ['cloud-init-per', 'instance', 'jitsi-eu-ssm-agent', 'sh', '-c', ssmAgentInstall(spec)],
      ['cloud-init-per', 'instance', 'jitsi-eu-mask', 'systemctl', 'mask', ...servicesMaskedAtInstall(role)],
      APT_KEY_COMMAND,
    ],
  };
  const apt = jitsiApt(spec, role);
  const writeFiles = {
    write_files: [
      { path: POLICY_RC_D, permissions: '0755', content: POLICY_RC_D_SCRIPT },
      { path: AGENT_CONFIG_PATH, permissions: '0644', content: agentConfig(spec, role) },
      { path: AGENT_PATH, permissions: '0755', content: renderAgent(engine, spec.cloud) },
    ],
  };
  const runcmd = {
    runcmd: [
      ['systemctl', 'start', '--no-block', SSM_AGENT_UNIT],
      [AGENT_PATH],
    ],
  };

  return engine.render('cloud/aws/user-data.yaml.hbs', {
    role,
    domain: spec.domain,
    stack: spec.stack,
    release: spec.jitsiVersion,
    ssmPrefix: ssmPrefix(spec.stack),
    bootcmd: section(bootcmd),
    apt: section(apt),
    packages: section({ packages: packagesFor(spec, role) }),
    writeFiles: section(writeFiles),
    runcmd: section(runcmd),
  });
}

/** Where cloud-init writes the role's archive and its pointer on clouds without an object store. */
export const LOCAL_BUNDLE = {
  dir: '/var/lib/jitsi-eu/bundle',
  /** The role's archive as a plain tar (the agent's tar reads gzip and plain alike). */
  archive: '/var/lib/jitsi-eu/bundle/archive.tar',
  /** The same as the user data carries it (infra/render/archive-text.ts), until runcmd decodes it. */
  encoded: ARCHIVE_TEXT_PATH,
  pointer: '/var/lib/jitsi-eu/bundle/pointer',
} as const;

/** Tokens of the cloud-init document that the user data function fills with the role's archive. */
export const ARCHIVE_TOKENS = {
  archive: '@@jitsi-eu-bundle:archive@@',
  revision: '@@jitsi-eu-bundle:revision@@',
  sha256: '@@jitsi-eu-bundle:sha256@@',
} as const;

const CLOUD_NAMES: Record<Cloud, string> = { aws: 'AWS', hetzner: 'Hetzner Cloud', openstack: 'OpenStack' };

// Neither Hetzner's nor OpenStack's metadata service asks for a token (IMDSv2's defence against
// request forgery): an nftables rule by user id keeps it to root, from early in every boot.
const METADATA_GUARD_RULES = [
  '#!/usr/sbin/nft -f',
  '# jitsi-eu: only root may reach the metadata service (it asks for no token).',
  'table inet jitsi_eu_metadata',
  'delete table inet jitsi_eu_metadata',
  'table inet jitsi_eu_metadata {',
  '  chain output {',
  '    type filter hook output priority 0; policy accept;',
  '    ip daddr 169.254.169.254 meta skuid != 0 drop',
  '  }',
  '}',
  '',
].join('\n');

const METADATA_GUARD_SERVICE = [
  '[Unit]',
  'Description=jitsi-eu: only root may reach the metadata service',
  'DefaultDependencies=no',
  'Before=network-pre.target',
  'Wants=network-pre.target',
  '',
  '[Service]',
  'Type=oneshot',
  'RemainAfterExit=yes',
  `ExecStart=/usr/sbin/nft -f ${METADATA_GUARD_RULES_PATH}`,
  '',
  '[Install]',
  'WantedBy=sysinit.target',
  '',
].join('\n');

// Hetzner Cloud and OpenStack: no SSM agent and no AWS CLI; the configuration archive travels in
// the user data (tokens filled by the cloud's user data function), the metadata rule comes first.
// The host agent and the metadata rule travel in the archive (compressed with the scripts they
// resemble: these clouds cap the user data's size); runcmd takes them out before the agent runs,
// and the agent installs them again with the other files.
function userDataWithArchive(input: RenderInput, role: HostRole): string {
  const { spec, engine } = input;
  const bootcmd = {
    bootcmd: [
      ['cloud-init-per', 'instance', 'jitsi-eu-mask', 'systemctl', 'mask', ...servicesMaskedAtInstall(role)],
      APT_KEY_COMMAND,
    ],
  };
  const apt = jitsiApt(spec, role);
  const writeFiles = {
    write_files: [
      { path: POLICY_RC_D, permissions: '0755', content: POLICY_RC_D_SCRIPT },
      { path: AGENT_CONFIG_PATH, permissions: '0644', content: agentConfig(spec, role) },
      // The operator channel's key (public): only the signaling node answers the channel.
      ...(role === 'signaling' ? [{ path: CHANNEL_PUBLIC_KEY_PATH, permissions: '0644', content: `-----BEGIN PUBLIC KEY-----\n${DEPLOY_VALUES.channelKey}\n-----END PUBLIC KEY-----\n` }] : []),
      { path: LOCAL_BUNDLE.encoded, permissions: '0600', content: ARCHIVE_TOKENS.archive },
      { path: LOCAL_BUNDLE.pointer, permissions: '0600', content: `revision=${ARCHIVE_TOKENS.revision} archive=${LOCAL_BUNDLE.archive} sha256=${ARCHIVE_TOKENS.sha256}\n` },
    ],
  };
  const runcmd = {
    runcmd: [
      ['sh', '-c', archiveTextDecoder(LOCAL_BUNDLE.encoded, LOCAL_BUNDLE.archive)],
      ['tar', '-xf', LOCAL_BUNDLE.archive, '-C', '/', '--strip-components=1', ...ARCHIVE_FIRST.map((path) => `files${path}`)],
      ['systemctl', 'enable', '--now', METADATA_GUARD_UNIT],
      [AGENT_PATH],
    ],
  };
  return engine.render('cloud/shared/user-data.yaml.hbs', {
    role,
    domain: spec.domain,
    stack: spec.stack,
    release: spec.jitsiVersion,
    cloudName: CLOUD_NAMES[spec.cloud],
    revision: ARCHIVE_TOKENS.revision,
    bootcmd: compactSection(bootcmd),
    apt: section(apt),
    packages: compactSection({ packages: packagesFor(spec, role) }),
    writeFiles: section(writeFiles),
    runcmd: compactSection(runcmd),
  });
}

/** What runcmd takes out of the archive before the agent runs (clouds with the archive in the user data). */
const ARCHIVE_FIRST = [METADATA_GUARD_RULES_PATH, METADATA_GUARD_UNIT_PATH, AGENT_PATH];

export function renderCloudInit(input: RenderInput): BundleFile[] {
  // Where the configuration travels in the user data, the agent is one of the role's files.
  const roles = hostRoles(input.spec);
  const agent: BundleFile[] = keepsSecretsOnHost(input.spec.cloud)
    ? [
      { path: AGENT_PATH.slice(1), component: 'os', roles, mode: '0755', content: renderAgent(input.engine, input.spec.cloud) },
      { path: METADATA_GUARD_RULES_PATH.slice(1), component: 'os', roles, mode: '0644', content: METADATA_GUARD_RULES },
      { path: METADATA_GUARD_UNIT_PATH.slice(1), component: 'os', roles, mode: '0644', content: METADATA_GUARD_SERVICE },
    ]
    : [];
  return [...agent, ...roles.map((role): BundleFile => ({
    path: cloudInitPath(role),
    component: 'cloud-init',
    roles: [role],
    mode: '0644',
    content: userData(input, role),
  }))];
}
