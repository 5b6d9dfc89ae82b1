// One line of `npm run doctor`: what was checked, how it stands, and the fix when it is not fine.

/** ok: fine. missing: a deploy would stop on it. unknown: could not be checked (the detail says why). */
export type ItemStatus = 'ok' | 'missing' | 'unknown';

export interface DoctorItem {
  id: string;
  title: string;
  status: ItemStatus;
  /** What was found (never a secret). */
  detail: string;
  /** What to do, when the status is not ok. */
  fix?: string[];
}

export const ok = (id: string, title: string, detail: string): DoctorItem => ({ id, title, status: 'ok', detail });
export const missing = (id: string, title: string, detail: string, fix: string[]): DoctorItem => ({ id, title, status: 'missing', detail, fix });
export const unknown = (id: string, title: string, detail: string, fix: string[]): DoctorItem => ({ id, title, status: 'unknown', detail, fix });
