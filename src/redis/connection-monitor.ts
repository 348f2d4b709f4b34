import { ConnectionError } from '../internal.js';
import { escapeGlob } from './pubsub/channels.js';
import { DATABASES_NOTE, onReplyError, refusedCommand, targetOf, type RedisClient, type RefusedCommand } from './connection.js';

/** State of a Redis connection as dotbus reports it. */
export type ConnectionStatus = 'connecting' | 'up' | 'reconnecting' | 'down' | 'closed';

/** Called on every change of status, with a one-line reason and the reconnect attempt. */
export type StatusListener = (status: ConnectionStatus, detail: string, attempt: number) => void;

/** Replies that no reconnect will fix: the credentials or permissions are wrong. */
const FATAL = /^(WRONGPASS|NOAUTH|NOPERM|ERR invalid password|ERR AUTH)/;

/**
 * Commands whose refusal nobody else hears of: a subscription or a group read that Redis refuses
 * leaves the connection up but receiving nothing, so their `NOPERM` takes the connection down.
 */
const RECEIVING = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'xreadgroup']);

/**
 * Follows one ioredis connection and turns its events into a {@link ConnectionStatus}, a reason
 * people can act on, and a `waitUp` that never hangs forever.
 *
 * @remarks `down` means a retry can't help by itself (wrong credentials, a database the server
 * refuses, a subscription or read the user may not make) or the client gave up; `reconnecting`
 * means the backoff is running. A connection on which Redis refused something fatal never counts
 * as up, even if ioredis goes on to call it ready; the next connection gets its chance again.
 */
export class ConnectionMonitor {
  #status: ConnectionStatus = 'connecting';
  #fatal: ConnectionError | undefined;
  /** Whether the fatal refusal happened on the current connection (so its `ready` is no use). */
  #refusedHere = false;
  /** ACL rules the user lacks for what Redis refused on this connection, e.g. `&ns:*`. */
  readonly #missing = new Set<string>();
  #lastError = '';
  #attempt = 0;
  #everUp = false;
  #reconnects = 0;
  #closing = false;
  readonly #waiters = new Set<() => void>();
  readonly #target: string;

