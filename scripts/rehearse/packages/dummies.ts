// Stand-ins for the packages a host downloads from outside Debian's archive: Jitsi's packages at
// the pinned release and AWS's SSM agent. Built with equivs, they create what the real packages
// create that the boot relies on (accounts, groups, directories, systemd units, Prosody's
// certificates) and the Java services are small REST stand-ins answering what the boot and
// drain scripts ask. What they leave out: OpenJDK and the Jitsi services themselves (no XMPP
// session, no media), the web app's files beyond an index page, and the SSM agent's connection
// to AWS (it runs, and does nothing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jitsiMetapackageVersion } from '../../../infra/privacy/upstream.ts';
import { PORTS } from '../../../infra/ports.ts';

export interface DummyPackage {
  name: string;
  version: string;
  depends: string[];
  description: string;
  /** Absolute path on the host → content. */
  files: Record<string, string>;
  /** Mode of each file, when not 0644. */
  modes?: Record<string, number>;
  postinst?: string;
  /** Built with dpkg-deb alone: no debhelper snippets (which enable and start units). */
  plain?: boolean;
}

const REST_STANDIN = readFileSync(join(import.meta.dirname, 'rest-standin.py'), 'utf8');

/**
 * Component versions the stand-in metapackage pins. Illustrative: the rehearsal checks that the
 * boot reads them from the metapackage, not which ones upstream ships.
 */
export const COMPONENT_VERSIONS = {
  'jitsi-meet-web': '1.0.8922-1',
  'jitsi-meet-web-config': '1.0.8922-1',
  'jitsi-meet-prosody': '1.0.8922-1',
  jicofo: '1.0-1160-1',
  'jitsi-videobridge2': '2.3-260-g2b4e5f9a-1',
} as const;

// A system account in the jitsi group, as upstream's maintainer scripts make them.
const jitsiAccount = (user: string, home: string) => `getent group jitsi >/dev/null || addgroup --quiet --system jitsi
id -u ${user} >/dev/null 2>&1 || adduser --quiet --system --ingroup jitsi --no-create-home --home ${home} --shell /bin/false ${user}
install -d -m 0755 -o ${user} -g jitsi /var/log/jitsi`;

// Units are enabled and started (unless policy-rc.d says no) by debhelper's own maintainer
// script snippets, which equivs adds, as upstream's packages do.
const javaServiceUnit = (description: string, user: string, service: string, port: number) => `[Unit]
Description=${description} (rehearsal stand-in)
After=network-online.target
Wants=network-online.target

[Service]
User=${user}
Group=jitsi
ExecStart=/usr/bin/python3 /usr/share/${service}/rest-standin.py ${user} ${port}
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

export function dummyPackages(release: string): DummyPackage[] {
  const v = COMPONENT_VERSIONS;
  return [
    {
      name: 'jitsi-meet',
      version: jitsiMetapackageVersion(release),
      depends: Object.entries(v).map(([name, version]) => `${name} (= ${version})`),
      description: 'Jitsi Meet metapackage (rehearsal stand-in)',
      files: {},
    },
    {
      name: 'jitsi-videobridge2',
      version: v['jitsi-videobridge2'],
      depends: ['python3', 'adduser'],
      description: 'Jitsi Videobridge (rehearsal stand-in: REST health, stats and graceful shutdown)',
      files: {
        '/usr/share/jitsi-videobridge/rest-standin.py': REST_STANDIN,
        '/lib/systemd/system/jitsi-videobridge2.service': javaServiceUnit('Jitsi Videobridge', 'jvb', 'jitsi-videobridge', PORTS.jvbPrivateHttp),
        '/etc/jitsi/videobridge/config': '# Jitsi Videobridge settings\nJVB_OPTS="--apis=,"\n',
        '/etc/jitsi/videobridge/logging.properties': '.level=INFO\n',
      },
      postinst: `${jitsiAccount('jvb', '/usr/share/jitsi-videobridge')}
