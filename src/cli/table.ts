import type { CliIO } from './io.js';

/** One column of a {@link renderTable}. */
export interface Column {
  readonly header: string;
  /** Numbers read best right-aligned. @default 'left' */
  readonly align?: 'left' | 'right';
}

/**
 * Renders rows as an aligned text table with a bold header and a rule under it.
 *
 * @remarks Widths are measured before colouring, so escape codes never shift the columns.
 */
export function renderTable(io: CliIO, columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  // The last left-aligned column is not padded, so lines carry no trailing blanks.
  const pad = (text: string, i: number): string =>
    columns[i]!.align === 'right' ? text.padStart(widths[i]!) : i === columns.length - 1 ? text : text.padEnd(widths[i]!);
  const header = columns.map((c, i) => io.paint('bold', pad(c.header, i))).join('  ');
  const rule = io.paint('dim', widths.map((w) => '─'.repeat(w)).join('  '));
  const body = rows.map((r) => columns.map((_, i) => pad(r[i] ?? '', i)).join('  ').trimEnd());
  return [`  ${header}`, `  ${rule}`, ...body.map((line) => `  ${line}`)].join('\n');
}
