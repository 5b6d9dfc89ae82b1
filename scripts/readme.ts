// `npm run readme`: checks that README.md's generated sections match the code; `--write`
// rewrites them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../infra/spec/load.ts';
import { EXIT, parseCli, runCli } from './lib/cli.ts';
import { updateReadme } from './readme/sections.ts';

const USAGE = `Usage: npm run readme [-- --write]

Compares the generated sections of README.md (stack config reference, privacy table, verify
checks) with what the code says today.

Options:
  --write     rewrite the generated sections in place
  -h, --help  show this help

Exit codes: 0 up to date (or rewritten), 1 README.md is out of date, 2 usage error.`;

await runCli(async () => {
  const { values } = parseCli(process.argv.slice(2), { write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const path = join(PROJECT_DIR, 'README.md');
  const current = readFileSync(path, 'utf8');
  const updated = updateReadme(current);
  if (updated === current) {
    process.stdout.write('README.md is up to date\n');
    return EXIT.OK;
  }
  if (values.write) {
    writeFileSync(path, updated);
    process.stdout.write('README.md: generated sections rewritten\n');
    return EXIT.OK;
  }
  process.stderr.write('README.md is out of date: run npm run readme -- --write\n');
  return EXIT.FAILED;
});
