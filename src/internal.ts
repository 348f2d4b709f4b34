/**
 * Plumbing that dotbus's own subpaths (`dotbus/redis`, `dotbus/monitoring`, the CLI, …) share but
 * applications never import. Not listed in `package.json#exports`, so it is no part of the public
 * API and may change in any release; subpaths import core through `./index.js` or this file only.
 */

// Events
export { assertEventType } from './events/event-type.js';
export { FrozenDate } from './events/freeze.js';
export { dataSchemaUri, DATA_SCHEMA_PREFIX } from './events/data-schema.js';
export { majorOf } from './events/version.js';
export { checkNamespace, DEFAULT_NAMESPACE } from './namespace.js';
export { asReplayOf } from './events/event-record.js';
export { sensitivePathsOf } from './events/mask-event.js';
export { maskPaths, sensitivePathsOfDefinition } from './events/sensitive.js';
export type { SensitivePaths } from './events/sensitive.js';

// Defaults
export { DEFAULT_SOURCE } from './events/define-event.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './codec/wire.js';
export { MAX_PRODUCER_ID_LENGTH } from './codec/attributes.js';

// Codec
export { parseUntrustedJson, strictUtf8 } from './codec/safe-json.js';
export { producerIdIssue } from './codec/attributes.js';
export { formatIsoTime } from './codec/iso-time.js';
export { BATCH_CONTENT_TYPE, DEFAULT_MAX_BATCH_EVENTS, encodeBatch, isBatch, parseWholeBatch, splitBatch } from './codec/batch.js';
export type { BatchLimits, BatchSplit } from './codec/batch.js';

// Retries
export { fullJitterDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';

// Receipts and observers
export { RECEIPT, RECEIPT_PROMISE } from './transport.js';
export { NOOP_OBSERVER } from './observer.js';
export { warnOnError } from './frontends/system-reporter.js';

// Errors (applications see them as types and recognise them by `code`)
export {
  BufferFullError,
  ConnectionError,
  DecodeError,
  DotbusError,
  HandlerError,
  InvalidEventError,
  InvalidEventTypeError,
  InvalidOptionError,
  InvalidPatternError,
  PublishError,
  SignatureError,
  TransportClosedError,
  UnknownEventTypeError,
  describe as describeError,
} from './errors.js';
export { quote } from './errors.js';

// The local half of every transport
export { LocalDispatcher } from './transports/local-dispatcher.js';
export type { LocalDispatcherOptions } from './transports/local-dispatcher.js';
export { SubscriptionTable, TableSubscription } from './transports/subscription-table.js';
export type { PatternHooks } from './transports/subscription-table.js';
export { DropCounters } from './transports/drop-counters.js';
export { linkAbort } from './transports/abort-link.js';
export { RingBuffer } from './transports/ring-buffer.js';
export { NoopTransport } from './transports/noop.js';
