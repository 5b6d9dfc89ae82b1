// `npm run readme`: checks that the generated sections of README.md and docs/ match the code;
// `--write` rewrites them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../infra/spec/load.ts';
import { EXIT, parseCli, runCli } from './lib/cli.ts';

const USAGE = `Usage: npm run readme [-- --write]

Compares the generated sections of the documentation (README.md and docs/: stack config reference,
instance types, privacy table, verify checks, passphrase setup) with what the code says today.

Options:
  --write     rewrite the generated sections in place
  -h, --help  show this help

Exit codes: 0 up to date (or rewritten), 1 a file is out of date, 2 usage error.`;

await runCli(async () => {
  const { values } = parseCli(process.argv.slice(2), { write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  // The generators read the privacy profile and the verify checks: loaded only for real work.
  const { documentStates } = await import('./readme/sections.ts');
  const stale = documentStates(PROJECT_DIR).filter((doc) => doc.updated !== doc.current);
  if (stale.length === 0) {
    process.stdout.write('documentation is up to date\n');
    return EXIT.OK;
  }
  if (values.write) {
    for (const doc of stale) {
      writeFileSync(join(PROJECT_DIR, doc.file), doc.updated);
      process.stdout.write(`${doc.file}: generated sections rewritten\n`);
    }
    return EXIT.OK;
  }
  for (const doc of stale) process.stderr.write(`${doc.file} is out of date\n`);
  process.stderr.write('run npm run readme -- --write\n');
  return EXIT.FAILED;
});
