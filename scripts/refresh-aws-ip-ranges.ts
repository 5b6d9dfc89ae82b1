// Downloads the AWS EC2 address ranges verify uses to tell which region serves a deployment.
// Fetches AWS's ip-ranges.json on the user's machine (or reads a copy with --from), keeps only the
// EC2 prefixes per region, and writes them with AWS's publication date to a git-ignored file.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { PROJECT_DIR } from '../infra/spec/index.ts';
import { EXIT, UsageError, parseCliOrHelp, printJson, progress, runCli } from './lib/cli.ts';
import { AWS_RANGES_FILE, AWS_RANGES_URL, compactRanges, type PublishedRanges } from './verify/aws-ranges.ts';

const USAGE = `usage: npx tsx scripts/refresh-aws-ip-ranges.ts [--from FILE] [--out FILE] [--json]

Downloads the AWS EC2 address ranges that \`npm run verify\` uses, besides reverse DNS, for its
region check (dns-aws-eu-region). jitsi-eu does not ship them: run this once after cloning and
again when verify says the data is more than 90 days old. The file is git-ignored.

  --from FILE   read a copy of ip-ranges.json instead of downloading it
                (for machines without Internet access)
  --out FILE    where to write (default ${relative(PROJECT_DIR, AWS_RANGES_FILE)} in the project,
                which verify reads; verify --aws-ranges FILE reads another)
  --timeout S   download deadline in seconds (default 30)
  --json        print a summary as JSON
  -h, --help    this text

Source: ${AWS_RANGES_URL} (published by AWS; see "AWS IP address ranges" in the
Amazon VPC User Guide).`;

const OPTIONS = {
  from: { type: 'string' },
  out: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function download(timeoutSeconds: number): Promise<unknown> {
  progress(`downloading ${AWS_RANGES_URL}`);
  let response: Response;
  try {
    response = await fetch(AWS_RANGES_URL, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
  } catch (error) {
    throw new UsageError([
      `cannot download ${AWS_RANGES_URL}: ${(error as Error).message}`,
      'check the network, or download the file elsewhere and run with --from FILE',
    ]);
  }
  if (!response.ok) throw new UsageError(`${AWS_RANGES_URL} answered HTTP ${response.status}; try again later or use --from FILE`);
  return response.json();
}

async function main(): Promise<number> {
  const parsed = parseCliOrHelp(process.argv.slice(2), OPTIONS, USAGE);
  if (!parsed) return EXIT.OK;
  const { values } = parsed;
  const timeout = values.timeout === undefined ? 30 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout ${values.timeout}: give a number of seconds`);
  let published: unknown;
  let source = AWS_RANGES_URL;
  if (values.from) {
    try {
      published = JSON.parse(readFileSync(values.from, 'utf8'));
    } catch (error) {
      throw new UsageError(`--from ${values.from}: ${(error as Error).message}`);
    }
    source = `${AWS_RANGES_URL} (copy read from ${values.from})`;
  } else {
    published = await download(timeout);
  }
  let compact;
  try {
    compact = compactRanges(published as PublishedRanges, source, new Date());
  } catch (error) {
    throw new UsageError(`${values.from ?? AWS_RANGES_URL}: ${(error as Error).message}`);
  }
  const out = values.out ?? AWS_RANGES_FILE;
  mkdirSync(dirname(out), { recursive: true });
  const temp = `${out}.tmp`;
  writeFileSync(temp, `${JSON.stringify(compact, null, 1)}\n`);
  renameSync(temp, out);
  const prefixes = Object.values(compact.regions).reduce((n, list) => n + list.length, 0);
  const summary = { file: out, createDate: compact.createDate, regions: Object.keys(compact.regions).length, prefixes };
  if (values.json) printJson(summary);
  else process.stdout.write(`wrote ${out}: ${prefixes} EC2 prefixes in ${summary.regions} regions, published by AWS ${compact.createDate} UTC\n`);
  return EXIT.OK;
}

await runCli(main);
