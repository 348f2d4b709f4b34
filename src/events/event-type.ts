import { InvalidEventTypeError } from '../errors.js';

/** Longest event type accepted, in characters (DESIGN §2). */
export const MAX_EVENT_TYPE_LENGTH = 255;

const EVENT_TYPE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Whether `value` is a valid dotted event type such as `validation.phase.completed`. */
export function isEventType(value: string): boolean {
  return value.length <= MAX_EVENT_TYPE_LENGTH && EVENT_TYPE.test(value);
}

/**
 * Throws {@link InvalidEventTypeError} unless `value` is a valid event type, saying what is wrong.
 */
export function assertEventType(value: string): void {
  if (isEventType(value)) return;
  throw new InvalidEventTypeError(value, eventTypeProblem(value));
}

function eventTypeProblem(value: string): string {
  if (value.length === 0) return 'it is empty';
  if (value.length > MAX_EVENT_TYPE_LENGTH) return `it is ${value.length} characters long; at most ${MAX_EVENT_TYPE_LENGTH} are allowed`;
  const segments = value.split('.');
  const empty = segments.findIndex((s) => s.length === 0);
  if (empty !== -1) return 'it has an empty segment (a leading, trailing or doubled dot)';
  const bad = segments.find((s) => !/^[A-Za-z0-9_-]+$/.test(s)) ?? '';
  if (/[*+]/.test(bad)) return `segment ${JSON.stringify(bad)} has a wildcard; wildcards belong in subscription patterns, not in event types`;
  return `segment ${JSON.stringify(bad)} may only hold letters, digits, '_' and '-'`;
}
