// Host files: unattended security upgrades, short log retention, kernel and service limits for
// the videobridge and jicofo, and the scripts cloud-init runs at first boot (plus the bridge's
// drain watcher and the ACME helpers). Values reach the shell scripts single-quoted.
import { ACCOUNT_NAME_PATTERN, STACK_HOST_ACCOUNT, accountsPrefix } from '../accounts.ts';
import { jitsiMetapackageVersion } from '../privacy/upstream.ts';
import { DRAIN_HEARTBEAT_SECONDS, DRAIN_HOOK_NAME, DRAIN_MAX_SECONDS, DRAIN_REQUEST_POLL_SECONDS } from '../lifecycle.ts';
import { BOOT_VALUES } from '../placeholders.ts';
import { PORTS } from '../ports.ts';
import { secretsFor, ssmPrefix, tlsCertificateParameterName, type SecretName } from '../secrets.ts';
import type { DeploymentSpec } from '../spec/types.ts';
import type { RenderInput } from './input.ts';
import {
  ACME_WEBROOT,
  BOOT_DIR,
  CLOUD_INIT_OUTPUT_LOG,
  POLICY_RC_D,
  READY_FILE,
  nginxSitePath,
  tlsPaths,
} from './paths.ts';
import { hostRoles, rolesFor, type Service } from './roles.ts';
import type { BundleFile, HostRole } from './types.ts';
import { BRIDGE_SHARE_SYSCTL, renderCloudLayer } from './cloud-layer.ts';

/** Kernel and service limits for the media path (not privacy settings: capacity only). */
export const OS_TUNING = {
  /** UDP receive buffer ceiling for the videobridge's single media port. */
  rmemMax: 10_485_760,
  netdevMaxBacklog: 100_000,
  /** Open files, processes and tasks for jicofo and the videobridge. */
  serviceLimit: 65_000,
} as const;

/** How long the boot waits for the Elastic IP and for the services to pass their health checks. */
export const BOOT_WAITS = { publicIpWaitSeconds: 300, healthWaitSeconds: 600 } as const;

/** Host path of a role's boot script; cloud-init runs it with the files that carry placeholders. */
export function bootScriptPath(role: HostRole): string {
  return `${BOOT_DIR}/boot-${role}.sh`;
}

/** Host path of the script that makes Prosody's accounts match the stack (`accounts.sh sync`). */
export const ACCOUNTS_SCRIPT_PATH = `${BOOT_DIR}/accounts.sh`;

/** The secrets a role's boot reads from SSM. Bridges need only their XMPP password. */
export function secretsForRole(spec: DeploymentSpec, role: HostRole): SecretName[] {
  return role === 'bridge' ? ['jvb-password'] : secretsFor(spec);
}

/**
 * Services cloud-init masks before any package is installed, per role: package scripts restart
 * some of them directly (past policy-rc.d), and the videobridge's stock configuration names
 * Jitsi's public STUN server. The boot script unmasks the ones the role runs once this
 * deployment's files and secrets are in place.
 */
export function servicesMaskedAtInstall(role: HostRole): string[] {
  return role === 'bridge' ? ['jitsi-videobridge2.service'] : ['jicofo.service', 'jitsi-videobridge2.service'];
}

