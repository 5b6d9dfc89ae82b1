// npm run status -- --stack NAME: see scripts/status/usage.ts. The AWS SDK loads only after the
// arguments are read, so --help and usage errors answer at once.
import { EXIT, runCli } from './lib/cli.ts';
import { parseStatusArgs } from './status/usage.ts';

await runCli(async () => {
  const options = parseStatusArgs(process.argv.slice(2));
  if (!options) return EXIT.OK;
  const { statusMain } = await import('./status/main.ts');
  return statusMain(options);
});
