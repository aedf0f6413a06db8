#!/usr/bin/env node
// node bench/profile-summary.mjs <file.cpuprofile> [top=25]
// Summarises a V8 CPU profile written by `npm run bench -- --profile=…`: self time by package
// (node_modules/<pkg>, node: internals, the service's own bundle, GC, idle) and the functions
// with the most self time, and the most total time among the service's own frames.
import fs from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the samples and their time deltas (µs).
const self = new Map();
profile.samples.forEach((id, i) =>
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);
const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
// Percentages are of the busy time: the samples where the process was not idle.
const idleUs = [...self]
  .filter(([id]) => nodes.get(id).callFrame.functionName === '(idle)')
  .reduce((a, [, us]) => a + us, 0);
const busyUs = totalUs - idleUs;

function where(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'program (native, unattributed)';
    return `native ${functionName}`;
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:'))
    return url.split('/')[0].replace(/^node:internal.*/, 'node internals');
  if (url.includes('/dist/')) return 'the service bundle (dist)';
  return url;
}

const byPackage = new Map();
const byFunction = new Map();
for (const [id, us] of self) {
  const { callFrame } = nodes.get(id);
  const pkg = where(callFrame);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const name = `${callFrame.functionName || '(anonymous)'} ${pkg === 'the service bundle (dist)' ? `dist:${callFrame.lineNumber + 1}` : pkg}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}

// Inclusive time of frames whose names hint at the hot path, counted once per sample stack.
const inclusive = new Map();
profile.samples.forEach((id, i) => {
  if (nodes.get(id).callFrame.functionName === '(idle)') return;
  const seen = new Set();
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const f = nodes.get(n).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${where(f)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
});

const pct = (us) => `${((100 * us) / busyUs).toFixed(1).padStart(5)} %`;
const print = (title, map, n) => {
  console.log(`\n${title}`);
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .forEach(([k, us]) => console.log(`${pct(us)}  ${k}`));
};
console.log(
  `${file}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${(busyUs / 1e6).toFixed(1)} s busy (percentages are of the busy time)`,
);
print('self time by package', byPackage, 20);
print('self time by function', byFunction, top);
print('total (inclusive) time by function', inclusive, top);
