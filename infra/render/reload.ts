// What a changed file means on a running host: which unit is reloaded or restarted, which host
// step runs (systemd re-reads its units, kernel settings are applied), and what people in a
// meeting notice. The one place that says so: the host agent reads the steps from the bundle
// (rendered from here) and deploy's preview words come from here too.
import { JVB_SYSCTL_FILE } from './os.ts';
import { METADATA_GUARD_RULES_PATH, METADATA_GUARD_UNIT, METADATA_GUARD_UNIT_PATH } from './paths.ts';
import type { BundleComponent, BundleFile } from './types.ts';

/** stop: the unit's last file left the bundle (coturn when TURN is switched off). */
export type UnitAction = 'reload' | 'restart' | 'stop';

/** One thing the agent does after installing a changed file. */
export type ApplyStep =
  | { kind: 'unit'; unit: string; action: UnitAction }
  /** systemd re-reads unit files and drop-ins before any unit is restarted. */
  | { kind: 'daemon-reload' }
  /** The kernel settings file is applied (`sysctl -p`). */
  | { kind: 'sysctl'; file: string };

/** What people notice when a unit is reloaded or restarted; checked against the real parts where they exist here. */
export const UNIT_EFFECTS: Record<string, { label: string; reload?: string; restart: string; stop?: string }> = {
  'prosody.service': {
    label: 'Prosody',
    // Measured with Prosody 0.12 (test/integration/prosody-reload.test.ts): SIGHUP keeps every
    // client session and re-reads the configuration.
    reload: 'Prosody re-reads its configuration; connected people stay connected',
    restart: 'Prosody restarts: every participant is disconnected and rejoins after a few seconds',
  },
  'nginx.service': {
    label: 'nginx',
    reload: 'nginx reloads; open connections (BOSH, WebSocket) are served to the end by the old workers',
    restart: 'nginx restarts: open connections drop and clients reconnect',
  },
  'jicofo.service': {
    label: 'jicofo',
    restart: 'jicofo restarts: conferences in progress are set up again; participants see "reconnecting" and media pauses for a few seconds',
  },
  'jitsi-videobridge2.service': {
    label: 'the videobridge',
    restart: 'the videobridge restarts: audio and video stop for the conferences on it until jicofo moves them to a bridge (some seconds)',
  },
  'coturn.service': {
    label: 'coturn',
    restart: 'coturn restarts: participants whose media goes through TURN (strict firewalls) lose it for a few seconds while their browser reconnects',
    stop: 'coturn stops: participants whose media goes through TURN (strict firewalls) lose it; new visitors are offered no TURN server',
  },
  'systemd-journald.service': { label: 'the journal', restart: 'the journal restarts: nobody in a meeting notices' },
  'jitsi-eu-drain.service': { label: 'the drain watcher', restart: 'the drain watcher restarts: nobody in a meeting notices' },
  [METADATA_GUARD_UNIT]: { label: 'the metadata rule', restart: 'the rule that keeps the metadata service to root is loaded again: nobody in a meeting notices' },
};

/** Components whose files are read from disk on each request: new visitors get the new file. */
const SERVED_FROM_DISK = new Set<BundleComponent>(['web-config', 'interface-config', 'privacy-notice']);

const unit = (name: string, action: UnitAction): ApplyStep => ({ kind: 'unit', unit: name, action });

/** The steps a change of this file calls for, in no particular order (see `orderSteps`). */
export function stepsForFile(file: Pick<BundleFile, 'path' | 'component'>): ApplyStep[] {
  const path = `/${file.path}`;
  if (SERVED_FROM_DISK.has(file.component)) return [];
  switch (file.component) {
    case 'prosody':
      return [unit('prosody.service', 'reload')];
    // A module's code is loaded once: only a restart (or a module reload) runs the new code.
    case 'prosody-plugin':
      return [unit('prosody.service', 'restart')];
    case 'nginx':
      return [unit('nginx.service', 'reload')];
    case 'jicofo':
      return [unit('jicofo.service', 'restart')];
    case 'jvb':
      return [unit('jitsi-videobridge2.service', 'restart')];
    case 'coturn':
      return [unit('coturn.service', 'restart')];
    case 'cloud-init':
      return [];
    default:
      break;
  }
  // Host files (component os).
  const dropIn = /^\/etc\/systemd\/system\/([^/]+\.service)\.d\//.exec(path);
  if (dropIn) return [{ kind: 'daemon-reload' }, unit(dropIn[1]!, 'restart')];
  if (path === '/etc/systemd/system/jitsi-eu-drain.service') return [{ kind: 'daemon-reload' }, unit('jitsi-eu-drain.service', 'restart')];
  // The rule is loaded once per boot (a oneshot unit): a changed rule or unit is loaded again.
  if (path === METADATA_GUARD_UNIT_PATH) return [{ kind: 'daemon-reload' }, unit(METADATA_GUARD_UNIT, 'restart')];
  if (path === METADATA_GUARD_RULES_PATH) return [unit(METADATA_GUARD_UNIT, 'restart')];
  if (path.startsWith('/etc/systemd/system/')) return [{ kind: 'daemon-reload' }];
  if (path.startsWith('/etc/systemd/journald.conf.d/')) return [unit('systemd-journald.service', 'restart')];
  if (path === JVB_SYSCTL_FILE) return [{ kind: 'sysctl', file: path }];
  if (path.endsWith('/drain.sh')) return [unit('jitsi-eu-drain.service', 'restart')];
  // apt and logrotate settings, boot and ACME scripts: read when they next run.
  return [];
}

