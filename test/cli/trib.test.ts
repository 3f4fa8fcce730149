import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trib } from './run-trib.ts';

describe('trib', { timeout: 180_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trib-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should create, list, alter and describe topics when given --data-dir', async () => {
    const dataDir = join(dir, 'topics');
    expect(
      (
        await trib([
          'topics',
          'create',
          'orders',
          '--partitions',
          '3',
          '--config',
          'retention.ms=1000',
          '--data-dir',
          dataDir,
        ])
      ).code,
    ).toBe(0);
    expect(
      (await trib(['topics', 'alter', 'orders', '--config', 'cleanup.policy=compact', '--data-dir', dataDir])).code,
    ).toBe(0);
    const listed = await trib(['topics', 'list'], { env: { TRIBUTARY_DATA_DIR: dataDir } });
    expect(listed.stdout).toBe('orders\n');
    const described = await trib(['topics', 'describe', 'orders', '--data-dir', dataDir]);
    expect(described.stdout).toContain('Partitions: 3');
    expect(described.stdout).toContain('retention.ms=1000 (set on topic)');
    expect(described.stdout).toContain('cleanup.policy=compact (set on topic)');
    const shrink = await trib([
      'topics',
      'alter',
      'orders',
      '--partitions',
      '2',
      '--config',
      'retention.ms=5',
      '--data-dir',
      dataDir,
    ]);
    expect(shrink.code).not.toBe(0);
    expect(shrink.stderr).toContain('has 3 partitions');
    expect((await trib(['topics', 'alter', 'orders', '--partitions', '5', '--data-dir', dataDir])).code).toBe(0);
    const grown = await trib(['topics', 'describe', 'orders', '--data-dir', dataDir]);
    expect(grown.stdout).toContain('Partitions: 5');
    // The refused alter changed nothing, its config included.
    expect(grown.stdout).toContain('retention.ms=1000 (set on topic)');
    expect((await trib(['topics', 'delete', 'orders', '--data-dir', dataDir])).code).toBe(0);
  });

  it('should produce stdin lines and consume them in kcat format when keys and headers are given', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'flow') };
    await trib(['topics', 'create', 'words', '-p', '1'], { env });
    const produced = await trib(['produce', 'words', '--key-separator', ':', '--header', 'src=cli'], {
      env,
      input: 'k1:hello\nk2:world\n',
    });
    expect(produced.code).toBe(0);
    const consumed = await trib(
      [
        'consume',
        'words',
        '--from-beginning',
        '--group',
        'g',
        '--max-messages',
        '2',
        '--format',
        '%k=%v p%p o%o %h\\n',
      ],
      { env },
    );
    expect(consumed.stdout).toBe('k1=hello p0 o0 src=cli\nk2=world p0 o1 src=cli\n');
    const group = await trib(['groups', 'describe', 'g'], { env });
    expect(group.stdout).toContain('words\t0\t2\t2\t0');
    expect((await trib(['groups', 'list'], { env })).stdout).toBe('g\n');
    expect((await trib(['groups', 'reset', 'g', '--topic', 'words', '--to-earliest', '--execute'], { env })).code).toBe(
      0,
    );
    const again = await trib(['consume', 'words', '-g', 'g', '-e', '-f', '%v\\n'], { env });
    expect(again.stdout).toBe('hello\nworld\n');
  });

  it('should print help with exit 0 when --help is given to any command', async () => {
    for (const args of [
      ['--help'],
      ['topics', '--help'],
      ['topics', 'create', '--help'],
      ['produce', '--help'],
      ['consume', '--help'],
      ['groups', 'reset', '--help'],
    ]) {
      const result = await trib(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: trib/);
    }
  });

  it('should print one line on stderr and exit non-zero when arguments are bad', async () => {
    const env = { TRIBUTARY_DATA_DIR: join(dir, 'bad') };
    for (const args of [
      ['nope'],
      ['topics', 'create'],
      ['consume', 'x', '--bogus'],
      ['consume', 'x', '--format', '%q'],
      ['produce', 'missing'],
      ['groups', 'reset', 'g', '--topic', 't'],
    ]) {
      const result = await trib(args, { env });
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(/^trib: /);
    }
  });
});