/** A shell word that stays one literal word whatever it holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

interface LogFamily {
  name: string;
  file: string;
  service: Service;
  paths: string[];
  directives: string[];
}

// Every log a Jitsi host writes, with the file name of the package's own logrotate rule so ours
// replaces it (two rules for one log make logrotate skip both).
function logFamilies(spec: DeploymentSpec): LogFamily[] {
  const families: LogFamily[] = [
    {
      name: 'nginx',
      file: 'nginx',
      service: 'web',
      paths: ['/var/log/nginx/*.log'],
      directives: [
        'create 0640 www-data adm',
        'sharedscripts',
        'postrotate',
        '\t[ ! -s /run/nginx.pid ] || kill -USR1 "$(cat /run/nginx.pid)"',
        'endscript',
      ],
    },
    {
      name: 'Prosody',
      file: 'prosody',
      service: 'prosody',
      paths: ['/var/log/prosody/*.log', '/var/log/prosody/*.err'],
      directives: [
        'create 0640 prosody adm',
        'sharedscripts',
        'postrotate',
        '\tsystemctl reload prosody.service >/dev/null 2>&1 || true',
        'endscript',
      ],
    },
    {
      name: 'jicofo',
      file: 'jicofo',
      service: 'jicofo',
      paths: ['/var/log/jitsi/jicofo.log'],
      directives: ['copytruncate', 'su jicofo jitsi'],
    },
    {
      name: 'videobridge',
      file: 'jitsi-videobridge',
      service: 'jvb',
      paths: ['/var/log/jitsi/jvb.log'],
      directives: ['copytruncate', 'su jvb jitsi'],
    },
  ];
  if (spec.turn) {
    families.push({
      name: 'coturn',
      file: 'coturn',
      service: 'coturn',
      paths: ['/var/log/turnserver/*.log'],
      directives: ['copytruncate'],
    });
  }
  return families;
}

/** The kernel settings the videobridge needs, on the hosts that run one. */
export const JVB_SYSCTL_FILE = '/etc/sysctl.d/60-jitsi-eu-jvb.conf';

