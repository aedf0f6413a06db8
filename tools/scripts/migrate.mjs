// `npm run migrate`: applies every service's pending migrations (each under its advisory lock)
// with the environment as given (DATABASE_URL, …), after `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

for (const service of ['channel-config', 'inbound-webhook', 'outbound-pager']) {
  const entry = `dist/apps/${service}/main.js`;
  if (!existsSync(entry)) {
    process.stderr.write(`migrate: ${entry} is missing; run \`npm run build\` first\n`);
    process.exit(1);
  }
  const result = spawnSync(process.execPath, [entry, 'migrate'], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`migrate: ${service} failed (exit ${result.status})\n`);
    process.exit(result.status ?? 1);
  }
}
