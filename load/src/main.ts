import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { runLoad, type Progress } from './generator.js';
import { parseDuration, parseRate, parseUsers } from './options.js';
import { renderHtml, formatTable } from './render.js';
import { buildReport } from './stats.js';

const program = new Command('load')
  .description('Loads the mall at a fixed arrival rate and reports latency per mall version and per user.')
  .option('--target <url>', "the mall: the local runtime's gateway or a cluster's", 'http://localhost:8080')
  .option('--users <mix>', 'who shops, by weight', parseUsers, parseUsers('guest:70,jason:15,fox:15'))
  .option('--rate <perSecond>', 'page loads per second (open model)', parseRate, 100)
  .option('--duration <time>', 'how long, e.g. 30s or 2m', parseDuration, 30_000)
  .option('--out <dir>', 'where the JSON and HTML reports go', resolve(import.meta.dirname, '../reports'))
  .action(async (opts: { target: string; users: ReturnType<typeof parseUsers>; rate: number; duration: number; out: string }) => {
    const target = opts.target.replace(/\/$/, '');
    const startedAt = new Date().toISOString();
    const runId = `load-${startedAt.replace(/[:.]/g, '-')}`;
    const live = process.stdout.isTTY;
    const tick = (p: Progress) => {
      const line = `[${(p.elapsedMs / 1000).toFixed(0)}s/${opts.duration / 1000}s] sent ${p.sent}, answered ${p.done}, errors ${p.errors}`;
      process.stdout.write(live ? `\r${line}   ` : `${line}\n`);
    };
    const { samples, elapsedMs } = await runLoad({ target, users: opts.users, rate: opts.rate, durationMs: opts.duration, runId, onTick: tick });
    if (live) process.stdout.write('\n');
    const report = buildReport(samples, { target, runId, startedAt, rate: opts.rate, durationMs: opts.duration, elapsedMs });
    await mkdir(opts.out, { recursive: true });
    const jsonPath = join(opts.out, `${runId}.json`);
    const htmlPath = join(opts.out, `${runId}.html`);
    await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(htmlPath, renderHtml(report));
    process.stdout.write(`${formatTable(report)}\n\nreport: ${htmlPath}\n        ${jsonPath}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`load: ${(error as Error).message}\n`);
  process.exit(1);
});
