// What `npm run rehearse` prints about one rehearsed boot: its verdict and each phase's duration.
import type { HostRole } from '../../infra/render/types.ts';
import type { PhaseTiming } from './phases.ts';

export interface BootReport {
  role: HostRole;
  /** `ok`, `failed: <step>`, or `hung` (no marker within the bound). */
  result: string;
  seconds: number;
  phases: PhaseTiming[];
  /** The host's work folder when kept (--keep). */
  kept?: string;
  /** The last lines the boot script logged, when it did not end `ok`. */
  lastLines?: string[];
}

export function bootResult(marker: string | undefined): string {
  return marker === undefined ? 'hung' : marker.trim();
}

export function phaseRows(report: BootReport): string[][] {
  return report.phases.map((p) => [p.phase, p.seconds === undefined ? '-' : `${p.seconds.toFixed(1)} s`]);
}
