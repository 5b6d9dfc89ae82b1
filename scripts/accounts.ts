// npm run accounts -- list|add|reset-password|remove --stack NAME: see scripts/accounts/usage.ts.
// The AWS SDK loads only after the arguments are read, so --help and usage errors answer at once.
import { EXIT, runCli } from './lib/cli.ts';
import { parseAccountsArgs } from './accounts/usage.ts';

await runCli(async () => {
  const options = parseAccountsArgs(process.argv.slice(2));
  if (!options) return EXIT.OK;
  const { accountsMain } = await import('./accounts/main.ts');
  return accountsMain(options);
});