chown -R jvb:jitsi /etc/jitsi/videobridge
[ -f /etc/jitsi/videobridge/jvb.conf ] || printf 'videobridge {}\\n' >/etc/jitsi/videobridge/jvb.conf`,
    },
    {
      name: 'jicofo',
      version: v.jicofo,
      depends: ['python3', 'adduser'],
      description: 'Jitsi Conference Focus (rehearsal stand-in: REST health)',
      files: {
        '/usr/share/jicofo/rest-standin.py': REST_STANDIN,
        '/lib/systemd/system/jicofo.service': javaServiceUnit('Jitsi Conference Focus', 'jicofo', 'jicofo', PORTS.jicofoRest),
        '/etc/jitsi/jicofo/config': '# Jicofo settings\n',
        '/etc/jitsi/jicofo/logging.properties': '.level=INFO\n',
      },
      postinst: `${jitsiAccount('jicofo', '/usr/share/jicofo')}
chown -R jicofo:jitsi /etc/jitsi/jicofo
[ -f /etc/jitsi/jicofo/jicofo.conf ] || printf 'jicofo {}\\n' >/etc/jitsi/jicofo/jicofo.conf`,
    },
    {
      name: 'jitsi-meet-prosody',
      version: v['jitsi-meet-prosody'],
      depends: ['prosody', 'lua-sec', 'openssl', 'debconf'],
      description: "Jitsi's Prosody configuration and plugins (rehearsal stand-in: certificates only)",
      files: { '/usr/share/jitsi-meet/prosody-plugins/README': "Jitsi's Prosody plugins are not part of the rehearsal.\n" },
      // Upstream makes a certificate for the meeting domain and its auth domain in Prosody's folder.
      postinst: `. /usr/share/debconf/confmodule
db_get jitsi-videobridge/jvb-hostname || RET=
domain=\${RET:-$(hostname -f)}
install -d -m 0755 /etc/prosody/certs
for host in "$domain" "auth.$domain"; do
  [ -f "/etc/prosody/certs/$host.crt" ] && continue
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=$host" \\
    -keyout "/etc/prosody/certs/$host.key" -out "/etc/prosody/certs/$host.crt" 2>/dev/null
  chown root:prosody "/etc/prosody/certs/$host.key"; chmod 0640 "/etc/prosody/certs/$host.key"
done
db_stop`,
    },
    {
      name: 'jitsi-meet-web',
      version: v['jitsi-meet-web'],
      depends: [],
      description: 'Jitsi Meet web app (rehearsal stand-in: an index page)',
      files: { '/usr/share/jitsi-meet/index.html': '<!DOCTYPE html><title>Jitsi Meet (rehearsal stand-in)</title>\n' },
    },
    {
      name: 'jitsi-meet-web-config',
      version: v['jitsi-meet-web-config'],
      depends: ['openssl', 'nginx | nginx-full | apache2'],
      description: "Jitsi Meet's web server configuration (rehearsal stand-in)",
      files: { '/etc/jitsi/meet/README': 'Configuration of the Jitsi Meet web app.\n' },
    },
    {
      name: 'amazon-ssm-agent',
      version: '3.3.0.0-1',
      depends: [],
      description: "AWS Systems Manager agent (rehearsal stand-in: runs, reaches nothing); upstream's unit",
      // Upstream's package is not built with debhelper, and its postinst starts nothing (its
      // init-system test compares two literal strings): built the same way here.
      plain: true,
      files: {
        '/usr/bin/amazon-ssm-agent': '#!/bin/sh\necho "amazon-ssm-agent stand-in: running"\nexec sleep infinity\n',
        // As upstream's: ordered after cloud-init.target, so a start job issued from inside
        // cloud-init waits for cloud-init itself.
        '/lib/systemd/system/amazon-ssm-agent.service': `[Unit]
Description=Amazon SSM Agent
Wants=network-online.target
After=network-online.target nss-lookup.target cloud-init.target
ConditionFileIsExecutable=/usr/bin/amazon-ssm-agent

[Service]
Type=simple
WorkingDirectory=/usr/bin/
ExecStart=/usr/bin/amazon-ssm-agent
KillMode=process
Restart=always
RestartPreventExitStatus=194
RestartSec=90

[Install]
WantedBy=multi-user.target
`,
      },
      modes: { '/usr/bin/amazon-ssm-agent': 0o755 },
      postinst: 'echo "Starting agent"',
    },
  ];
}
