// EC2 user data: one #cloud-config document per host role. It installs the pinned Jitsi release
// from Jitsi's own repository, writes every rendered file of the role in place, and runs the
// role's boot script. Secrets never appear here, only the placeholders the boot script fills.
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { jitsiMetapackageVersion } from '../privacy/upstream.ts';
import { ANY_PLACEHOLDER_PATTERN } from '../placeholders.ts';
import { ssmPrefix } from '../secrets.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import type { RenderInput } from './input.ts';
import { bootScriptPath } from './os.ts';
import { hostRoles } from './roles.ts';
import type { BundleFile, HostRole } from './types.ts';

/** Jitsi's package repository and its signing key, fetched over HTTPS at install time. */
export const JITSI_APT_SOURCE_URL = 'https://download.jitsi.org';
export const JITSI_APT_KEY_URL = `${JITSI_APT_SOURCE_URL}/jitsi-key.gpg.key`;
/** ASCII-armoured key; apt reads `.asc` keyrings named in signed-by. */
export const JITSI_APT_KEYRING = '/etc/apt/keyrings/jitsi.asc';

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
const POLICY_RC_D = [
  '#!/bin/sh',
  '# jitsi-eu: package scripts may not start services during the first boot; the boot script',
  '# removes this file once the deployment\'s own configuration is in place.',
  'exit 101',
  '',
].join('\n');

function packagesFor(spec: DeploymentSpec, role: HostRole): string[] {
  const common = ['awscli', 'curl', 'unattended-upgrades'];
  if (role === 'bridge') return common; // the boot script installs jitsi-videobridge2 at the pinned version
  return [
    // The metapackage depends on exact versions of every Jitsi component.
    `jitsi-meet=${jitsiMetapackageVersion(spec.jitsiVersion)}`,
    'nginx',
    'prosody',
    'certbot',
    'openssl',
    ...(spec.turn ? ['coturn'] : []),
    // Jitsi's token modules (luajwtjitsi) load these Lua libraries.
    ...(spec.auth === 'jwt' ? ['lua-basexx', 'lua-cjson', 'lua-luaossl'] : []),
    ...common,
  ];
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

const section = (value: object): string => stringify(value, { lineWidth: 0, blockQuote: 'literal', indentSeq: false }).trimEnd();

function userData(input: RenderInput, role: HostRole, files: readonly BundleFile[]): string {
  const { spec, engine } = input;
  const own = files.filter((f) => f.roles.includes(role) && f.component !== 'cloud-init');
  const withPlaceholders = own.filter((f) => new RegExp(ANY_PLACEHOLDER_PATTERN.source).test(f.content)).map((f) => `/${f.path}`);

  const bootcmd = {
    bootcmd: [
      [
        'cloud-init-per', 'instance', 'jitsi-eu-apt-key', 'sh', '-c',
        `install -d -m 0755 /etc/apt/keyrings && curl -fsS --proto '=https' --tlsv1.2 --retry 10 --retry-all-errors -o ${JITSI_APT_KEYRING} ${JITSI_APT_KEY_URL}`,
      ],
    ],
  };
  const apt = {
    apt: {
      // Keep the image's Debian mirrors; only add Jitsi's repository.
      preserve_sources_list: true,
      sources: { jitsi: { source: `deb [signed-by=${JITSI_APT_KEYRING}] ${JITSI_APT_SOURCE_URL} stable/` } },
      // jitsi-meet only recommends its own coturn setup; coturn is installed when the spec asks for it.
      conf: 'APT::Install-Recommends "false";\n',
      debconf_selections: { jitsi: debconfAnswers(spec, role) },
    },
  };
  const writeFiles = {
    write_files: [
      { path: '/usr/sbin/policy-rc.d', permissions: '0755', content: POLICY_RC_D },
      ...own.map((f) => ({ path: `/${f.path}`, permissions: f.mode, defer: true, content: f.content })),
    ],
  };
  // Owners are applied by the boot script: on a bridge the service accounts exist only after it
  // has installed the videobridge.
  const owners = own.filter((f) => f.owner !== undefined).flatMap((f) => ['--own', f.owner!, `/${f.path}`]);
  const runcmd = { runcmd: [[bootScriptPath(role), ...owners, ...withPlaceholders]] };

  return engine.render('cloud-init/user-data.yaml.hbs', {
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

export function renderCloudInit(input: RenderInput, files: readonly BundleFile[]): BundleFile[] {
  return hostRoles(input.spec).map((role) => ({
    path: cloudInitPath(role),
    component: 'cloud-init',
    roles: [role],
    mode: '0644',
    content: userData(input, role, files),
  }));
}
