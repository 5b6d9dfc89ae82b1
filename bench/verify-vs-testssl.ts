// `npm run verify` next to Debian's testssl.sh on one jitsi-eu deployment on loopback (real nginx,
// Prosody and coturn with the rendered files): wall-clock time of each, and what each reports on
// the topics both cover, side by side. testssl.sh runs once, in full (it takes minutes); verify
// runs N times.
//   npx tsx bench/verify-vs-testssl.ts [--runs N] [--json]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, printJson, progress, renderTable, runCli } from '../scripts/lib/cli.ts';
import type { CheckResult } from '../scripts/verify/types.ts';
import { startLoopbackDeployment } from '../test/fixtures/verify/deployment.ts';
import { requireTool, tempDir } from '../test/helpers/tools.ts';
import { parseBenchArgs, summarise, timeNpmRun } from './timing.ts';

const USAGE = `Usage: npx tsx bench/verify-vs-testssl.ts [--runs N] [--json]

Starts a jitsi-eu deployment on loopback (nginx, Prosody, coturn with the rendered files), times a
full external \`npm run verify\` against it (median of N runs, default 5) and one full testssl.sh
run (Debian package testssl.sh), and lists side by side what each reports on the topics both
cover, then the findings testssl.sh rates above INFO.`;

/** Topics both tools cover: testssl.sh finding ids (exact, or a prefix ending in *) and verify check ids. */
const TOPICS: { topic: string; testssl: string[]; verify: string[] }[] = [
  { topic: 'SSLv2/SSLv3/TLS 1.0/TLS 1.1 refused', testssl: ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1'], verify: ['tls-legacy-refused'] },
  { topic: 'TLS 1.2 and 1.3 offered', testssl: ['TLS1_2', 'TLS1_3'], verify: ['tls-modern-versions'] },
  { topic: 'forward secrecy, no weak suites', testssl: ['PFS', 'cipherlist_*'], verify: ['tls-forward-secrecy'] },
  { topic: 'DH parameters', testssl: ['DH_groups', 'LOGJAM', 'LOGJAM-common_primes'], verify: ['tls-dh-params'] },
  { topic: 'chain of trust', testssl: ['cert_chain_of_trust'], verify: ['tls-chain-trusted'] },
  { topic: 'certificate names the host', testssl: ['cert_trust', 'cert_subjectAltName'], verify: ['tls-hostname'] },
  { topic: 'certificate expiry', testssl: ['cert_expirationStatus'], verify: ['tls-expiry'] },
  { topic: 'key and signature', testssl: ['cert_keySize', 'cert_signatureAlgorithm'], verify: ['tls-key-strength'] },
  { topic: 'revocation information', testssl: ['cert_crlDistributionPoints', 'cert_ocspURL'], verify: ['tls-revocation-info'] },
  { topic: 'OCSP stapling', testssl: ['OCSP_stapling', 'cert_mustStapleExtension'], verify: ['tls-ocsp-stapling'] },
  { topic: 'BREACH (compression)', testssl: ['BREACH'], verify: ['http-no-compressed-secrets'] },
  { topic: 'HSTS', testssl: ['HSTS_time'], verify: ['http-hsts'] },
  { topic: 'server banner', testssl: ['banner_server'], verify: ['http-no-version-banner'] },
  { topic: 'cookies', testssl: ['cookie_count'], verify: ['http-no-cookies'] },
];

interface TestsslFinding {
  id: string;
  severity: string;
  finding: string;
}

function matches(pattern: string, id: string): boolean {
  return pattern.endsWith('*') ? id.startsWith(pattern.slice(0, -1)) : id === pattern;
}

const short = (text: string, max = 70) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

async function main(argv: string[]): Promise<number> {
  const parsed = parseBenchArgs(argv, USAGE);
  if (parsed === EXIT.OK) return EXIT.OK;
  const testssl = requireTool('testssl');
  const work = tempDir('jitsi-eu-bench-testssl-');

  progress('starting the loopback deployment (nginx, Prosody, coturn)');
  const deployment = await startLoopbackDeployment();
  try {
    const site = await deployment.serve();
    const args = [...site.args(), '--json'];
    progress(`verify through the CLI: ${parsed.runs} runs`);
    timeNpmRun('verify', args); // warm caches
    let checks: CheckResult[] = [];
    const verifyTimes = Array.from({ length: parsed.runs }, () => {
      const run = timeNpmRun('verify', args);
      checks = (JSON.parse(run.stdout) as { checks: CheckResult[] }).checks;
      return run.ms;
    });

    progress('testssl.sh, full run (a few minutes)');
    const jsonFile = join(work.path, 'testssl.json');
    const started = Date.now();
    const run = spawnSync(
      testssl,
      ['--quiet', '--color', '0', '--warnings', 'off', '--ip', '127.0.0.1', '--nodns', 'none', '--add-ca', deployment.caPath, '--jsonfile', jsonFile, `https://${deployment.spec.domain}:${site.httpsPort}/`],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const testsslMs = Date.now() - started;
    if (run.status !== 0) throw new Error(`testssl.sh exited with ${String(run.status)}: ${run.stderr.slice(-400)}`);
    const findings = JSON.parse(readFileSync(jsonFile, 'utf8')) as TestsslFinding[];

    const verifyById = new Map(checks.map((c) => [c.id, c]));
    const topics = TOPICS.map((t) => ({
      topic: t.topic,
      testssl: findings.filter((f) => t.testssl.some((p) => matches(p, f.id))).map((f) => `${f.id} ${f.severity}: ${f.finding}`),
      verify: t.verify.map((id) => verifyById.get(id)).filter((c): c is CheckResult => Boolean(c)).map((c) => `${c.id} ${c.status}: ${c.detail}`),
    }));
    const covered = new Set(TOPICS.flatMap((t) => t.testssl));
    const testsslOnly = findings.filter((f) => !['OK', 'INFO'].includes(f.severity) && !TOPICS.some((t) => t.testssl.some((p) => matches(p, f.id))));
    const verifyOnly = checks.filter((c) => !TOPICS.some((t) => t.verify.includes(c.id)));
    const verifyTiming = summarise(verifyTimes);
    const result = {
      verify: { ...verifyTiming, checks: checks.length, notPassed: checks.filter((c) => c.status !== 'PASS').map((c) => `${c.id} ${c.status}`) },
      testssl: { ms: testsslMs, findings: findings.length, aboveInfo: findings.filter((f) => !['OK', 'INFO'].includes(f.severity)).map((f) => `${f.id} ${f.severity}`) },
      speedup: Math.round((testsslMs / verifyTiming.medianMs) * 10) / 10,
      topics,
      testsslOnlyAboveInfo: testsslOnly.map((f) => `${f.id} ${f.severity}: ${f.finding}`),
      verifyOnlyChecks: verifyOnly.length,
      testsslIdsCompared: covered.size,
    };
    if (parsed.json) printJson(result);
    else {
      const out = process.stdout;
      out.write(
        `${renderTable(['tool', 'wall-clock ms', 'findings'], [
          [`npm run verify (median of ${parsed.runs}; min ${verifyTiming.minMs}, max ${verifyTiming.maxMs})`, String(verifyTiming.medianMs), `${checks.length} checks`],
          ['testssl.sh (one full run)', String(testsslMs), `${findings.length} findings`],
        ])}\n`,
      );
      out.write(`verify is ${result.speedup}× faster\n\n`);
      out.write(`${renderTable(['topic', 'testssl.sh', 'verify'], topics.map((t) => [t.topic, t.testssl.map((x) => short(x)).join('\n') || '-', t.verify.map((x) => short(x)).join('\n') || '-']))}\n`);
      out.write(`testssl.sh findings above INFO outside these topics:\n${result.testsslOnlyAboveInfo.map((x) => `  ${x}`).join('\n') || '  none'}\n`);
      out.write(`verify checks outside these topics (DNS, ports, headers, Jitsi endpoints, privacy profile, TURN): ${verifyOnly.length}\n`);
    }
    return EXIT.OK;
  } finally {
    await deployment.stop();
    work.remove();
  }
}

await runCli(() => main(process.argv.slice(2)));
