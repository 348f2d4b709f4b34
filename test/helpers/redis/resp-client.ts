/**
 * A minimal RESP2 client over a raw `node:net` socket, for talking to the
 * throwaway servers without any Redis client library: {@link sendCommands}
 * for pipelined commands, {@link pingOnce} for readiness checks.
 *
 * @module
 */
import { connect, type Socket } from 'node:net';
import { REDIS_HOST } from './free-port.js';

/** An error reply (`-ERR ...`) from {@link sendCommands}; returned, not thrown. */
export class RespError {
  /** @param message - the error line without the leading `-` */
  constructor(readonly message: string) {}
  /** The first word of the message, e.g. `'WRONGPASS'`, `'NOAUTH'`. */
  get code(): string {
    return this.message.split(' ', 1)[0] ?? '';
  }
  toString(): string {
    return `-${this.message}`;
  }
}

/** A decoded RESP2 reply: simple and bulk strings as `string`, integers as `number`, nil as `null`. */
export type RespReply = string | number | null | RespError | RespReply[];

function encodeCommand(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const buf = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${buf.length}\r\n`), buf, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parse one RESP2 reply at `offset`; returns undefined if the buffer is incomplete. */
function parseReply(buf: Buffer, offset: number): { value: RespReply; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespError(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: afterLine };
      if (buf.length < afterLine + len + 2) return undefined;
      return { value: buf.toString('utf8', afterLine, afterLine + len), next: afterLine + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/** Decodes the replies to `expected` commands from a byte stream, however it is split into chunks. */
class ReplyReader {
  readonly replies: RespReply[] = [];
  private buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly expected: number) {}

  /** Whether every expected reply has arrived. */
  get complete(): boolean {
    return this.replies.length === this.expected;
  }

  /** Append `chunk` and decode every reply it completes; throws on an unexpected type byte. */
  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer.subarray(this.offset), chunk]);
    this.offset = 0;
    while (this.replies.length < this.expected) {
      const parsed = parseReply(this.buffer, this.offset);
      if (!parsed) break;
      this.replies.push(parsed.value);
      this.offset = parsed.next;
    }
  }
}

/** Options for {@link sendCommands}. */
export interface SendCommandsOptions {
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /** Give up after this many milliseconds. @defaultValue 5000 */
  timeoutMs?: number;
}

/**
 * Send commands over one fresh raw TCP connection (pipelined, RESP2) and
 * return one decoded reply per command; error replies come back as
 * {@link RespError} values instead of being thrown. No client library involved.
 *
 * @example
 * ```ts
 * const [auth, pong] = await sendCommands(server.port, [['AUTH', 'alice', 'pw'], ['PING']]);
 * ```
 */
export function sendCommands(
  port: number,
  commands: readonly (readonly (string | number | Buffer)[])[],
  options: SendCommandsOptions = {},
): Promise<RespReply[]> {
  const host = options.host ?? REDIS_HOST;
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port });
    const reader = new ReplyReader(commands.length);
    let settled = false;
    const finish = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reader.replies);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete reply from ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(new Error(`connection to ${host}:${port} closed after ${reader.replies.length} replies`)));
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (reader.complete) finish(undefined);
    });
    socket.write(Buffer.concat(commands.map(encodeCommand)));
  });
}

/**
 * One inline `PING\r\n` over a raw socket to 127.0.0.1. Resolves with the first reply line
 * (`'+PONG'`, `'-NOAUTH ...'`, `'-LOADING ...'`), rejects if nothing listens.
 */
export function pingOnce(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: REDIS_HOST, port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('PING timed out'));
    }, timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error('connection closed before a reply'));
    });
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n');
      if (end !== -1) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
    socket.write('PING\r\n');
  });
}
