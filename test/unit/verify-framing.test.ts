// verify's framing check against the stack's embedding allow-list: the institution's own
// origins pass, any other origin fails, and 'none' / 'self' pass as before.
import { describe, expect, it } from 'vitest';
import { HTTP_CHECKS } from '../../scripts/verify/checks/http.ts';
import type { VerifyContext } from '../../scripts/verify/context.ts';
import { contentSecurityPolicy } from '../../infra/privacy/settings/nginx.ts';
import { makeSpec } from '../helpers/spec.ts';

const framing = HTTP_CHECKS.find((c) => c.id === 'http-framing')!;

async function judge(embedOrigins: string[], headers: Record<string, string>) {
  const spec = makeSpec({ embedOrigins });
  const ctx = { spec, https: async () => ({ status: 200, headers, body: '', truncated: false }) } as unknown as VerifyContext;
  return framing.run(ctx);
}

describe('http-framing', () => {
  it("passes the default 'none' with X-Frame-Options DENY", async () => {
    const result = await judge([], { 'content-security-policy': contentSecurityPolicy('meet.example.org'), 'x-frame-options': 'DENY' });
    expect(result.status).toBe('PASS');
  });

  it('passes the origins the stack lists, without X-Frame-Options', async () => {
    const origins = ['https://lms.example.org'];
    const result = await judge(origins, { 'content-security-policy': contentSecurityPolicy('meet.example.org', origins) });
    expect(result.status).toBe('PASS');
  });

  it('fails an origin the stack does not list, naming it', async () => {
    const served = contentSecurityPolicy('meet.example.org', ['https://lms.example.org', 'https://evil.example.net']);
    const result = await judge(['https://lms.example.org'], { 'content-security-policy': served });
    expect(result.status).toBe('FAIL');
    expect(result.detail).toContain('https://evil.example.net');
  });
});
