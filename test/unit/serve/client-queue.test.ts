import { describe, expect, it } from 'vitest';
import { ClientQueue } from '../../../src/serve/client-queue.js';
import { isLoopbackHost } from '../../../src/serve/loopback.js';

describe('ClientQueue', () => {
  it('holds at most its capacity; rows past it are skipped and counted, and it takes again after a take', async () => {
    const q = new ClientQueue(3);
    const rows = ['a', 'b', 'c', 'd', 'e'];
    for (const r of rows) q.push(r);
    expect(q.size).toBe(3);
    expect(q.skipped).toBe(rows.length - 3);
    expect(await q.take()).toEqual(['a', 'b', 'c']);
    q.push('f');
    expect(await q.take()).toEqual(['f']);
    expect(q.skipped).toBe(rows.length - 3);
  });

  it('a take waits for a row, and ends with undefined once closed', async () => {
    const q = new ClientQueue(2);
    const waiting = q.take();
    q.push('x');
    expect(await waiting).toEqual(['x']);
    const ended = q.take();
    q.close();
    expect(await ended).toBeUndefined();
    q.push('y');
    expect(q.size).toBe(0);
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '[::1]', '0:0:0:0:0:0:0:1', 'localhost', '::ffff:127.0.0.1'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1', 'localhost.example.com', '', '::2'])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
});
