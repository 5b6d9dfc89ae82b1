import type { ForbiddenKey } from './types.ts';

// PLACEHOLDER: replaced by the real list.
export const FORBIDDEN_KEYS: ForbiddenKey[] = [];
