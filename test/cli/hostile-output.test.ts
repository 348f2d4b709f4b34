import { describe, expect, it } from 'vitest';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { waitUntil } from '../helpers/wait.js';
import { oneLine, redisForCliSuite, runCli, watchCli, type WatchedCli } from './run-cli.js';

/**
 * Whatever an event, a stored entry or an argument holds, the CLI prints it for a terminal to
 * show, not to act on, and `--format json` stays one parseable line per event.
 */

const redis = redisForCliSuite();

/** What a terminal acts on instead of showing: C0 (ESC, BEL, CR, …), DEL, C1 (U+009B = ESC [), line and bidi separators. */
const ACTED_ON = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex

/** Every line of `text` (split on the LF that ends it) is free of what a terminal acts on. */
function expectInert(text: string): void {
  for (const line of text.split('\n')) expect(line, JSON.stringify(line)).not.toMatch(ACTED_ON);
}

/** Data with a window-title sequence, a clear-screen, a raw C1 CSI, a right-to-left override and a CR LF. */
const HOSTILE = { note: 'a\u001b]0;pwned\u0007b\u001b[2J', c1: '\u009b31m', bidi: '\u202eevil\u2066', nl: 'l1\r\nl2\u2028l3', del: '\u007f' };

/** An application's CloudEvent as any producer could send it, spread over lines with CR LF. */
function hostileMessage(id: string): string {
  const event = { specversion: '1.0', id, source: '/shop', type: 'order.placed', time: '2024-05-01T12:00:00Z', data: HOSTILE };
  return JSON.stringify(event, null, 1).replaceAll('\n', '\r\n');
}

async function startTail(namespace: string, ...args: string[]): Promise<WatchedCli> {
  const tail = watchCli(['tail', '*', '--redis', redis.url, '--namespace', namespace, ...args]);
  await waitUntil(() => tail.stderr().includes('tailing'), 20_000, `tail to start: ${tail.stderr()}`);
  return tail;
}

describe('dotbus tail prints hostile events inert', () => {
  it('pretty, json and the decode warning escape every control character; json is one parseable line per event', async () => {
    const ns = `hostile-tail-${process.pid}`;
    const pretty = await startTail(ns);
    const json = await startTail(ns, '--format', 'json');
    await sendCommands(redis.port, [
      ['PUBLISH', `${ns}:order.placed`, hostileMessage('evil-1')],
      // Typed: a built-in event whose text fields carry the same.
      ['PUBLISH', `${ns}:validation.started`, JSON.stringify({ specversion: '1.0', id: 'evil-2', source: '/x', type: 'validation.started', time: '2024-05-01T12:00:00Z', data: { contextId: HOSTILE.note, subject: HOSTILE.bidi, status: 'started', errors: [] } })],
      // Not JSON: the decode error quotes part of it.
      ['PUBLISH', `${ns}:order.placed`, `\u009b2J\u001b]0;pwned\u0007 not json`],
    ]);
    await waitUntil(() => pretty.stdout().includes('evil') && json.stdout().includes('evil-2') && pretty.stderr().includes('warning'), 20_000, `the events: ${pretty.stdout()} ${pretty.stderr()}`);
    for (const t of [pretty, json]) t.child.kill('SIGINT');
    expect(await pretty.exited).toBe(0);
    expect(await json.exited).toBe(0);

    for (const t of [pretty, json]) {
      expectInert(t.stdout());
      expectInert(t.stderr());
    }
    // Shown, not obeyed.
    expect(pretty.stdout()).toContain('a\\u001b]0;pwned\\u0007b\\u001b[2J');
    expect(pretty.stdout()).toContain('\\u009b31m');
    expect(pretty.stdout()).toContain('\\u202eevil');
    expect(pretty.stderr()).toMatch(/warning: cannot decode message \(malformed-json\).*\\u009b2J/);

    const lines = json.stdout().trim().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { id: string; type: string; data: unknown });
    expect(events.find((e) => e.id === 'evil-1')?.data).toEqual(HOSTILE);
    expect(events.find((e) => e.id === 'evil-2')).toMatchObject({ type: 'validation.started', data: { contextId: HOSTILE.note } });
    // One line per event: health, the two events and the decode report, nothing split.
    expect(lines.every((l) => l.startsWith('{"specversion":"1.0"') && l.endsWith('}'))).toBe(true);
  });
});

describe('dotbus replay prints stored entries inert', () => {
  it('json is the stored message re-serialized on one escaped line; pretty and the skip warning are escaped', async () => {
    const ns = `hostile-replay-${process.pid}`;
    const stored = hostileMessage('evil-3');
    await sendCommands(redis.port, [
      ['XADD', `{${ns}}:events`, '*', 't', 'order.placed', 'm', stored],
      // An entry that does not decode: the error quotes a piece of it.
      ['XADD', `{${ns}}:events`, '*', 't', 'order.placed', 'm', `\u009b2J\u202e\u001b]0;pwned\u0007 not json`],
    ]);
    const json = await runCli(['replay', '*', '--redis', redis.url, '--namespace', ns, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual(JSON.parse(stored));
    expectInert(json.stdout);
    expectInert(json.stderr);
    expect(json.stderr).toMatch(/skipped 1 matching entry that did not decode; first \d+-\d+ order\.placed: cannot decode message \(malformed-json\).*\\u009b2J\\u202e/);

    const pretty = await runCli(['replay', '*', '--redis', redis.url, '--namespace', ns]);
    expect(pretty.code, pretty.stderr).toBe(0);
    expect(pretty.stdout.trim().split('\n')).toHaveLength(1);
    expectInert(pretty.stdout);
    expectInert(pretty.stderr);
    expect(pretty.stdout).toContain('\\u009b31m');
  });
});

describe('error lines quote untrusted input escaped and cut', () => {
  it('an unknown type with escape sequences', async () => {
    const r = await runCli(['publish', `a\u001b]0;pwned\u0007${'b'.repeat(500)}`, '--data', '{}']);
    expect(r.code).toBe(2);
    const line = oneLine(r.stderr);
    expect(line).toContain('unknown event type "a\\u001b]0;pwned\\u0007bbb');
    expectInert(r.stderr);
    expect(line).not.toContain('b'.repeat(200));
  });

  it('an unknown option (Commander quotes it)', async () => {
    const r = await runCli(['tail', '--\u001b]0;pwned\u0007', '--redis', redis.url]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe("dotbus: unknown option '--\\u001b]0;pwned\\u0007'");
  });

  it('publish prints the wire message of hostile --data escaped, still the same JSON', async () => {
    const r = await runCli(['publish', 'validation.started', '--data', JSON.stringify({ contextId: HOSTILE.c1 + HOSTILE.bidi, subject: HOSTILE.note, status: 'started', errors: [] })]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expectInert(r.stdout);
    expect(JSON.parse(r.stdout)).toMatchObject({ data: { contextId: HOSTILE.c1 + HOSTILE.bidi, subject: HOSTILE.note } });
  });

  it('a bad --from and a missing --events module', async () => {
    for (const args of [['replay', '*', '--redis', redis.url, '--from', '\u009b2J\u202e'], ['tail', '*', '--redis', redis.url, '--events', '\u001b[2J.js']]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      oneLine(r.stderr);
      expectInert(r.stderr);
      expect(r.stderr).toMatch(/\\u009b2J\\u202e|\\u001b\[2J/);
    }
  });
});
