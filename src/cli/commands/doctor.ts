import { parseArgs } from 'node:util';
import { checkDataDir, type DoctorReport } from '../../log/doctor.ts';
import { refuseBrokers } from '../cluster.ts';
import { type CliCommand, type CliIo, UsageError, write } from '../command.ts';

const USAGE = `Usage: trib doctor [--data-dir DIR] [--repair]

Checks a closed data directory: that LevelDB opens, the journal's frames, every batch's CRC,
offset continuity where nothing was compacted or retained away, each partition's state, and the
schema registry's topic. Prints what is wrong per topic and partition; exits 1 when anything is.
Without --repair nothing in the directory changes. A directory that trib serve owns is refused
(stop it first), and so is --bootstrap-server: there are no files to check over the wire.

Options:
  --data-dir DIR   the log directory (default: $TRIBUTARY_DATA_DIR or ./.tributary)
  --repair         salvage what is intact into a consistent state, and list the offsets lost
  -h, --help       show help
`;

function render(report: DoctorReport, repair: boolean): string {
  const lines = [
    `Checked ${report.dataDir}: ${report.topics} topic(s), ${report.partitions} partition(s), ${report.batches} batch(es)`,
  ];
  for (const p of report.problems) lines.push(`  ${p.where}: ${p.message}`);
  for (const r of report.repairs) lines.push(`  repaired: ${r}`);
  for (const l of report.lost)
    lines.push(`  LOST ${l.topic}-${l.partition} offsets ${l.from} to ${l.to - 1} (${l.why})`);
  for (const [from, to] of report.unreadableFrames)
    lines.push(`  LOST journal frames ${from} to ${to}: unreadable, their contents unknown`);
  if (report.problems.length === 0) lines.push('OK: nothing is wrong');
  else if (repair) lines.push(report.ok ? 'Repaired: the directory now checks clean' : 'NOT repaired: problems remain');
  else
    lines.push(`${report.problems.length} problem(s); "trib doctor --repair" keeps what is intact (see docs/log.md)`);
  return `${lines.join('\n')}\n`;
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  'bootstrap-server': { type: 'string', short: 'b' },
  repair: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
}

/** `trib doctor`: checks (and with --repair, salvages) a closed data directory. */
export const doctorCommand: CliCommand = {
  summary: 'Check a closed data directory; --repair salvages what is intact',
  async run(args: string[], io: CliIo): Promise<number> {
    const values = parse(args);
    if (values.help) {
      await write(io.stdout, USAGE);
      return 0;
    }
    refuseBrokers(
      values,
      'doctor',
      'it checks the files of a closed data directory; run it where the log lives, with the broker stopped',
    );
    const dataDir = values['data-dir'] ?? io.env.TRIBUTARY_DATA_DIR ?? './.tributary';
    const repair = values.repair === true;
    const report = await checkDataDir(dataDir, { repair });
    await write(io.stdout, render(report, repair));
    return report.ok ? 0 : 1;
  },
};
