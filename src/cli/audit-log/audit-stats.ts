import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { escapeControls } from '../terminal-text.js';
import { addDbOption, labelOf, openStore, type DbFlags } from './audit-store-flag.js';

/** `dotbus audit stats`. */
export function registerStats(audit: Command, io: CliIO): void {
  const cmd = audit.command('stats').description('records, time span, counts by type family, gaps, size on disk');
  addDbOption(cmd).action((flags: DbFlags) => runStats(flags, io));
}

async function runStats(flags: DbFlags, io: CliIO): Promise<void> {
  const store = await openStore(flags, true);
  try {
    const s = await store.stats();
    const time = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString());
    const lines = [
      `log        ${labelOf(flags.db)}`,
      `records    ${s.records} (positions ${s.firstPosition}–${s.lastPosition}): ${s.byKind.event} event(s), ${s.byKind.raw} raw, ${s.byKind.gap} gap(s)`,
      `span       ${time(s.firstTime)} → ${time(s.lastTime)}`,
      `lost       ${s.lost} event(s) in ${s.byKind.gap} gap(s)`,
      `checkpoints ${s.checkpoints}`,
      `size       ${(s.sizeBytes / 1024 / 1024).toFixed(2)} MiB`,
      'by family:',
      ...Object.entries(s.byFamily)
        .sort((a, b) => b[1] - a[1])
        .map(([family, n]) => `  ${family.padEnd(30)} ${n}`),
    ];
    io.stdout.write(`${lines.map(escapeControls).join('\n')}\n`);
  } finally {
    await store.close();
  }
}
