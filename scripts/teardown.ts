// npm run teardown -- --stack NAME: see scripts/teardown/main.ts.
import { runCli } from './lib/cli.ts';
import { teardownMain } from './teardown/main.ts';

await runCli(() => teardownMain(process.argv.slice(2)));
