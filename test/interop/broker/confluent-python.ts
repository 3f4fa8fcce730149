/**
 * PyPI's `confluent-kafka` (its wheels bundle a librdkafka far newer than Debian's 2.0.2) in a venv
 * of the Debian Python, created once under `~/.cache/tributary-interop` (or `$TRIB_INTEROP_CACHE`)
 * and reused by every test that needs it. Needs `python3-venv` (Debian) and PyPI.
 *
 * @example
 * const py = confluentPython();
 * run(py, [join(SCRIPTS, 'kill-loop-producer.py'), server.bootstrap]);
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './trib-serve.ts';

/** The confluent-kafka release the tests are written against (librdkafka 2.16.0 inside). */
export const CONFLUENT_KAFKA_VERSION = '2.16.1';

/** Where the Python scripts of the interop suite are. */
export const PYTHON_SCRIPTS = join(import.meta.dirname, 'python');

const CACHE = process.env.TRIB_INTEROP_CACHE ?? join(homedir(), '.cache', 'tributary-interop');

/** The venv's python, with confluent-kafka installed; creates the venv on first use. */
export function confluentPython(): string {
  const venv = join(CACHE, `venv-confluent-kafka-${CONFLUENT_KAFKA_VERSION}`);
  const python = join(venv, 'bin', 'python');
  const ready = () =>
    existsSync(python) && spawnSync(python, ['-c', 'import confluent_kafka'], { encoding: 'utf8' }).status === 0;
  if (ready()) return python;
  rmSync(venv, { recursive: true, force: true });
  const base = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  run(base, ['-m', 'venv', venv], { timeoutMs: 120_000 });
  run(
    join(venv, 'bin', 'pip'),
    ['install', '-q', '--disable-pip-version-check', `confluent-kafka==${CONFLUENT_KAFKA_VERSION}`],
    {
      timeoutMs: 600_000,
    },
  );
  if (!ready()) throw new Error(`confluent-kafka did not import from ${venv}`);
  return python;
}
