import { describe, expect, it } from 'vitest';
import { missingRules } from '../../../src/redis/connection-monitor.js';
import { aclRulesFor, aclSetUserCommand } from '../../../src/redis/index.js';

describe('aclRulesFor', () => {
  it('Pub/Sub: the namespace channels and its heartbeat channel, no key', () => {
    const rules = aclRulesFor({ namespace: 'shop', mechanism: 'pubsub' });
    expect(rules.slice(0, 3)).toEqual(['resetkeys', 'resetchannels', '-@all']);
    expect(rules.filter((r) => r.startsWith('&'))).toEqual(['&shop:*', '&{dotbus}:heartbeat:shop']);
    expect(rules.filter((r) => r.startsWith('~') || r.startsWith('%'))).toEqual([]);
    expect(rules).toContain('+publish');
    expect(rules).toContain('+psubscribe');
    expect(rules).not.toContain('+xadd');
  });

  it('Streams: the hash-tagged keys of the namespace, no channel', () => {
    const rules = aclRulesFor({ namespace: 'shop', mechanism: 'streams' });
    expect(rules.filter((r) => r.startsWith('~'))).toEqual(['~{shop}:*']);
    expect(rules.filter((r) => r.startsWith('&'))).toEqual([]);
    expect(rules).toContain('+xreadgroup');
    expect(rules).not.toContain('+publish');
  });

  it('both mechanisms: each command once', () => {
    const rules = aclRulesFor({ mechanism: ['pubsub', 'streams'] });
    expect(rules).toContain('&dotbus:*');
    expect(rules).toContain('~{dotbus}:*');
    expect(new Set(rules).size).toBe(rules.length);
  });

  it("escapes the namespace's glob specials, so it grants no other namespace", () => {
    const rules = aclRulesFor({ namespace: 'a*[b]?\\', mechanism: ['pubsub', 'streams'] });
    expect(rules).toContain('&a\\*\\[b\\]\\?\\\\:*');
    expect(rules).toContain('~{a\\*\\[b\\]\\?\\\\}:*');
  });

  it('refuses what the transports refuse', () => {
    expect(() => aclRulesFor({ namespace: 'a:b', mechanism: 'pubsub' })).toThrow(/namespace/);
    expect(() => aclRulesFor({ mechanism: [] })).toThrow(/mechanism/);
    expect(() => aclRulesFor({ mechanism: 'kafka' as 'pubsub' })).toThrow(/mechanism/);
  });
});

describe('aclSetUserCommand', () => {
  it('one redis-cli line, quoting what redis-cli would read otherwise', () => {
    expect(aclSetUserCommand('tenant-a', ['resetkeys', '&a:*'])).toBe('ACL SETUSER tenant-a on resetkeys &a:*');
    expect(aclSetUserCommand('t', ['&a"b\\:*'])).toBe('ACL SETUSER t on "&a\\"b\\\\:*"');
  });

  it('refuses a user name redis-cli would split', () => {
    expect(() => aclSetUserCommand('a b', [])).toThrow(/user/);
    expect(() => aclSetUserCommand('', [])).toThrow(/user/);
  });
});

describe('missingRules: the rule a NOPERM reply asks for', () => {
  const keys = 'NOPERM this user has no permissions to access one of the keys used as arguments';
  const channels = 'NOPERM this user has no permissions to access one of the channels used as arguments';
  it.each([
    ['PUBLISH: its channel, not the message', { name: 'publish', args: ['b:x.y', '{"data":1}'] }, channels, ['&b:x.y']],
    ['PSUBSCRIBE: the patterns as written (Redis compares them literally)', { name: 'psubscribe', args: ['b:x.*'] }, channels, ['&b:x.*']],
    ['SUBSCRIBE: each channel, escaped', { name: 'subscribe', args: ['{dotbus}:heartbeat:b*'] }, channels, ['&{dotbus}:heartbeat:b\\*']],
    ['XADD: its key', { name: 'xadd', args: ['{b}:events', '*', 't', 'x'] }, keys, ['~{b}:events']],
    ['XREADGROUP: the stream after STREAMS', { name: 'xreadgroup', args: ['GROUP', 'g', 'c', 'COUNT', '10', 'STREAMS', '{b}:events', '>'] }, keys, ['~{b}:events']],
    ['XGROUP CREATE: the key after the sub-command', { name: 'xgroup', args: ['CREATE', '{b}:events', 'g', '$', 'MKSTREAM'] }, keys, ['~{b}:events']],
    ['EVALSHA: the first key of the script', { name: 'evalsha', args: ['abc', '2', '{b}:events', '{b}:dead-letter'] }, keys, ['~{b}:events']],
    ['a command: as the reply names it', { name: 'xgroup', args: ['CREATE'] }, "NOPERM this user has no permissions to run the 'xgroup|create' command", ['+xgroup|create']],
  ])('%s', (_, command, reply, rules) => {
    expect(missingRules(command, reply)).toEqual(rules);
  });
});
