import { describe, expect, it } from 'vitest';
import { CORK_HOLD_LIMIT_MS, corkUntilTaskEnds } from '../../../src/redis/cork.js';

/** A client whose socket records cork and uncork calls. */
function recordingClient(): { client: object; log: string[] } {
  const log: string[] = [];
  return { client: { stream: { cork: () => void log.push('cork'), uncork: () => void log.push('uncork') } }, log };
}

const nextTick = (): Promise<void> => new Promise((r) => process.nextTick(r));

describe('corkUntilTaskEnds', () => {
  it('corks once per synchronous run and uncorks when the run ends', async () => {
    const { client, log } = recordingClient();
    corkUntilTaskEnds(client, 0);
    corkUntilTaskEnds(client, CORK_HOLD_LIMIT_MS / 2);
    corkUntilTaskEnds(client, CORK_HOLD_LIMIT_MS * 0.99);
    expect(log).toEqual(['cork']);
    await nextTick();
    expect(log).toEqual(['cork', 'uncork']);
    corkUntilTaskEnds(client);
    expect(log).toEqual(['cork', 'uncork', 'cork']);
    await nextTick();
    expect(log).toEqual(['cork', 'uncork', 'cork', 'uncork']);
  });

  it('lets held commands leave once the first has waited the hold limit, and holds the next ones again', async () => {
    const { client, log } = recordingClient();
    const at = (holds: number): void => corkUntilTaskEnds(client, 10 + holds * CORK_HOLD_LIMIT_MS);
    at(0);
    at(0.5);
    expect(log).toEqual(['cork']);
    at(1.5);
    expect(log).toEqual(['cork', 'uncork', 'cork']);
    at(2);
    expect(log).toHaveLength(3);
    at(3);
    expect(log).toEqual(['cork', 'uncork', 'cork', 'uncork', 'cork']);
    await nextTick();
    // Balanced: every cork has its uncork, so nothing stays held.
    expect(log).toEqual(['cork', 'uncork', 'cork', 'uncork', 'cork', 'uncork']);
  });

  it('does nothing for a client without a socket of its own', () => {
    expect(() => corkUntilTaskEnds({})).not.toThrow();
    expect(() => corkUntilTaskEnds({ stream: {} })).not.toThrow();
  });
});
