import { describe, expect, it } from 'vitest';
import { refused } from './connection-probes.js';
import { getFreePort, getFreePorts } from './free-port.js';

describe('free loopback ports', () => {
  it('getFreePort / getFreePorts return free, distinct ports', async () => {
    const port = await getFreePort();
    expect(port).toBeGreaterThan(0);
    expect(await refused(port)).toBe(true);
    const ports = await getFreePorts(5);
    expect(new Set(ports).size).toBe(5);
  });
});
