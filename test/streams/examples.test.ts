import { execFileSync } from 'node:child_process';
import { Serdes } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';
import { describe, expect, it } from 'vitest';
import { plainCount, wordCountTopology } from '../../examples/wordcount/wordcount.ts';

describe('examples/wordcount', () => {
  it('should agree with a plain count on the test driver, with two partitions', () => {
    const driver = new TopologyTestDriver(wordCountTopology(), { partitions: 2 });
    const lines = driver.createInputTopic('text-lines', Serdes.String(), Serdes.String());
    const counts = driver.createOutputTopic('word-counts', Serdes.String(), Serdes.LongNumber());
    const text = [
      'It is a truth universally acknowledged,',
      'that a single man in possession of a good fortune,',
      'must be in want of a wife.',
    ];
    for (const line of text) lines.pipeInput(null, line);
    expect(counts.readKeyValuesToMap()).toEqual(plainCount(text));
    driver.close();
  });

  it('should count the bundled text and agree with a plain count', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/wordcount/main.ts', '2'], {
      encoding: 'utf8',
    });
    expect(out).toContain('Top 20 words of 10,860 (1,179 distinct, 2 passes over the text)');
    expect(out).toMatch(/^ 1\. the\s+358$/m);
    expect(out).toMatch(/throughput: [\d,]+ words\/s exactly-once/);
    expect(out).toContain('check: store, word-counts topic and plain count agree on every word');
  });
});

describe('examples/compacted-table', () => {
  it('should keep the latest balance per account, drop closed ones, and survive a restart', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/compacted-table/main.ts'], {
      encoding: 'utf8',
    });
    expect(out.trim().split('\n')).toEqual([
      'after updates: alice=75 carol=-5  (alice: 75, bob: null)',
      'after restart: alice=75 carol=-5  (alice: 75, bob: null)',
      'after a new account: alice=75 carol=-5 dave=10  (alice: 75, bob: null)',
    ]);
  });
});
