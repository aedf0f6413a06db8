// The results table: on the terminal, in bench/results/latest.json and in bench/RESULTS.md.
import fs from 'node:fs';
import os from 'node:os';

/** A number as a table cell: integers above 100, one decimal above 10, else two. */
export function fmt(value) {
  if (value === undefined || value === null) return '—';
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const verdict = (met) => (met === true ? 'met' : met === false ? 'SHORT' : '');

export function rows(figures) {
  return figures.map((f) => [
    f.bench,
    f.name,
    fmt(f.project),
    fmt(f.baseline),
    typeof f.ratio === 'number' && Number.isFinite(f.ratio) ? `${f.ratio.toFixed(2)}×` : '—',
    f.goal ?? '',
    verdict(f.met),
  ]);
}

const HEAD = ['bench', 'figure', 'project', 'baseline', 'ratio', 'goal', 'met/short'];

export function textTable(figures) {
  const all = [HEAD, ...rows(figures)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((cell, i) =>
        i >= 2 && i <= 4 ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i]),
      )
      .join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join(
    '\n',
  );
}

export function markdownTable(figures) {
  const esc = (cell) => String(cell).replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    '|---|---|--:|--:|--:|---|---|',
    ...rows(figures).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function machine(extra = {}) {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model?.trim(),
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    ...extra,
  };
}

const KEEP_MARKER =
  '<!-- Everything below this line is kept when the bench rewrites this file. -->';

/** Writes RESULTS.md: generated head (machine, date, parameters, table), hand-written tail kept. */
export async function writeResultsMd(
  file,
  { figures, machineInfo, date, params, notes, durationS },
) {
  let kept = `\n## Findings\n\n(Hand-written analysis of the last full run goes here.)\n`;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf(KEEP_MARKER);
    if (at >= 0) kept = text.slice(at + KEEP_MARKER.length);
  }
  const lines = [
    '# Bench results (last full run)',
    '',
    'Written by `npm run bench` (see [README.md](README.md)); every figure was measured in one run,',
    'with each baseline run beside the service on the same machine, one after the other.',
    '',
    `- date: ${date}`,
    `- machine: ${machineInfo.cores} cores (${machineInfo.cpu}), ${machineInfo.memoryGiB} GiB memory, ${machineInfo.os}`,
    `- Node ${machineInfo.node}, ${machineInfo.postgres ?? 'PostgreSQL'}, Kafka ${machineInfo.kafka ?? ''}`,
    `- run time: ${Math.round(durationS)} s`,
    `- cores used by other work on the machine while each bench ran (mean): ${Object.entries(
      machineInfo.otherLoad ?? {},
    )
      .map(([bench, cores]) => `${bench} ${cores}`)
      .join(', ')}`,
    `- parameters: ${Object.entries(params)
      .map(([bench, p]) => `${bench} ${JSON.stringify(p)}`)
      .join('; ')}`,
    '',
    markdownTable(figures),
    '',
    ...(notes.length > 0 ? ['Notes from this run:', '', ...notes.map((n) => `- ${n}`), ''] : []),
    KEEP_MARKER,
  ];
  // Formatted as the repository's prettier config wants it, so `npm run format:check` stays green.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  const text = await prettier.format(`${lines.join('\n')}${kept}`, {
    ...options,
    parser: 'markdown',
  });
  fs.writeFileSync(file, text);
}
