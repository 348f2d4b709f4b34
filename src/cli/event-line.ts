import { FieldPath, isUntyped, maskEvent, type AnyBusEvent, type BuiltInEvent, BUILT_IN_EVENTS } from '../index.js';
import type { CliIO, Style } from './io.js';
import { escapeControls, jsonLine } from './terminal-text.js';

/** How `tail` and `replay` print events. */
export type EventFormat = 'pretty' | 'json';

/** The marker of an event whose type has no definition here (its data was not validated). */
export const UNTYPED_MARKER = '[untyped]';

/**
 * Prints events in `format`: `pretty` is {@link formatEvent}; `json` is the event's CloudEvents
 * JSON on one line (see {@link jsonLine}), the same for typed and untyped events. Both show the
 * fields a definition marks sensitive as `***` ({@link maskEvent}).
 */
export function printerOf(io: CliIO, format: EventFormat): (event: AnyBusEvent) => string {
  return format === 'json' ? (event) => jsonLine(maskEvent(event)) : (event) => formatEvent(io, event);
}

/** The colour of an event's type: failures red, completions green, starts cyan. */
function typeStyle(type: string): Style {
  if (/(^|\.)(error|failed)(\.|$)/.test(type)) return 'red';
  if (/(^|\.)(completed|complete|up)$/.test(type)) return 'green';
  if (/(^|\.)(started|start)$/.test(type)) return 'cyan';
  return 'magenta';
}

/** Text of a line, plain or in a colour: every piece is escaped before it is coloured. */
type Piece = string | readonly [Style, string];

/**
 * A one-line, human-readable summary of an event for `dotbus tail --format pretty`:
 * `12:03:04.512 validation.phase.completed  demo-1a2b/ord-000007 phase=items failed 0.041 ms  items[0].quantity: 0 is not…`;
 * for an untyped event, {@link UNTYPED_MARKER}, its source and its data as received:
 * `12:03:04.512 order.placed  [untyped] /shop {"orderId":"o-1","total":42}`.
 * Whatever the event holds, a terminal shows it and acts on none of it ({@link escapeControls}).
 */
export function formatEvent(io: CliIO, event: AnyBusEvent): string {
  const pieces: Piece[] = [['dim', event.timestamp.toISOString().slice(11, 23)], ' ', [typeStyle(event.eventType), event.eventType.padEnd(30)], ' ', ...detail(event)];
  return pieces.map((p) => (typeof p === 'string' ? escapeControls(p) : io.paint(p[0], escapeControls(p[1])))).join('').trimEnd();
}

function detail(event: AnyBusEvent): Piece[] {
  if (isUntyped(event)) return [['yellow', UNTYPED_MARKER], ` ${event.source} `, ['dim', truncate(JSON.stringify(event.data), 120)]];
  const builtIn = asBuiltIn(event);
  if (builtIn === undefined) return [['dim', truncate(JSON.stringify(maskEvent(event).data), 120)]];
  switch (builtIn.eventType) {
    case 'validation.started':
    case 'validation.phase.started':
    case 'validation.phase.completed':
    case 'validation.error.occurred':
    case 'validation.completed':
    case 'validation.failed': {
      const d = builtIn.data;
      const first = d.errors[0];
      const err: Piece = first === undefined ? '' : ['red', ` ${FieldPath.format(first.fieldPath) || '(record)'}: ${first.message}${d.errors.length > 1 ? ` (+${d.errors.length - 1})` : ''}`];
      return [`${d.contextId} ${d.phase === undefined ? '' : `phase=${d.phase} `}${d.status}${d.durationMs === undefined ? '' : ` ${d.durationMs.toFixed(3)} ms`}`, err];
    }
    case 'performance.metric.recorded':
    case 'performance.phase.start':
    case 'performance.phase.complete':
    case 'performance.operation.complete': {
      const d = builtIn.data;
      const path = d.fieldPath.length === 0 ? '' : ` ${FieldPath.format(d.fieldPath)}`;
      return [`${d.contextId}${path} ${d.operation}/${d.phase} ${d.status} ${d.durationMs.toFixed(3)} ms cpu=${(d.resourceUsage.cpuUserMs + d.resourceUsage.cpuSystemMs).toFixed(2)} ms`];
    }
    case 'alert.pending':
    case 'alert.firing':
    case 'alert.resolved': {
      const d = builtIn.data;
      const colour = d.state === 'resolved' ? 'green' : d.state === 'pending' ? 'cyan' : d.severity === 'critical' ? 'red' : 'yellow';
      const labels = Object.entries(d.labels).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      return [[colour, `${d.rule} ${d.state} [${d.severity}]${labels === '' ? '' : ` {${labels}}`} ${d.message}`]];
    }
    case 'metrics.window.closed': {
      const d = builtIn.data;
      const group = Object.entries(d.group).map(([k, v]) => `${k}=${v}`).join(' ');
      const quantiles = Object.entries(d.quantiles ?? {}).map(([k, v]) => ` ${k}=${v.toPrecision(4)}`).join('');
      return [`${d.aggregation}${group === '' ? '' : ` {${group}}`} n=${d.count} rate=${d.rate.toPrecision(4)}/s${quantiles}`];
    }
    default: {
      const d = builtIn.data;
      return ['detail' in d ? `${d.component} ${d.status} ${d.detail}` : `${d.component} ${d.code} ${d.message}`];
    }
  }
}

function asBuiltIn(event: AnyBusEvent): BuiltInEvent | undefined {
  return BUILT_IN_EVENTS.some((def) => def.is(event)) ? (event as BuiltInEvent) : undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
