import type { RedisPubSubOptions } from './pubsub-options.js';
import { RedisPubSubTransport } from './pubsub-transport.js';

/**
 * Creates a {@link RedisPubSubTransport}; shorthand for `new RedisPubSubTransport(options)`.
 *
 * @example
 * ```ts
 * const bus = createBus({ events, transport: redisPubSub({ connection: { url: 'redis://127.0.0.1:6379' }, namespace: 'shop' }) });
 * ```
 */
export function redisPubSub(options: RedisPubSubOptions = {}): RedisPubSubTransport {
  return new RedisPubSubTransport(options);
}
