import { CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec } from '../../../src/index.js';
import { builtInSamples } from '../../conformance/samples.js';

const codec = new JsonCodec(new EventRegistry(BUILT_IN_EVENTS));

describe('the official CloudEvents SDK accepts what dotbus writes', () => {
  const samples = builtInSamples();

  it('covers every built-in type', () => {
    expect(new Set(samples.map((e) => e.eventType))).toEqual(new Set(BUILT_IN_EVENTS.flatMap((d) => d.types)));
  });

  for (const event of samples) {
    it(`${event.eventType}: strict CloudEvent and structured HTTP message`, () => {
      const wire = codec.encode(event, { producerId: 'producer-1', sequence: 3_000_000_000 });
      const parsed = JSON.parse(wire) as Record<string, unknown>;
      const ce = new CloudEvent(parsed, true);
      expect(ce.validate()).toBe(true);
      expect(ce.id).toBe(event.eventId);
      expect(ce.type).toBe(event.eventType);
      expect(ce.data).toEqual(event.data);
      const received = HTTP.toEvent({ headers: { 'content-type': 'application/cloudevents+json' }, body: wire });
      const one = (Array.isArray(received) ? received[0] : received) as CloudEvent<unknown> | undefined;
      expect(one?.validate()).toBe(true);
      expect(one?.['schemaversion']).toBe(event.version);
    });
  }
});