  constructor(
    readonly client: RedisClient,
    readonly role: string,
    private readonly user: string,
    private readonly onChange: StatusListener,
  ) {
    this.#target = targetOf(client);
    client.on('connect', () => {
      this.#refusedHere = false;
      this.#missing.clear();
    });
    client.on('ready', () => this.#up());
    client.on('error', (e: Error) => this.#error(e));
    client.on('reconnecting', () => this.#set(this.#fatal === undefined ? 'reconnecting' : 'down', this.#reason(), ++this.#attempt));
    client.on('end', () => this.#set(this.#closing ? 'closed' : 'down', this.#closing ? 'closed' : this.#reason(), this.#attempt));
    onReplyError(client, (e, command) => this.#refused(e, command));
  }

  /** The current status. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Times the connection came back after having been up. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Where the connection goes, without credentials: `redis://host:port/db`, `Redis Cluster`, …. */
  get target(): string {
    return this.#target;
  }

  /** Marks the coming `end` as asked for, so it reads `closed`, not `down`. */
  closing(): void {
    this.#closing = true;
  }

  /**
   * Resolves when the connection is up; rejects with a {@link ConnectionError} saying why when the
   * server refused the credentials, the database or a subscription, the connection was closed, or
   * `timeoutMs` passed.
   */
  waitUp(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        const failure = this.#failure();
        if (this.#status !== 'up' && failure === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (failure === undefined) resolve();
        else reject(failure);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const why = this.#lastError === '' ? 'no reply' : this.#lastError;
        reject(new ConnectionError(`${this.#name()} not up after ${timeoutMs} ms (${why}); check the URL and that Redis is running`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** `Redis publisher connection to redis://host:port`. */
  #name(): string {
    return `Redis ${this.role} connection to ${this.#target}`;
  }

  #failure(): ConnectionError | undefined {
    if (this.#fatal !== undefined) return this.#fatal;
    if (this.#status === 'closed') return new ConnectionError(`${this.#name()} is closed`);
    return undefined;
  }

  #up(): void {
    if (this.#refusedHere) return;
    if (this.#everUp) this.#reconnects++;
    this.#everUp = true;
    this.#fatal = undefined;
    this.#lastError = '';
    const attempt = this.#attempt;
    this.#attempt = 0;
    this.#set('up', attempt === 0 ? 'connected' : `reconnected after ${attempt} attempt(s)`, attempt);
  }

  #error(e: Error): void {
    this.#lastError = e.message;
    if (this.#fatal !== undefined && this.#refusedHere) return; // already explained, better
    if (!FATAL.test(e.message)) return;
    this.#fail(new ConnectionError(`Redis rejected the credentials for user ${this.user}: ${e.message}; check the username and password in the URL`, { cause: e }));
  }

  /** An error reply to any command on this connection. */
  #refused(e: Error, command: RefusedCommand | undefined): void {
    if (command?.name === 'select') {
      const db = command.args[0] ?? '?';
      this.#fail(new ConnectionError(`${this.#name()}: Redis refused database ${db} (${e.message}); ${DATABASES_NOTE}`, { cause: e }));
    } else if (command !== undefined && RECEIVING.has(command.name) && e.message.startsWith('NOPERM')) {
      for (const rule of missingRules(command, e.message)) this.#missing.add(rule);
      const grant = `grant what is missing: ACL SETUSER ${this.user} ${[...this.#missing].join(' ')}`;
      this.#fail(new ConnectionError(`${this.#name()}: Redis refused ${command.name.toUpperCase()} to user ${this.user} (${e.message}); ${grant}`, { cause: e }));
    }
  }

  /**
   * For a `NOPERM` reply to a command sent on this connection, what to do about it: `grant what
   * is missing: ACL SETUSER <user> <rule>`; `undefined` for any other error.
   */
  grantFor(error: unknown): string | undefined {
    if (!(error instanceof Error) || !error.message.startsWith('NOPERM')) return undefined;
    const command = refusedCommand(error);
    if (command === undefined) return undefined;
    return `grant what is missing: ACL SETUSER ${this.user} ${missingRules(command, error.message).join(' ')}`;
  }

  #fail(error: ConnectionError): void {
    this.#fatal = error;
    this.#refusedHere = true;
    this.#set('down', error.message, this.#attempt);
  }

  #reason(): string {
    return this.#lastError === '' ? 'connection lost' : this.#lastError;
  }

  #set(status: ConnectionStatus, detail: string, attempt: number): void {
    const changed = status !== this.#status;
    this.#status = status;
    if (changed) this.onChange(status, detail, attempt);
    for (const check of [...this.#waiters]) check();
  }
}

/**
 * The ACL rules that would make Redis accept `command`, from the kind of permission its `NOPERM`
 * `reply` says is missing: `+command` (as the reply names it, `xgroup|create` for a
 * sub-command), `~key` or `&channel` (the refused command's key or channel arguments). Keys and
 * channels are Redis globs in a rule: their specials are escaped so the rule grants only them.
 */
export function missingRules(command: RefusedCommand, reply: string): string[] {
  if (/\bcommand\b/.test(reply)) return [`+${/'([^']+)' command/.exec(reply)?.[1] ?? command.name}`];
  if (/\bkeys?\b/.test(reply)) return [`~${escapeGlob(keyOf(command) ?? '<key>')}`];
  // PUBLISH names one channel (then the message); subscriptions name only channels. A pattern
  // (PSUBSCRIBE) is compared literally with channel rules, so it is granted as written.
  const channels = command.name === 'publish' || command.name === 'spublish' ? command.args.slice(0, 1) : command.args;
  const literal = command.name === 'psubscribe' || command.name === 'punsubscribe';
  return channels.map((channel) => `&${literal ? channel : escapeGlob(channel)}`);
}

/** Commands whose first argument is a sub-command (`XGROUP CREATE <key>`), so the key comes second. */
const CONTAINERS = new Set(['xgroup', 'xinfo']);

/** The key a refused command was about: the stream of `XREADGROUP`, the first key of a script, else the first key argument. */
function keyOf(command: RefusedCommand): string | undefined {
  const args = command.args;
  if (command.name === 'xreadgroup') return args[args.findIndex((a) => a.toUpperCase() === 'STREAMS') + 1];
  if (CONTAINERS.has(command.name)) return args[1];
  if (command.name === 'evalsha' || command.name === 'eval') return Number(args[1]) > 0 ? args[2] : undefined;
  return args[0];
}
