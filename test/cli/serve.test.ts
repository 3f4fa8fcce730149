import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from '../broker/raw-client.ts';
import { nodeArgs } from '../setup/node-args.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** The launcher `npm run trib` runs (tsx over the sources); the argument checks run the bundle. */
const LAUNCHER = join(ROOT, 'src/cli/trib.mjs');
const TRIB = nodeArgs(join(ROOT, 'src/cli/trib.ts'));

describe('trib serve', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trib-serve-cli-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('should print help, and refuse bad arguments with one line and exit 2', { timeout: 90_000 }, () => {
    const help = spawnSync(process.execPath, [...TRIB, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--advertised-listener');
    const bad = spawnSync(process.execPath, [...TRIB, 'serve', '--port', '70000'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const unknownSetting = spawnSync(process.execPath, [...TRIB, 'serve', '--config', 'log.no.such=1'], {
      encoding: 'utf8',
    });
    expect(unknownSetting.status).toBe(2);
    expect(unknownSetting.stderr).toContain('log.no.such is not a broker setting for topic configs');
    expect(spawnSync(process.execPath, [...TRIB, '--help'], { encoding: 'utf8' }).stdout).toMatch(
      /serve\s+run a Kafka broker/,
    );
  });

  it('should log one line per listener, serve Kafka clients and the registry, and stop cleanly on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    const child = spawn(
      process.execPath,
      [
        LAUNCHER,
        'serve',
        '--data-dir',
        dataDir,
        '--port',
        '0',
        '--registry-port',
        '0',
        '--advertised-listener',
        'localhost:1',
        '--config',
        'log.retention.hours=2',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    while (!/Schema registry listening on (\S+)/.test(stdout)) await once(child.stdout, 'data');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Kafka broker listening on 127\.0\.0\.1:\d+ \(advertised as localhost:1\)$/);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(lines[0]!)![1]);
    const registry = /Schema registry listening on (\S+)/.exec(stdout)![1]!;
    expect(await (await fetch(`${registry}/subjects`)).json()).toEqual([]);

    // Metadata tells clients the advertised listener (a real client would then connect there).
    const client = await RawClient.connect(port);
    const created = await client.request(API.CreateTopics, 4, {
      topics: [{ name: 'cli', numPartitions: 2, replicationFactor: 1 }],
      timeoutMs: 1000,
    });
    const metadata = await client.request(API.Metadata, 4, {
      topics: [{ name: 'cli' }],
      allowAutoTopicCreation: false,
    });
    // The topic takes the broker's default retention, told as a static broker config (source 4).
    const described = await client.request(API.DescribeConfigs, 4, {
      resources: [{ resourceType: 2, resourceName: 'cli', configurationKeys: ['retention.ms'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    client.close();
    expect(described.results[0]!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
      ['retention.ms', '7200000', 4],
    ]);
    expect(created.topics[0]!.errorCode).toBe(0);
    expect(metadata.brokers).toEqual([{ nodeId: 1, host: 'localhost', port: 1, rack: null }]);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stdout).toContain('Stopped on SIGTERM');
    // Closed cleanly: the data directory opens in this process, with the topic.
    const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
    expect(log.partitionCount('cli')).toBe(2);
    await log.close();
  });
});
