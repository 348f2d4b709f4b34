import { readFile } from 'node:fs/promises';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec, type AnyBusEvent } from '../index.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { shortened } from './terminal-text.js';

/**
 * The events of a file of CloudEvents JSON, one per line (what `dotbus tail --format json` and
 * `replay --format json` print), decoded as the bus decodes them: built-in types checked, other
 * types untyped. Blank lines are skipped.
 * @throws {@link CliError} (exit 2) naming the line and what is wrong with it.
 */
export async function readEventFile(path: string): Promise<AnyBusEvent[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`--events: cannot read ${JSON.stringify(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT_USAGE);
  }
  const codec = new JsonCodec(new EventRegistry(BUILT_IN_EVENTS), { untyped: true });
  const events: AnyBusEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const decoded = codec.decode(line);
    if (!decoded.ok) {
      const issue = decoded.error.issues[0];
      const where = issue === undefined ? '' : ` (data${issue.path === '' ? '' : issue.path}: ${issue.message}${decoded.error.issues.length > 1 ? `; +${decoded.error.issues.length - 1} more` : ''})`;
      throw new CliError(`${path}:${i + 1}: ${shortened(decoded.error.message + where, 300)}`, EXIT_USAGE);
    }
    events.push(decoded.event);
  }
  return events;
}
