/**
 * Tracing cases: the `memory.exact` workload (InMemory publish → one handler, against mitt) on a
 * bus without tracing (`otel.off`: what every bus pays for tracing being possible) and on a bus
 * traced by `otelTracing` with the real SDK and a sampler that records nothing (`otel.on`: a send
 * span and a process span per event, ids drawn, context switched, nothing exported).
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { otelTracing } from 'dotbus/otel';
import { compareThroughput, minRatio, type BenchConfig, type CaseResult } from '../harness.js';
import { exactSubject, mittBaseline } from './memory.js';

/** `otel.off`: a bus without tracing vs mitt, ≥ 0.5 (the `memory.exact` target). */
export async function otelOff(cfg: BenchConfig): Promise<CaseResult> {
  const c = await compareThroughput(cfg, mittBaseline(), exactSubject());
  return minRatio('otel.off', 'events/s', c, 'mitt', 0.5);
}

/** `otel.on`: a bus traced through the SDK with `AlwaysOffSampler` vs mitt, reported only. */
export async function otelOn(cfg: BenchConfig): Promise<CaseResult> {
  // As in an application: an SDK's context manager, so every span switch is a real one.
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  try {
    const tracerProvider = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    const c = await compareThroughput(cfg, mittBaseline(), exactSubject(otelTracing({ tracerProvider })));
    return { ...minRatio('otel.on', 'events/s', c, 'mitt', 0), target: 'reported', pass: null };
  } finally {
    context.disable();
  }
}
