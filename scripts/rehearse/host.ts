// One rehearsal host: the cached Debian 12 root under a copy-on-write overlay, booted by
// systemd-nspawn with systemd as PID 1, in a network namespace made for it. cloud-init reads
// the user data as the cloud gives it: AWS through a NoCloud seed (its metadata service stood in
// beside), Hetzner Cloud through cloud-init's Hetzner data source from the stood-in metadata
// service, OpenStack from a config drive. The host has a link to this machine (its private address)
// and one to a second namespace where the stand-ins listen (metadata service, Jitsi's
// repository, AWS's endpoints, and on request another host's private address); nothing else. One relay on this machine's side of the first link
// carries HTTP to Debian's archive and nowhere else.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARTITION_DNS_SUFFIX } from '../../infra/render/cloud-init.ts';
import { READY_FILE } from '../../infra/render/paths.ts';
import type { HostRole } from '../../infra/render/types.ts';
import type { DeploymentSpec } from '../../infra/spec/types.ts';
import { makeRehearsalCa } from './ca.ts';
import { attachConfigDrive } from './config-drive.ts';
import { giveHetznerIdentity } from './hetzner-identity.ts';
import { ensureStandinRepo } from './packages/repo.ts';
import { ensureRoot } from './root.ts';
import { type AutoscalingCall, type Delivery, type MetadataRequest, type PrivateService, type StandinConfig, joinConnections, openstackMetaData } from './standins/server.ts';
import { SIGNALING_PRIVATE_IP } from '../../infra/private-network.ts';

/** What the rehearsal can take away from a booting host, to see it fail as it should. */
export type BootFailure = 'jitsi-repository' | 'metadata';

export interface HostOptions {
  spec: DeploymentSpec;
  role: HostRole;
  /** The user data exactly as the provider receives it (EC2: gzip; Hetzner, OpenStack: the text). */
  userData: Buffer;
  /** SSM parameters the stand-in holds (full name → value). */
  parameters: Record<string, string>;
  /** The stack's bundle bucket and what it holds when the host boots (objects and pointers). */
  bundleBucket: string;
  delivery: Delivery;
  failure?: BootFailure;
  /**
   * Hetzner, OpenStack: addresses of the stack's private network that another host holds (the
   * signaling node's bridge share, for a bridge), answered by the rehearsal's server on a Unix socket.
   */
  privateServices?: PrivateService[];
  /** Variables for the boot's scripts (cloud-init's final stage runs them), e.g. a lower bound on tries. */
  bootEnvironment?: Record<string, string>;
  cacheDir: string;
  mirror: string;
  progress?: (line: string) => void;
}

