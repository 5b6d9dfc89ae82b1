// Names reserved for examples and tests (RFC 2606, RFC 6761): example.com, example.net,
// example.org and everything under them, and the top-level domains .example, .test, .invalid and
// .localhost. No certificate authority issues for them and no DNS answers for them, so a stack
// that still carries them cannot be deployed: a deploy would wait for DNS that never comes.
// Rendering and planning the examples stays possible; deploy and sandbox create refuse.
import type { DeploymentSpec, SpecProblem } from './types.ts';

const RESERVED_SECOND_LEVEL = ['example.com', 'example.net', 'example.org'];
const RESERVED_TOP_LEVEL = ['example', 'test', 'invalid', 'localhost'];

/** True for a host name inside a reserved example or test domain. */
export function isReservedExampleName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  const tld = name.slice(name.lastIndexOf('.') + 1);
  return RESERVED_TOP_LEVEL.includes(tld) || RESERVED_SECOND_LEVEL.some((domain) => name === domain || name.endsWith(`.${domain}`));
}

/** The host part of an e-mail address or URL, or the value itself. */
function hostOf(value: string): string {
  if (value.includes('@') && !value.includes('://')) return value.slice(value.lastIndexOf('@') + 1);
  try {
    return new URL(value).hostname;
  } catch {
    return value;
  }
}

/** Every setting of the spec that still holds an example or test name, as spec problems. */
export function exampleNameProblems(spec: DeploymentSpec, lines?: ReadonlyMap<string, number>): SpecProblem[] {
  const settings: [string, string | undefined][] = [
    ['jitsi-eu:domain', spec.domain],
    ['jitsi-eu:dnsZone', spec.dnsZone],
    ['jitsi-eu:acmeEmail', spec.acmeEmail],
    ['jitsi-eu:privacyContact', spec.privacyContact],
    ['jitsi-eu:owner', spec.owner],
  ];
  // privacyContact falls back to acmeEmail: one message for one value.
  const contactIsDefault = lines ? !lines.has('jitsi-eu:privacyContact') : spec.privacyContact === spec.acmeEmail;
  return settings
    .filter(([key]) => !(key === 'jitsi-eu:privacyContact' && contactIsDefault))
    .filter((entry): entry is [string, string] => entry[1] !== undefined && isReservedExampleName(hostOf(entry[1])))
    .map(([key, value]) => {
      const line = lines?.get(key);
      return {
        key,
        value,
        message: `${key}: ${JSON.stringify(value)} is in ${hostOf(value)}, a name reserved for examples (RFC 2606): put your own in the stack file`,
        ...(line ? { line } : {}),
      };
    });
}
