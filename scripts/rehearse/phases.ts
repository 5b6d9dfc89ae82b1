// The phases of a first boot and how long each took, read from what the host logged: cloud-init's
// module events (/var/log/cloud-init.log) and the boot script's `step:` lines
// (/var/log/cloud-init-output.log).

export const PHASES = ['bootcmd', 'apt', 'packages', 'files', 'secrets', 'services', 'ready'] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseTiming {
  phase: Phase;
  /** Seconds; undefined when the boot never got there. */
  seconds?: number;
}

interface Span {
  start: number;
  end: number;
}

// cloud-init module → phase.
const MODULE_PHASE: Record<string, Phase> = {
  'init-network/config-bootcmd': 'bootcmd',
  'modules-config/config-apt-configure': 'apt',
  'modules-final/config-package-update-upgrade-install': 'packages',
  'modules-final/config-write-files-deferred': 'files',
};

// Boot script step → phase (the steps both boot scripts name).
const STEP_PHASE: Record<string, Phase> = {
  packages: 'packages',
  videobridge: 'packages',
  secrets: 'secrets',
  files: 'files',
  certificate: 'files',
  accounts: 'files',
  site: 'files',
  services: 'services',
  letsencrypt: 'services',
  health: 'services',
};

/** `2026-12-06 13:36:18,665` (cloud-init.log, UTC on the host) → epoch ms. */
function cloudInitTime(text: string): number {
  return Date.parse(`${text.replace(' ', 'T').replace(',', '.')}Z`);
}

function moduleSpans(cloudInitLog: string): Map<string, Span> {
  const spans = new Map<string, Span>();
  const line = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - \S+: (start|finish): ([\w-]+\/[\w-]+): /;
  for (const text of cloudInitLog.split('\n')) {
    const m = line.exec(text);
    if (!m) continue;
    const [, time, event, name] = m;
    const at = cloudInitTime(time!);
    if (event === 'start') spans.set(name!, { start: at, end: Number.NaN });
    else if (spans.has(name!)) spans.get(name!)!.end = at;
  }
  return spans;
}

/** The boot script's steps, each until the next step or the last line it logged. */
function stepSpans(outputLog: string): { step: string; span: Span }[] {
  const lines = [...outputLog.matchAll(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) jitsi-eu: (.*)$/gm)].map((m) => ({ at: Date.parse(m[1]!), text: m[2]! }));
  const steps: { step: string; span: Span }[] = [];
  for (const [i, line] of lines.entries()) {
    const step = /^step: (\S+)$/.exec(line.text)?.[1];
    if (!step) continue;
    const next = lines.slice(i + 1).find((l) => l.text.startsWith('step: ')) ?? lines.at(-1)!;
    // Whole seconds: a step that started and ended within one second counts as half of one.
    steps.push({ step, span: { start: line.at, end: Math.max(next.at, line.at + 500) } });
  }
  return steps;
}

/**
 * Durations per phase. `bootStartedAt` is when the host was started (epoch ms), `readyAt` when
 * its ready marker appeared (undefined: it never did).
 */
export function bootPhases(cloudInitLog: string, outputLog: string, bootStartedAt: number, readyAt?: number): PhaseTiming[] {
  const totals = new Map<Phase, number>();
  const add = (phase: Phase, span: Span) => {
    if (!Number.isFinite(span.end)) return;
    totals.set(phase, (totals.get(phase) ?? 0) + Math.max(0, span.end - span.start) / 1000);
  };
  for (const [name, span] of moduleSpans(cloudInitLog)) if (MODULE_PHASE[name]) add(MODULE_PHASE[name], span);
  for (const { step, span } of stepSpans(outputLog)) if (STEP_PHASE[step]) add(STEP_PHASE[step], span);
  if (readyAt !== undefined) totals.set('ready', (readyAt - bootStartedAt) / 1000);
  return PHASES.map((phase) => {
    const seconds = totals.get(phase);
    return seconds === undefined ? { phase } : { phase, seconds: Math.round(seconds * 10) / 10 };
  });
}