export interface RehearsalHost {
  /** The host's root as seen from this machine (the overlay's merged view). */
  root: string;
  workDir: string;
  privateIp: string;
  publicIp: string;
  /** This machine's end of the host's link: reaches the host's private address. */
  machineIp: string;
  /** The host's end of that link: where this machine reaches the host (its private address may be another cloud's plan). */
  linkIp: string;
  instanceId: string;
  /** The user data exactly as the provider received it. */
  userData: Buffer;
  /** Seconds since the container was started. */
  elapsed(): number;
  /** Everything the host wrote to its console so far. */
  console(): string;
  /** The ready marker's content once it exists, or undefined when `seconds` pass first or the host stops. */
  waitForMarker(seconds: number): Promise<string | undefined>;
  /** Runs a command inside the host (all its namespaces). */
  exec(command: string[], input?: string): { status: number | null; stdout: string; stderr: string };
  /** The same, without blocking this process (clients and probes keep running meanwhile). */
  run(command: string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
  running(): boolean;
  waitForExit(seconds: number): Promise<boolean>;
  setLifecycleState(state: string): Promise<void>;
  autoscalingCalls(): Promise<AutoscalingCall[]>;
  /** Every request the metadata service at 169.254.169.254 received so far, in order. */
  metadataRequests(): Promise<MetadataRequest[]>;
  /** Puts new bundle objects and pointers where the host's agent looks, as deploy does. */
  deliver(delivery: Delivery): Promise<void>;
  /** Stops the host and removes what it made; `keep` leaves the work folder (root, logs). */
  stop(options?: { keep?: boolean }): Promise<void>;
}

const STANDIN_MAIN = join(import.meta.dirname, 'standins', 'main.ts');
const TSX = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const quietly = (fn: () => unknown) => {
  try {
    fn();
  } catch {
    // already gone
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fails loudly, naming the fix, when this machine cannot boot a rehearsal host. */
export function checkRehearsalMachine(): void {
  const missing = ['systemd-nspawn', 'debootstrap', 'equivs-build', 'dpkg-scanpackages', 'gpg', 'ip', 'nsenter', 'flock', 'losetup', 'mkfs.ext4', 'openssl', 'moto_server']
    .filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(`the boot rehearsal needs ${missing.join(', ')}: install systemd-container, debootstrap, equivs, dpkg-dev, gnupg, iproute2, util-linux, e2fsprogs, openssl and moto[server] (bash .ci/run does)`);
  }
  if (process.getuid?.() !== 0) throw new Error('the boot rehearsal needs root (network namespaces, overlay mounts, systemd-nspawn): run it as root or under sudo');
}

function controlRequest(socket: string, method: string, path: string, payload = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Relays TCP from the host's side of the link to Debian's archive, and only there. */
function debianRelay(address: string, mirror: string): Promise<Server> {
  const target = new URL(mirror);
  const port = Number(target.port || 80);
  const server = createServer((client) => joinConnections(client, connect(port, target.hostname)));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(80, address, () => resolve(server));
  });
}

export async function bootHost(options: HostOptions): Promise<RehearsalHost> {
  const { spec, role, progress = () => {} } = options;
  const root = ensureRoot(options.cacheDir, options.mirror, progress);
  const repo = ensureStandinRepo(options.cacheDir, spec.jitsiVersion, progress);

  const id = randomBytes(3).toString('hex');
  const net = randomInt(1, 250);
  const ns = `jeu-${id}`;
  const standinNs = `jeu-${id}-s`;
  const link = `jeu${id}h`;
  const relayIp = `10.213.${net}.1`;
  // On Hetzner and OpenStack the stack's private network has the same plan everywhere: the
  // signaling node is 10.0.0.10, and the host scripts read their private address from the kernel.
  const onOtherCloud = spec.cloud !== 'aws';
  const linkIp = `10.213.${net}.2`;
  const privateIp = onOtherCloud ? (role === 'signaling' ? SIGNALING_PRIVATE_IP : `10.0.0.${20 + (net % 200)}`) : linkIp;
  const hostServiceLinkIp = `10.214.${net}.2`;
  const standinLinkIp = `10.214.${net}.1`;
  const serviceIp = `10.214.${net}.10`;
  const publicIp = `198.51.100.${net}`;
  const instanceId = spec.cloud === 'hetzner'
    ? String(randomInt(10_000_000, 99_999_999))
    : spec.cloud === 'openstack'
      ? [8, 4, 4, 4, 12].map((n) => randomBytes(n).toString('hex').slice(0, n)).join('-')
      : `i-0${randomBytes(8).toString('hex').slice(0, 16)}`;
  const workDir = mkdtempSync(join(process.env.JITSI_EU_REHEARSAL_WORK ?? tmpdir(), `jitsi-eu-rehearsal-${role}-`));
  const merged = join(workDir, 'root');
  const cleanups: (() => void)[] = [];
  const cleanup = () => cleanups.reverse().forEach(quietly);

  try {
    // Two network namespaces: the host's, with its link to this machine (its private address),
    // and the stand-ins', linked to the host's and routed to for the metadata address and the
    // stand-ins' address, as EC2's services are reached from an instance without living in it.
    sh('ip', ['netns', 'add', ns]);
    cleanups.push(() => sh('ip', ['netns', 'delete', ns]));
    sh('ip', ['netns', 'add', standinNs]);
    cleanups.push(() => sh('ip', ['netns', 'delete', standinNs]));
    sh('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    cleanups.push(() => sh('ip', ['link', 'delete', link]));
    sh('ip', ['addr', 'add', `${relayIp}/24`, 'dev', link]);
    sh('ip', ['link', 'set', link, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${linkIp}/24`, 'dev', 'eth0']);
    if (onOtherCloud) sh('ip', ['-n', ns, 'addr', 'add', `${privateIp}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', ns, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'svc0', 'netns', standinNs]);
    sh('ip', ['-n', ns, 'addr', 'add', `${hostServiceLinkIp}/24`, 'dev', 'eth1']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth1', 'up']);
    sh('ip', ['-n', standinNs, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', standinNs, 'addr', 'add', `${standinLinkIp}/24`, 'dev', 'svc0']);
    sh('ip', ['-n', standinNs, 'link', 'set', 'svc0', 'up']);
    for (const address of ['169.254.169.254', serviceIp]) {
      sh('ip', ['-n', standinNs, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
      sh('ip', ['-n', ns, 'route', 'add', `${address}/32`, 'via', standinLinkIp]);
    }
    // Another host's private address lives with the stand-ins too; the host still speaks from its
    // own private address, which its scripts read from the route towards the signaling node.
    const privateServices = options.privateServices ?? [];
    if (privateServices.length > 0 && !onOtherCloud) throw new Error('private-network stand-ins exist only outside AWS (the stack\'s private network plan)');
    for (const address of new Set(privateServices.map((s) => s.address))) {
      sh('ip', ['-n', standinNs, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
      sh('ip', ['-n', ns, 'route', 'add', `${address}/32`, 'via', standinLinkIp, 'src', privateIp]);
    }
    if (privateServices.length > 0) sh('ip', ['-n', standinNs, 'route', 'add', `${privateIp}/32`, 'via', hostServiceLinkIp]);
    const relay = await debianRelay(relayIp, options.mirror);
    cleanups.push(() => relay.close());

    // The root: copy-on-write over the cached one, so every boot starts from the same image.
    for (const dir of ['upper', 'overlay-work', 'root']) mkdirSync(join(workDir, dir));
    sh('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${root},upperdir=${join(workDir, 'upper')},workdir=${join(workDir, 'overlay-work')}`, merged]);
    cleanups.push(() => sh('umount', ['--lazy', merged]));

    // The stand-ins' names and certificate; the host trusts the rehearsal's CA.
    const suffix = PARTITION_DNS_SUFFIX[spec.partition];
    const awsNames = ['s3', 'ssm', 'autoscaling'].map((s) => `${s}.${spec.region}.${suffix}`);
    awsNames.push(`${options.bundleBucket}.s3.${spec.region}.${suffix}`);
    const ca = makeRehearsalCa(workDir, ['download.jitsi.org', ...awsNames]);
    writeFileSync(join(merged, 'usr/local/share/ca-certificates/jitsi-eu-rehearsal.crt'), readFileSync(ca.caCert));
    sh('chroot', [merged, 'update-ca-certificates']);
    const mirrorHost = new URL(options.mirror).hostname;
    appendFileSync(join(merged, 'etc/hosts'), [
      `# jitsi-eu rehearsal: Debian's archive through the relay, the rest to the stand-ins`,
      `${relayIp} ${mirrorHost}`,
      `${serviceIp} download.jitsi.org ${awsNames.join(' ')}`,
      '',
    ].join('\n'));
    // No resolver: a name the rehearsal does not know fails at once instead of leaving.
    rmSync(join(merged, 'etc/resolv.conf'), { force: true });
    writeFileSync(join(merged, 'etc/resolv.conf'), 'nameserver 127.0.0.1\n');

    if (options.bootEnvironment) {
      const dropIn = join(merged, 'etc/systemd/system/cloud-final.service.d');
      mkdirSync(dropIn, { recursive: true });
      const lines = Object.entries(options.bootEnvironment).map(([name, value]) => `Environment=${JSON.stringify(`${name}=${value}`)}`);
      writeFileSync(join(dropIn, '90-jitsi-eu-rehearsal.conf'), ['# jitsi-eu rehearsal: the boot scripts\' environment', '[Service]', ...lines, ''].join('\n'));
    }

    const mac = (JSON.parse(sh('ip', ['-n', ns, '-j', 'link', 'show', 'eth0'])) as { address: string }[])[0]!.address;
    const instance = { id: instanceId, privateIp, publicIp, mac };
    const deviceArgs: string[] = [];
    if (spec.cloud === 'hetzner') {
      // No seed: cloud-init's Hetzner data source finds the server by its DMI values and reads the
      // user data from the metadata service, where the stand-ins hand it out byte for byte.
      giveHetznerIdentity(merged, instanceId);
    } else if (spec.cloud === 'openstack') {
      // OpenStack's config drive as a disk labelled config-2 that the host is given; the stand-in
      // answers the metadata service's meta_data.json too.
      const drive = attachConfigDrive(workDir, openstackMetaData({ instance, region: spec.region }), options.userData);
      cleanups.push(drive.detach);
      deviceArgs.push(`--bind-ro=${drive.device}`);
      writeFileSync(join(merged, 'etc/cloud/cloud.cfg.d/91-rehearsal-openstack.cfg'), 'datasource_list: [ConfigDrive, None]\n');
    } else {
      // The NoCloud seed: the user data as the provider receives it, byte for byte.
      const seed = join(merged, 'var/lib/cloud/seed/nocloud');
      mkdirSync(seed, { recursive: true });
      writeFileSync(join(seed, 'user-data'), options.userData);
      writeFileSync(join(seed, 'meta-data'), `instance-id: ${instanceId}\nlocal-hostname: ip-${privateIp.replaceAll('.', '-')}\n`);
    }

    // The stand-ins, inside their namespace.
    const controlSocket = join(workDir, 'control.sock');
    const config: StandinConfig = {
      cloud: spec.cloud,
      region: spec.region,
      dnsSuffix: suffix,
      serviceAddress: serviceIp,
      imds: options.failure !== 'metadata',
      jitsiRepository: options.failure !== 'jitsi-repository',
      tlsCert: ca.serverCert,
      tlsKey: ca.serverKey,
      repoRoot: repo.root,
      ssmAgentDeb: repo.ssmAgentDeb,
      instance: { ...instance, ...(role === 'bridge' ? { autoscalingGroup: `jitsi-eu-${spec.stack}-bridges-rehearsal` } : {}) },
      ...(spec.cloud === 'hetzner' ? { userData: options.userData.toString('base64') } : {}),
      parameters: options.parameters,
      bundleBucket: options.bundleBucket,
      delivery: options.delivery,
      controlSocket,
      motoPort: 5000,
      ...(privateServices.length > 0 ? { privateServices } : {}),
    };
    writeFileSync(join(workDir, 'standins.json'), JSON.stringify(config));
    chmodSync(join(workDir, 'standins.json'), 0o600);
    const standins = spawn('ip', ['netns', 'exec', standinNs, TSX, STANDIN_MAIN, join(workDir, 'standins.json')], { stdio: ['pipe', 'pipe', 'pipe'] });
    cleanups.push(() => standins.kill('SIGTERM'));
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`the stand-ins did not start within 90 s: ${err}`)), 90_000);
      standins.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
      standins.stdout!.on('data', (c: Buffer) => {
        if (c.toString('utf8').includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      standins.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the stand-ins exited (${code}): ${err}`));
      });
    });

    // The host itself: systemd as PID 1. On a machine whose own PID 1 is not systemd, nspawn can
    // neither register the machine nor make a scope for it.
    const consoleLog = join(workDir, 'console.log');
    writeFileSync(consoleLog, '');
    const started = Date.now();
    const nspawn: ChildProcess = spawn('systemd-nspawn', [
      '--quiet', '--register=no', '--keep-unit', '--boot', '--directory', merged, '--machine', `jeu-${id}`,
      `--network-namespace-path=/run/netns/${ns}`, '--resolv-conf=off', '--timezone=off', '--link-journal=no', '--console=read-only',
      // Root on a server may set its own firewall rules: Hetzner's and OpenStack's hosts install
      // the rule that keeps the metadata service to root (nspawn withholds the capability).
      ...(onOtherCloud ? ['--capability=CAP_NET_ADMIN'] : []),
      ...deviceArgs,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let exited = false;
    nspawn.on('exit', () => (exited = true));
    const toConsole = (c: Buffer) => appendFileSync(consoleLog, c);
    nspawn.stdout!.on('data', toConsole);
    nspawn.stderr!.on('data', toConsole);

    const leader = (): number | undefined => {
      const out = spawnSync('pgrep', ['-P', String(nspawn.pid)], { encoding: 'utf8' }).stdout.trim();
      return out ? Number(out.split('\n')[0]) : undefined;
    };
    const markerPath = join(merged, READY_FILE.slice(1));
    const readMarker = () => (existsSync(markerPath) ? readFileSync(markerPath, 'utf8') : undefined);

    return {
      root: merged,
      workDir,
      privateIp,
      publicIp,
      machineIp: relayIp,
      linkIp,
      instanceId,
      userData: options.userData,
      elapsed: () => (Date.now() - started) / 1000,
      console: () => readFileSync(consoleLog, 'utf8'),
      async waitForMarker(seconds) {
        const deadline = Date.now() + seconds * 1000;
        while (Date.now() < deadline && !exited) {
          const marker = readMarker();
          if (marker) return marker;
          await sleep(1000);
        }
        return readMarker();
      },
      exec(command, input) {
        const pid = leader();
        if (!pid) return { status: null, stdout: '', stderr: 'the host is not running' };
        const result = spawnSync('nsenter', ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '--', ...command], {
          encoding: 'utf8', input, timeout: 120_000,
        });
        return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
      },
      run(command) {
        const pid = leader();
        if (!pid) return Promise.resolve({ status: null, stdout: '', stderr: 'the host is not running' });
        return new Promise((resolve) => {
          const child = spawn('nsenter', ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
          child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
          child.on('close', (status) => resolve({ status, stdout, stderr }));
        });
      },
      running: () => !exited,
      async waitForExit(seconds) {
        const deadline = Date.now() + seconds * 1000;
        while (!exited && Date.now() < deadline) await sleep(500);
        return exited;
      },
      async setLifecycleState(state) {
        await controlRequest(controlSocket, 'POST', '/lifecycle', state);
      },
      async autoscalingCalls() {
        return JSON.parse(await controlRequest(controlSocket, 'GET', '/autoscaling-calls')) as AutoscalingCall[];
      },
      async metadataRequests() {
        return JSON.parse(await controlRequest(controlSocket, 'GET', '/metadata-requests')) as MetadataRequest[];
      },
      async deliver(delivery) {
        const answer = await controlRequest(controlSocket, 'POST', '/deliver', JSON.stringify(delivery));
        if (answer !== 'delivered') throw new Error(`the stand-ins refused the delivery: ${answer}`);
      },
      async stop({ keep = false } = {}) {
        if (!exited) {
          nspawn.kill('SIGTERM'); // nspawn asks the host's systemd to power off
          const deadline = Date.now() + 30_000;
          while (!exited && Date.now() < deadline) await sleep(250);
          if (!exited) nspawn.kill('SIGKILL');
          while (!exited) await sleep(100);
        }
        cleanup();
        if (!keep) rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    cleanup();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}
