/**
 * Windowed WordCount on the embedded log: lines arrive over three minutes (one of them 5 s late),
 * and each word's final count per one-minute hopping window comes out once the window closes.
 *
 *   npx tsx examples/windowed-wordcount/main.ts
 */
import { Serdes, WindowedSerdes } from 'tributary';
import { runOnLog } from '../shared/run-on-log.ts';
import { WINDOW_MS, windowedWordCountTopology } from './wordcount.ts';

const lines: [number, string][] = [
  [5_000, 'the quick brown fox'],
  [25_000, 'the lazy dog'],
  [45_000, 'the fox jumps'],
  [40_000, 'late but within grace: fox'],
  [130_000, 'the end'],
  // A line far ahead moves stream time on, so every window above has closed.
  [400_000, 'flush'],
];

const results = await runOnLog(
  'windowed-wordcount',
  windowedWordCountTopology(),
  // One partition: suppression closes windows by each task's stream time, which only that task's records advance.
  1,
  [{ topic: 'text-lines', keySerde: Serdes.String(), valueSerde: Serdes.String() }],
  lines.map(([timestamp, line]) => ({ topic: 'text-lines', key: null, value: line, timestamp })),
  [
    {
      topic: 'windowed-word-counts',
      keySerde: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), WINDOW_MS),
      valueSerde: Serdes.LongNumber(),
    },
  ],
);
const rows = (results.get('windowed-word-counts') ?? []).map((r) => {
  const w = r.key as { key: string; window: { start: number; end: number } };
  return { word: w.key, start: w.window.start, end: w.window.end, count: r.value as number };
});
rows.sort((a, b) => a.start - b.start || (a.word < b.word ? -1 : 1));
for (const r of rows.filter((r) => ['fox', 'the'].includes(r.word)))
  console.log(
    `${r.word.padEnd(4)} [${String(r.start / 1000).padStart(3)} s, ${String(r.end / 1000).padStart(3)} s) ${r.count}`,
  );
const once = new Set(rows.map((r) => `${r.word}@${r.start}`)).size === rows.length;
console.log(`${rows.length} final counts, ${once ? 'one per word and window' : 'DUPLICATES'}`);
