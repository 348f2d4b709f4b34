/**
 * Finds the Redis Streams transport: from `dotbus/redis` once it is exported there, else from the
 * built file directly (it is being written; the subpath does not export it yet).
 */
import type { Transport } from 'dotbus';

/** The options the benchmark passes (a subset of `RedisStreamsOptions`). */
export interface BenchStreamsOptions {
  readonly connection: { readonly url: string };
  readonly namespace: string;
  readonly group: string;
  readonly startFrom: 'now';
  readonly retention: { readonly maxLen: number };
}

export type StreamsTransportClass = new (options: BenchStreamsOptions) => Transport;

export async function loadStreamsTransport(): Promise<StreamsTransportClass> {
  const fromSubpath = (await import('dotbus/redis')) as Record<string, unknown>;
  if (typeof fromSubpath['RedisStreamsTransport'] === 'function') return fromSubpath['RedisStreamsTransport'] as StreamsTransportClass;
  const built = (await import(new URL('../../dist/redis/streams-transport.js', import.meta.url).href)) as Record<string, unknown>;
  if (typeof built['RedisStreamsTransport'] !== 'function') throw new Error('RedisStreamsTransport is not built: run npm run build');
  return built['RedisStreamsTransport'] as StreamsTransportClass;
}
