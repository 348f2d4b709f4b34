import { formatIsoTime } from '../internal.js';
import type { AlertChange } from '../monitoring/index.js';
import { jsonLine } from './terminal-text.js';

/**
 * One alert change as `dotbus alerts test` and `alerts run` print it, one JSON object per line:
 * `{"rule":"stuck","state":"firing","at":"2024-05-01T12:00:30.000Z","labels":{"contextId":"c-1"},"value":null}`.
 * `at` is event time; `labels` name each `groupBy` / `correlate` path by its last segment.
 */
export function alertLine(change: AlertChange): string {
  return jsonLine({ rule: change.rule, state: change.state, at: formatIsoTime(change.at), labels: change.labels, value: change.value });
}
