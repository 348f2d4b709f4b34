import type { Attributes, Histogram, MeterProvider } from '@opentelemetry/api';
import { ATTR_DESTINATION_NAME, ATTR_ERROR_TYPE, errorType, SCHEMA_URL } from './semconv.js';

/**
 * Bucket bounds the messaging conventions advise for their duration histograms, in seconds:
 * dotbus handlers and sends mostly take microseconds to milliseconds.
 */
const BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * The two duration histograms of the messaging conventions a tracing bus records:
 * `messaging.process.duration` (each handler call) and `messaging.client.operation.duration`
 * (each send), in seconds, with the span's low-cardinality attributes (never the message id).
 */
export class MessagingDurations {
  readonly #process: Histogram;
  readonly #send: Histogram;

  constructor(provider: MeterProvider) {
    const meter = provider.getMeter('dotbus', undefined, { schemaUrl: SCHEMA_URL });
    this.#process = meter.createHistogram('messaging.process.duration', {
      unit: 's',
      description: 'Duration of processing operation.',
      advice: { explicitBucketBoundaries: BOUNDARIES },
    });
    this.#send = meter.createHistogram('messaging.client.operation.duration', {
      unit: 's',
      description: 'Duration of messaging operation initiated by a producer or consumer client.',
      advice: { explicitBucketBoundaries: BOUNDARIES },
    });
  }

  /** One handler call of `pattern` for an event of `eventType`, started at `startedMs` (`performance.now()`). */
  processed(eventType: string, pattern: string, startedMs: number, error?: unknown): void {
    const attributes: Attributes = {
      'messaging.system': 'dotbus',
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.destination.name': eventType,
      'messaging.destination.template': pattern,
    };
    if (error !== undefined) attributes[ATTR_ERROR_TYPE] = errorType(error);
    this.#process.record((performance.now() - startedMs) / 1000, attributes);
  }

  /** One send of events of `eventType` (`undefined` for a mixed batch), started at `startedMs`. */
  sent(eventType: string | undefined, startedMs: number, error?: unknown): void {
    const attributes: Attributes = { 'messaging.system': 'dotbus', 'messaging.operation.name': 'send', 'messaging.operation.type': 'send' };
    if (eventType !== undefined) attributes[ATTR_DESTINATION_NAME] = eventType;
    if (error !== undefined) attributes[ATTR_ERROR_TYPE] = errorType(error);
    this.#send.record((performance.now() - startedMs) / 1000, attributes);
  }
}
