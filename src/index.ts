/**
 * dotbus: fully typed, distributed events for TypeScript.
 *
 * The core entry: events, codec, patterns, interfaces, NoOp and InMemory. Redis lives in
 * `dotbus/redis`, monitoring in `dotbus/monitoring`; importing this entry loads neither.
 */

// Events
export { defineEvent } from './events/define-event.js';
export type {
  AnyEventDefinition,
  EventDefinition,
  EventDefinitionBase,
  EventDefinitionOptions,
  EventOfDefinition,
  EventsOf,
  FamilyFactory,
  SingleTypeFactory,
  Upcaster,
} from './events/define-event.js';
export type { AnyBusEvent, BusEvent, DeepReadonly, EventMeta, TraceContext } from './events/bus-event.js';
export { isUntyped } from './events/event-record.js';
export { maskEvent } from './events/mask-event.js';
export { SENSITIVE_MASK } from './events/sensitive.js';
export type { SensitivePath } from './events/sensitive.js';
export type { UntypedEvent } from './events/bus-event.js';
export { EventRegistry } from './events/registry.js';
export { isEventType, MAX_EVENT_TYPE_LENGTH } from './events/event-type.js';
export type { FrozenDate } from './events/freeze.js';
export { Type } from '@sinclair/typebox';
export type { Static, TSchema } from '@sinclair/typebox';

// Built-in events
export { BUILT_IN_EVENTS } from './events/builtin/index.js';
export type { BuiltInEvent } from './events/builtin/index.js';
export { PerformanceEvent, WorkStatusSchema } from './events/builtin/performance-event.js';
export { ValidationEvent, FieldErrorSchema, ValidationStatusSchema } from './events/builtin/validation-event.js';
export type { FieldError } from './events/builtin/validation-event.js';
export { SystemHealthEvent, SystemErrorEvent } from './events/builtin/system-events.js';
export { AlertEvent } from './events/builtin/alert-event.js';
export { MetricsWindowEvent } from './events/builtin/metrics-window-event.js';
export { FieldPath, FieldPathSchema } from './events/builtin/field-path.js';
export type { FieldPathSegment } from './events/builtin/field-path.js';
export { ResourceUsageSchema } from './events/builtin/resource-usage.js';
export type { ResourceUsage } from './events/builtin/resource-usage.js';

// Codec
export { JsonCodec } from './codec/json-codec.js';
export type { DecodeResult, Decoded, JsonCodecOptions } from './codec/json-codec.js';
export type { ProducerStamp, WireMessage } from './codec/wire.js';

// Signed events
export { EventSecurity, SIGNATURE_ATTRIBUTE, KEY_ID_ATTRIBUTE } from './security/event-security.js';
export type { EventSecurityOptions, SecurityStats, VerifyOutcome } from './security/event-security.js';
export type { ReplayGuardStats } from './security/replay-guard.js';
export { canonicalJson } from './security/canonical-json.js';
export { generateSigningKey, parseSigningKey, formatSigningKey } from './security/signing-key.js';
export type { SigningKey, SigningKeyFile } from './security/signing-key.js';
export { signingKeyIdOf } from './security/signed-by.js';

// Patterns
export { matchesPattern, parsePattern, isValidPattern, MAX_PATTERN_LENGTH } from './patterns/pattern.js';
export type { CompiledPattern, PatternSegment } from './patterns/pattern.js';
export { PatternIndex } from './patterns/pattern-index.js';
export type { KnownPattern, MatchingEvents, MatchingTypes, PatternMatches, ValidPattern } from './patterns/pattern-types.js';

// Interfaces
export type {
  BackpressurePolicy,
  Delivery,
  EventConsumer,
  EventHandler,
  EventProducer,
  FailureOutcome,
  PublishReceipt,
  PublishStatus,
  QueueOptions,
  SubscribeOptions,
  Subscription,
  SubscriptionId,
  Transport,
  TransportContext,
  TransportStats,
} from './transport.js';
export type { BusObserver, DropReason } from './observer.js';
export type { BusTracing, SendSpan, SendStart } from './tracing.js';
export type { EventSink, StatsSource, Subscribable } from './bus-views.js';

// Transports
export { InMemoryTransport } from './transports/in-memory.js';
export type { InMemoryTransportOptions } from './transports/in-memory.js';

// Frontends
export { createBus } from './frontends/event-bus.js';
export type { BusOptions, BusSettings, EventBus } from './frontends/event-bus.js';
export type { DataOf, EventPublisher, PublisherSettings, PublisherStats } from './frontends/event-publisher.js';
export type { EventSubscriber } from './frontends/event-subscriber.js';
export type { ErrorHook } from './frontends/system-reporter.js';

// Testing
export { EventRecorder } from './testing/event-recorder.js';

// Errors: recognise them by `code` (or `isDotbusError`), not `instanceof`, which duplicate installs break
export { isDotbusError } from './errors.js';
export type {
  BufferFullError,
  ConnectionError,
  DecodeError,
  DecodeFailure,
  DotbusError,
  DotbusErrorCode,
  HandlerError,
  InvalidEventError,
  InvalidEventTypeError,
  InvalidOptionError,
  InvalidPatternError,
  PublishError,
  SignatureError,
  SignatureFailure,
  TransportClosedError,
  UnknownEventTypeError,
  ValidationIssue,
} from './errors.js';
