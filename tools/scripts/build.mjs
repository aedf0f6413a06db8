// Builds every deployable service and dev tool with the Nest CLI (webpack, one bundle each):
// dist/apps/<service>/main.js and dist/tools/<tool>/main.js.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = [
  'channel-config',
  'outbound-pager',
  'inbound-webhook',
  'pagerduty-simulator',
  'incident-simulator',
];
const only = process.argv.slice(2);
const selected = only.length > 0 ? projects.filter((p) => only.includes(p)) : projects;
const started = Date.now();
for (const project of selected) {
  const t0 = Date.now();
  process.stdout.write(`build: ${project} … `);
  const result = spawnSync('npx', ['nest', 'build', project], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    process.stdout.write('FAILED\n');
    process.stderr.write(result.stdout + result.stderr);
    process.exit(1);
  }
  process.stdout.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
const missing = selected
  .map((p) => (projects.indexOf(p) < 3 ? `dist/apps/${p}/main.js` : `dist/tools/${p}/main.js`))
  .filter((f) => !existsSync(f));
if (missing.length > 0) {
  process.stderr.write(`build: expected outputs missing: ${missing.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(`build: ${selected.length} project(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
