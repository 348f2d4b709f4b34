/** Deeply read-only view of a value: what every event payload is typed as. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends readonly (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends Date
      ? Readonly<Date>
      : T extends object
        ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
        : T;

/** W3C Trace Context carried by an event (`traceparent`, optional `tracestate`). */
export interface TraceContext {
  /** W3C `traceparent`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  readonly traceparent: string;
  /** W3C `tracestate`, vendor-specific key/value list. */
  readonly tracestate?: string;
}

/**
 * An immutable, typed event: envelope fields plus the typed `data` of its definition.
 *
 * @remarks Spec: `IEvent`. The payload sits under `data` (not flattened next to the envelope) so
 * that a payload field can never collide with an envelope field, and so that it maps one to one on
 * the CloudEvents `data` member. Instances are frozen, `timestamp` included.
 */
export interface BusEvent<T extends string = string, D = unknown> {
  /** Unique id (UUID v4). Consumers use it for idempotency. */
  readonly eventId: string;
  /** Dotted event type, e.g. `validation.phase.completed`. */
  readonly eventType: T;
  /** When the event was created (millisecond precision, frozen: its setters throw). */
  readonly timestamp: Date;
  /** Semantic version of the definition the data conforms to, e.g. `1.2.0`. */
  readonly version: string;
  /** Who produced the event: a URI reference such as `/orders-service`. */
  readonly source: string;
  /** W3C trace context, when the event was produced inside a trace. */
  readonly trace?: TraceContext;
  /**
   * On a replayed event only: the id of the recorded event it replays (CloudEvents extension
   * `replayof`). A replay gets an id of its own, so consumers and recorders can tell it from live traffic.
   */
  readonly replayOf?: string;
  /** The typed payload. */
  readonly data: DeepReadonly<D>;
}

/** Envelope fields a caller may set when creating an event; the rest are filled in. */
export interface EventMeta {
  /** @default a new UUID v4 */
  readonly eventId?: string;
  /** @default now */
  readonly timestamp?: Date;
  /** @default the producing publisher's source, or `/dotbus` */
  readonly source?: string;
  /** @default none */
  readonly trace?: TraceContext;
}

/** Any event, whatever its type and data. */
export type AnyBusEvent = BusEvent<string, unknown>;

/**
 * An event received without a definition to type it: any type, `data` is `unknown`. What
 * `subscribeUntyped` handlers get; narrow `data` yourself before using it.
 */
export type UntypedEvent = BusEvent<string, unknown>;
