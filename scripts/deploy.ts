// npm run deploy -- --stack NAME: see scripts/deploy/main.ts.
import { runCli } from './lib/cli.ts';
import { deployMain } from './deploy/main.ts';

await runCli(() => deployMain(process.argv.slice(2)));
