import { describe, expect, it } from 'vitest';
import { redisPubSub, redisStreams, replayEvents } from '../../../src/redis/index.js';
import { redactUrl, UNPARSABLE_URL } from '../../../src/redis/redact.js';

describe('redactUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://app:s3cret@redis.internal:6379/2', 'redis://app:***@redis.internal:6379/2'],
    ['rediss://:s3cret@redis.internal:6380', 'rediss://:***@redis.internal:6380'],
    ['redis://app@redis.internal:6379', 'redis://app@redis.internal:6379'],
    // ioredis takes options from the query, the password among them.
    ['redis://h:6379/0?password=s3cret', 'redis://h:6379/0?password=***'],
    ['redis://h:6379/0?db=3&pass=s3cret&auth=s3cret&token=s3cret&sentinelPassword=s3cret', 'redis://h:6379/0?db=3&pass=***&auth=***&token=***&sentinelPassword=***'],
    ['redis://h:6379/0?Password=s3cret&family=6', 'redis://h:6379/0?Password=***&family=6'],
    // A parameter nobody thought of is hidden too.
    ['redis://h:6379?x-api-key=s3cret', 'redis://h:6379?x-api-key=***'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toContain('s3');
  });

  it.each([
    // An unencoded # in the password: new URL refuses it, and printing it raw would show it.
    ['redis://app:s3#cret@127.0.0.1:6379/0', 'redis://127.0.0.1:6379'],
    ['redis://:s3#cret@127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    // …and where new URL accepts it, it reads as another host, port and path.
    ['redis://app:12/s3#cret@127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://h:6379/0?password=s3#cret', 'redis://h:6379'],
    // Ambiguous: which @ ends the password? Nothing but the marker.
    ['redis://app:s3@cret#x@127.0.0.1:6379', UNPARSABLE_URL],
    ['redis://h:bad/0?password=s3@cret', UNPARSABLE_URL],
    ['redis://h:x?password=s3cret', UNPARSABLE_URL],
    ['not a url at all: s3cret', UNPARSABLE_URL],
  ])('an unparsable %s shows only %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toMatch(/s3|cret/);
  });
});

describe('connection errors never show a credential', () => {
  const secret = 'pa#ss?word=1';
  it.each([
    ['redis://app:pa#ss@127.0.0.1:6379/0', 'does not parse as a URL (redis://127.0.0.1:6379, credentials not shown)'],
    ['redis://app:12/pa#ss@127.0.0.1:6379/0', 'does not parse as a URL (redis://127.0.0.1:6379, credentials not shown)'],
    ['http://app:pass@127.0.0.1:6379', 'http://app:***@127.0.0.1:6379 must start with redis:// or rediss://'],
    [`redis://127.0.0.1:6379/x?password=${encodeURIComponent(secret)}`, 'database "x"'],
  ])('%s', async (url, message) => {
    for (const make of [() => redisPubSub({ connection: { url } }), () => redisStreams({ connection: { url } })]) {
      const error = catching(make);
      expect(error).toMatchObject({ code: 'INVALID_OPTION' });
      expect(error.message).toContain(message);
      expect(error.message).not.toMatch(/pass\b|pa#ss|pa%23/);
    }
    const replayed = await replayEvents({ pattern: '*', connection: { url } }).next().then(() => undefined, (e: unknown) => e as Error);
    expect(replayed).toMatchObject({ code: 'INVALID_OPTION' });
    expect(replayed!.message).toContain(message);
  });
});

function catching(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}
