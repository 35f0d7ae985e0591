import { performance } from 'node:perf_hooks';

/** Extra fields of a figure: what was measured and under which conditions. */
export type FigureContext = Record<string, string | number | boolean>;

/**
 * Prints one figure as one JSON line on stdout. Stdout carries nothing else, so `npm run bench > figures.jsonl`
 * yields a file of figures; progress goes to stderr.
 */
export function emit(name: string, value: number, unit: string, context: FigureContext = {}): void {
  if (!process.stdout.writable) return;
  process.stdout.write(`${JSON.stringify({ name, value: roundFigure(value), unit, ...context })}\n`);
}

/** Progress and diagnostics, never mixed with the figures. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Whole numbers for large figures, four significant digits for small ones (latencies in ms). */
export function roundFigure(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(4));
}

export const now = (): number => performance.now();

/** Items per second over an elapsed time in milliseconds. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

/** Nearest-rank percentile of samples sorted ascending; `p` in (0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, sample) => sum + sample, 0);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
  };
}

/** Runs `concurrency` workers side by side and waits for all of them. */
export async function runWorkers(concurrency: number, worker: (index: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
}

/**
 * Pulls work items 0..count-1 with `concurrency` in flight, until all are done or the deadline passes; returns how
 * many were completed and how long it took.
 */
export async function runQueue(
  count: number,
  concurrency: number,
  deadlineMs: number,
  task: (item: number) => Promise<void>,
): Promise<{ completed: number; elapsedMs: number }> {
  let next = 0;
  let completed = 0;
  const started = now();
  const deadline = started + deadlineMs;
  await runWorkers(concurrency, async () => {
    while (next < count && now() < deadline) {
      const item = next;
      next += 1;
      await task(item);
      completed += 1;
    }
  });
  return { completed, elapsedMs: now() - started };
}

/** One measured pass: how many items it did, how long it took, and each item's (or call's) latency. */
export interface Run {
  count: number;
  elapsedMs: number;
  latencies: readonly number[];
}

/** runQueue for items that each answer their own latency: the pass as a Run. */
export async function measuredQueue(count: number, concurrency: number, deadlineMs: number, item: (index: number) => Promise<number>): Promise<Run> {
  const latencies: number[] = [];
  const run = await runQueue(count, concurrency, deadlineMs, async (index) => {
    latencies.push(await item(index));
  });
  return { count: run.completed, elapsedMs: run.elapsedMs, latencies };
}

export interface RunsSummary {
  /** Median of the runs' throughputs (items/s): robust to a run disturbed by a neighbour on a shared machine. */
  throughput: number;
  throughputMin: number;
  throughputMax: number;
  /** Items over all runs. */
  count: number;
  runs: number;
  /** Percentiles over the latencies of all runs pooled. */
  latency: LatencySummary;
}

export function summarizeRuns(runs: readonly Run[]): RunsSummary {
  const rates = runs.map((run) => perSecond(run.count, run.elapsedMs)).sort((a, b) => a - b);
  return {
    throughput: percentile(rates, 50),
    throughputMin: rates[0] ?? Number.NaN,
    throughputMax: rates.at(-1) ?? Number.NaN,
    count: runs.reduce((sum, run) => sum + run.count, 0),
    runs: runs.length,
    latency: summarize(runs.flatMap((run) => run.latencies)),
  };
}

/** `count` runs of `once`, one after another (never overlapping: each would slow the other), and their summary. */
export async function measureRuns(count: number, once: () => Promise<Run>): Promise<{ runs: Run[]; summary: RunsSummary }> {
  const runs: Run[] = [];
  for (let run = 0; run < count; run += 1) runs.push(await once());
  return { runs, summary: summarizeRuns(runs) };
}

/** Context fields describing how a median throughput was obtained. */
export function runsContext(summary: RunsSummary): FigureContext {
  return {
    runs: summary.runs,
    statistic: summary.runs > 1 ? 'median of runs' : 'single run',
    runsMin: roundFigure(summary.throughputMin),
    runsMax: roundFigure(summary.throughputMax),
  };
}
