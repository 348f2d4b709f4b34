import { ConnectionError } from '../internal.js';
import type { RedisClient } from './connection.js';

/** State of a Redis connection as dotbus reports it. */
export type ConnectionStatus = 'connecting' | 'up' | 'reconnecting' | 'down' | 'closed';

/** Called on every change of status, with a one-line reason and the reconnect attempt. */
export type StatusListener = (status: ConnectionStatus, detail: string, attempt: number) => void;

/** Replies that no reconnect will fix: the credentials or permissions are wrong. */
const FATAL = /^(WRONGPASS|NOAUTH|NOPERM|ERR invalid password|ERR AUTH)/;

/**
 * Follows one ioredis connection and turns its events into a {@link ConnectionStatus}, a reason
 * people can act on, and a `waitUp` that never hangs forever.
 *
 * @remarks `down` means a retry can't help by itself (wrong credentials) or the client gave up;
 * `reconnecting` means the backoff is running.
 */
export class ConnectionMonitor {
  #status: ConnectionStatus = 'connecting';
  #fatal: ConnectionError | undefined;
  #lastError = '';
  #attempt = 0;
  #everUp = false;
  #reconnects = 0;
  #closing = false;
  readonly #waiters = new Set<() => void>();

  constructor(
    readonly client: RedisClient,
    readonly role: string,
    private readonly user: string,
    private readonly onChange: StatusListener,
  ) {
    client.on('ready', () => this.#up());
    client.on('error', (e: Error) => this.#error(e));
    client.on('reconnecting', () => this.#set(this.#fatal === undefined ? 'reconnecting' : 'down', this.#reason(), ++this.#attempt));
    client.on('end', () => this.#set(this.#closing ? 'closed' : 'down', this.#closing ? 'closed' : this.#reason(), this.#attempt));
  }

  /** The current status. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Times the connection came back after having been up. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Marks the coming `end` as asked for, so it reads `closed`, not `down`. */
  closing(): void {
    this.#closing = true;
  }

  /**
   * Resolves when the connection is up; rejects with a {@link ConnectionError} saying why when the
   * server refused the credentials, the connection was closed, or `timeoutMs` passed.
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
        reject(new ConnectionError(`Redis ${this.role} connection not up after ${timeoutMs} ms (${why}); check the URL and that Redis is running`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  #failure(): ConnectionError | undefined {
    if (this.#fatal !== undefined) return this.#fatal;
    if (this.#status === 'closed') return new ConnectionError(`Redis ${this.role} connection is closed`);
    return undefined;
  }

  #up(): void {
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
    if (!FATAL.test(e.message)) return;
    this.#fatal = new ConnectionError(`Redis rejected the credentials for user ${this.user}: ${e.message}; check the username and password in the URL`, { cause: e });
    this.#set('down', this.#fatal.message, this.#attempt);
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
