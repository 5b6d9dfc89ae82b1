// JSON over HTTPS for the cloud APIs jitsi-eu calls without an SDK (Hetzner Cloud, OpenStack).
// Throttling (429) and server errors (5xx) are retried with a growing pause, honouring
// Retry-After; anything else is an ApiError that names the call and what the provider said.
// Request headers (they hold the token) are never part of an error.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The provider's error code (Hetzner `error.code`, Neutron `NeutronError.type`), when it gave one. */
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RetryPolicy {
  attempts: number;
  /** Pause before the first retry; each later one doubles it (Retry-After wins when longer). */
  firstPauseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstPauseMs: 500 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const retryable = (status: number) => status === 429 || status >= 500;

/** The message and code in an error body, whichever of the providers' shapes it has. */
function providerError(body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  // Hetzner: { error: { code, message } }
  const hetzner = b.error as { code?: unknown; message?: unknown } | undefined;
  if (hetzner && typeof hetzner === 'object' && typeof hetzner.message === 'string') {
    return { ...(typeof hetzner.code === 'string' ? { code: hetzner.code } : {}), message: hetzner.message };
  }
  // Neutron: { NeutronError: { type, message } }; Nova and Keystone: { <kind>: { code, message } }.
  for (const value of Object.values(b)) {
    if (value && typeof value === 'object') {
      const v = value as { type?: unknown; message?: unknown };
      if (typeof v.message === 'string') return { ...(typeof v.type === 'string' ? { code: v.type } : {}), message: v.message };
    }
  }
  return typeof b.message === 'string' ? { message: b.message } : {};
}

/** One call: the parsed JSON body (undefined for 204), or an ApiError after the retries. */
export async function requestJson<T>(url: string, request: JsonRequest = {}, retry: RetryPolicy = DEFAULT_RETRY): Promise<{ body: T; headers: Headers }> {
  const method = request.method ?? 'GET';
  const where = `${method} ${new URL(url).pathname}`;
  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { Accept: 'application/json', ...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...request.headers },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      if (attempt < retry.attempts) {
        await sleep(retry.firstPauseMs * 2 ** (attempt - 1));
        continue;
      }
      throw new ApiError(0, undefined, `${where} at ${new URL(url).host}: no answer (${cause})`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.ok) return { body: body as T, headers: response.headers };
    if (retryable(response.status) && attempt < retry.attempts) {
      const after = Number(response.headers.get('retry-after'));
      await sleep(Math.max(retry.firstPauseMs * 2 ** (attempt - 1), Number.isFinite(after) ? Math.min(after, 60) * 1000 : 0));
      continue;
    }
    const { code, message } = providerError(body);
    throw new ApiError(response.status, code, `${where}: ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`);
  }
}
