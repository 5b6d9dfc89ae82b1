// Small readers for recorded resource properties, shared by the per-cloud descriptions.
import { decodeUserData } from '../../infra/policy/user-data-scan.ts';
import { isSecretValue } from './record.ts';

export type Props = Record<string, unknown>;

export const MASK = '[secret]';

export const rec = (value: unknown): Props => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Props) : {});
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function jsonOrSelf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export const pick = (props: Props, keys: string[]): Props =>
  Object.fromEntries(keys.filter((key) => props[key] !== undefined).map((key) => [key, props[key]]));

/** Size of the user data, never its content. */
export function userData(value: unknown, base64: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (isSecretValue(value)) return MASK;
  if (typeof value !== 'string') return undefined;
  const stored = base64 ? Buffer.from(value, 'base64').length : Buffer.byteLength(value);
  const text = decodeUserData(value, base64);
  return `${Buffer.byteLength(text)} bytes of cloud-config, sent as ${stored} bytes${stored < Buffer.byteLength(text) ? ' gzipped' : ''}`;
}

/** One inbound rule as the plan shows it: "udp 10000 from 0.0.0.0/0, ::/0 (JVB media)". */
export interface InboundRule {
  protocol: string;
  ports: string;
  sources: string[];
  description?: string;
}

export const ruleLine = (rule: InboundRule): string =>
  `${rule.protocol}${rule.ports ? ` ${rule.ports}` : ''} from ${rule.sources.join(', ') || 'nowhere'}${rule.description ? ` (${rule.description})` : ''}`;