// Units are acted on in this order: Prosody before the components that log in to it.
const UNIT_ORDER = ['systemd-journald.service', 'prosody.service', 'jicofo.service', 'jitsi-videobridge2.service', 'nginx.service', 'coturn.service', 'jitsi-eu-drain.service'];

/**
 * The steps for a set of changed files, each once: systemd and kernel steps first, then one
 * action per unit (a restart covers a reload), Prosody before jicofo before the videobridge.
 */
export function orderSteps(steps: readonly ApplyStep[]): ApplyStep[] {
  const units = new Map<string, UnitAction>();
  const sysctl = new Set<string>();
  let daemonReload = false;
  for (const step of steps) {
    if (step.kind === 'daemon-reload') daemonReload = true;
    else if (step.kind === 'sysctl') sysctl.add(step.file);
    else {
      // stop wins over restart, restart over reload.
      const now = units.get(step.unit);
      if (now !== 'stop' && !(now === 'restart' && step.action === 'reload')) units.set(step.unit, step.action);
    }
  }
  const rank = (name: string) => (UNIT_ORDER.includes(name) ? UNIT_ORDER.indexOf(name) : UNIT_ORDER.length);
  return [
    ...(daemonReload ? [{ kind: 'daemon-reload' } as const] : []),
    ...[...sysctl].sort().map((file) => ({ kind: 'sysctl', file }) as const),
    ...[...units].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([name, action]) => unit(name, action)),
  ];
}

/** A step as one word the agent reads: `reload:prosody.service`, `restart:jicofo.service`, `daemon-reload`, `sysctl:/etc/...`. */
export function stepWord(step: ApplyStep): string {
  if (step.kind === 'unit') return `${step.action}:${step.unit}`;
  if (step.kind === 'sysctl') return `sysctl:${step.file}`;
  return 'daemon-reload';
}

/** What people in a meeting notice from these steps; one sentence per unit, or that nobody notices. */
export function stepWords(steps: readonly ApplyStep[]): string[] {
  const words: string[] = [];
  for (const step of orderSteps(steps)) {
    if (step.kind !== 'unit') continue;
    const effect = UNIT_EFFECTS[step.unit];
    const text = effect
      ? (step.action === 'reload' ? effect.reload ?? effect.restart : step.action === 'stop' ? effect.stop ?? `${effect.label} stops` : effect.restart)
      : `${step.unit} is ${step.action === 'reload' ? 'reloaded' : step.action === 'stop' ? 'stopped' : 'restarted'}`;
    words.push(text);
  }
  return words;
}

/** Does any of these steps interrupt a meeting (a restart of a service people are connected through)? */
export function interruptsMeetings(steps: readonly ApplyStep[]): boolean {
  const quiet = new Set(['systemd-journald.service', 'jitsi-eu-drain.service', METADATA_GUARD_UNIT]);
  return steps.some((s) => s.kind === 'unit' && s.action !== 'reload' && !quiet.has(s.unit));
}

/** Bundle path of the table of Prosody modules per host, in a role's archive. */
export const PROSODY_MODULES_FILE = 'prosody-modules.tsv';

/**
 * Which module each Prosody host loads, from the rendered configuration: `host<TAB>module` lines
 * (`*` for the global modules_enabled), and `host<TAB>` for a host with none. Prosody 0.12's
 * reload re-reads option values but neither loads nor unloads modules nor adds or removes
 * hosts (tried with the real Prosody): the agent compares this table with the last one and loads
 * or unloads modules through Prosody's admin shell, or restarts Prosody when hosts changed.
 */
export function prosodyModuleTable(files: readonly Pick<BundleFile, 'component' | 'content'>[]): string {
  const lines = new Set<string>();
  for (const file of files.filter((f) => f.component === 'prosody')) {
    let host = '*';
    let inModules = false;
    for (const line of file.content.split('\n')) {
      const block = /^(?:VirtualHost|Component)\s+"([^"]+)"/.exec(line);
      if (block) {
        host = block[1]!;
        lines.add(`${host}\t`);
        continue;
      }
      if (/^\s*modules_enabled\s*=\s*\{/.test(line)) inModules = true;
      if (inModules) {
        for (const [, name] of line.matchAll(/"([^"]+)"/g)) lines.add(`${host}\t${name}`);
        if (line.includes('}')) inModules = false;
      }
    }
  }
  return [...lines].sort().map((l) => `${l}\n`).join('');
}
