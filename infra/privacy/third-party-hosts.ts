import type { ThirdPartyHost } from './types.ts';

// PLACEHOLDER: replaced by the real list.
export const THIRD_PARTY_HOSTS: ThirdPartyHost[] = [];
