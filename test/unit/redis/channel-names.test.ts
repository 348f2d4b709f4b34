/** Unit tests of the Pub/Sub channel names and their namespace; no server needed. */
import { describe, expect, it } from 'vitest';
import { ChannelNames } from '../../../src/redis/pubsub/channels.js';

describe('ChannelNames', () => {
  it('maps patterns to globs and escapes the namespace', () => {
    const n = new ChannelNames('app[1]*');
    expect(n.channelOf('a.b')).toBe('app[1]*:a.b');
    expect(n.globOf('a.*')).toBe('app\\[1\\]\\*:a.*');
    expect(n.globOf('a.+')).toBe(n.globOf('a.*'));
    expect(n.globOf('*.error.*')).toBe('app\\[1\\]\\*:*.error.*');
    expect(n.heartbeat).toBe('{dotbus}:heartbeat:app[1]*');
    expect(() => n.globOf('valid*')).toThrow(/partial/);
    expect(() => new ChannelNames('has space')).toThrow(/namespace/);
  });
});

describe('ChannelNames namespaces', () => {
  it('refuses a namespace with `:`, which would overlap another namespace', () => {
    expect(() => new ChannelNames('a:b')).toThrow(/without spaces, `:`/);
    expect(new ChannelNames('iso*[1]?').channelOf('a.b')).toBe('iso*[1]?:a.b');
  });
});