export function renderOs(input: RenderInput): BundleFile[] {
  const { spec, hosts, engine } = input;
  const tls = tlsPaths(spec.domain);
  const all = hostRoles(spec);
  const jvbRoles = rolesFor(spec, 'jvb');
  const jvbHere = jvbRoles.includes('signaling');
  const file = (path: string, roles: HostRole[], template: string, context: object, mode = '0644'): BundleFile => ({
    path: path.replace(/^\//, ''),
    component: 'os',
    roles,
    mode,
    content: engine.render(`os/${template}`, context),
  });

  const sh = {
    stack: shellQuote(spec.stack),
    region: shellQuote(spec.region),
    domain: shellQuote(spec.domain),
    authDomain: shellQuote(hosts.auth),
    focusComponent: shellQuote(hosts.focusComponent),
    hostAccount: shellQuote(STACK_HOST_ACCOUNT),
    accountsPrefix: shellQuote(accountsPrefix(spec.stack)),
    accountNamePattern: shellQuote(ACCOUNT_NAME_PATTERN.source),
    ssmPrefix: shellQuote(ssmPrefix(spec.stack)),
    bootDir: shellQuote(BOOT_DIR),
    readyFile: shellQuote(READY_FILE),
    policyRcD: shellQuote(POLICY_RC_D),
    cloudInitLog: shellQuote(CLOUD_INIT_OUTPUT_LOG),
    tlsMode: shellQuote(spec.tls),
    certParameter: shellQuote(tlsCertificateParameterName(spec.stack)),
    tlsDir: shellQuote(tls.dir),
    tlsFullchain: shellQuote(tls.fullchain),
    tlsPrivkey: shellQuote(tls.privkey),
    nginxSite: shellQuote(nginxSitePath(spec.domain)),
    acmeWebroot: shellQuote(ACME_WEBROOT),
    acmeEmail: shellQuote(spec.acmeEmail),
    metapackageVersion: shellQuote(jitsiMetapackageVersion(spec.jitsiVersion)),
    drainHookName: shellQuote(DRAIN_HOOK_NAME),
  };
  const num = {
    ...BOOT_WAITS,
    prosodyHttpPort: PORTS.prosodyHttp,
    jicofoRestPort: PORTS.jicofoRest,
    jvbPrivateHttpPort: PORTS.jvbPrivateHttp,
    httpsPort: PORTS.https,
    drainMaxSeconds: DRAIN_MAX_SECONDS,
    // The drain unit's stop covers the longest drain, with room for the videobridge's own stop.
    drainStopTimeoutSeconds: DRAIN_MAX_SECONDS + 120,
    // A heartbeat every third of the hook's timeout leaves room for two missed ones.
    heartbeatEverySeconds: Math.floor(DRAIN_HEARTBEAT_SECONDS / 3),
    drainRequestPollSeconds: DRAIN_REQUEST_POLL_SECONDS,
    rmemMax: OS_TUNING.rmemMax,
    netdevMaxBacklog: OS_TUNING.netdevMaxBacklog,
  };
  const base = {
    stack: spec.stack,
    domain: spec.domain,
    bootDir: BOOT_DIR,
    drainHookName: DRAIN_HOOK_NAME,
    turn: spec.turn,
    staging: spec.tls === 'letsencrypt-staging',
    scalable: spec.topology === 'scalable',
    jvbHere,
    hostAccount: spec.auth === 'secure',
    jwt: spec.auth === 'jwt',
    sh,
    num,
    sysctlFiles: [shellQuote(JVB_SYSCTL_FILE), shellQuote(BRIDGE_SHARE_SYSCTL)],
    bootValues: Object.values(BOOT_VALUES).map((token) => token.replace(/^@@jitsi-eu-boot:(.*)@@$/, '$1')),
  };

  const signalingServices = ['prosody', 'jicofo', ...(jvbHere ? ['jitsi-videobridge2'] : []), 'nginx', ...(spec.turn ? ['coturn'] : [])];
  const signalingChecks = ['check_prosody', 'check_jicofo', ...(jvbHere ? ['check_jvb'] : []), 'check_nginx', ...(spec.turn ? ['check_coturn'] : [])];

  const files: BundleFile[] = [
    file(`${BOOT_DIR}/lib.sh`, all, 'lib.sh.hbs', base),
    ...renderCloudLayer(input, base),
    file('/etc/apt/apt.conf.d/20auto-upgrades', all, '20auto-upgrades.hbs', base),
    file('/etc/apt/apt.conf.d/52jitsi-eu-unattended-upgrades', all, 'unattended-upgrades.hbs', base),
    file('/etc/systemd/journald.conf.d/60-jitsi-eu.conf', all, 'journald.conf.hbs', base),
    file(JVB_SYSCTL_FILE, jvbRoles, 'sysctl-jvb.conf.hbs', base),
    file('/etc/systemd/system/jitsi-videobridge2.service.d/60-jitsi-eu-limits.conf', jvbRoles, 'limits.conf.hbs', {
      service: 'The videobridge',
      num: { limit: OS_TUNING.serviceLimit },
    }),
    file('/etc/systemd/system/jicofo.service.d/60-jitsi-eu-limits.conf', rolesFor(spec, 'jicofo'), 'limits.conf.hbs', {
      service: 'Jicofo',
      num: { limit: OS_TUNING.serviceLimit },
    }),
    ...logFamilies(spec).map((family) =>
      file(`/etc/logrotate.d/${family.file}`, rolesFor(spec, family.service), 'logrotate.hbs', family),
    ),
    file(bootScriptPath('signaling'), ['signaling'], 'boot-signaling.sh.hbs', {
      ...base,
      requiredSecrets: secretsForRole(spec, 'signaling'),
      services: signalingServices,
      // In the scalable topology the local videobridge stays masked: media runs on the pool.
      unmask: servicesMaskedAtInstall('signaling').filter((unit) => jvbHere || unit !== 'jitsi-videobridge2.service'),
      healthChecks: signalingChecks,
    }, '0755'),
    file(`${BOOT_DIR}/acme.sh`, ['signaling'], 'acme.sh.hbs', base, '0755'),
    file(ACCOUNTS_SCRIPT_PATH, ['signaling'], 'accounts.sh.hbs', base, '0700'),
    file('/etc/systemd/system/jitsi-eu-acme.service', ['signaling'], 'jitsi-eu-acme.service.hbs', base),
    file('/etc/systemd/system/jitsi-eu-acme.timer', ['signaling'], 'jitsi-eu-acme.timer.hbs', base),
  ];
  if (all.includes('bridge')) {
    files.push(
      file(bootScriptPath('bridge'), ['bridge'], 'boot-bridge.sh.hbs', {
        ...base,
        requiredSecrets: secretsForRole(spec, 'bridge'),
        unmask: servicesMaskedAtInstall('bridge'),
      }, '0755'),
      file(`${BOOT_DIR}/drain.sh`, ['bridge'], 'drain.sh.hbs', base, '0755'),
      file('/etc/systemd/system/jitsi-eu-drain.service', ['bridge'], 'jitsi-eu-drain.service.hbs', base),
    );
  }
  return files;
}
