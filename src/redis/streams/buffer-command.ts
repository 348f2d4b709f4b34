import { Command } from 'ioredis';
import type { RedisClient } from '../connection.js';

/**
 * Sends `name args` on `client` and resolves with the reply in bytes (Buffers), so that values
 * that are not UTF-8 arrive intact.
 *
 * @remarks Not `client.callBuffer(name, …)`: with `enableAutoPipelining` (the command connection
 * has it, and a user's client may) ioredis 5 queues that call without its command name.
 */
export function sendForBuffers(client: RedisClient, name: string, args: readonly (string | Buffer)[]): Promise<unknown> {
  const keyPrefix = (client.options as { keyPrefix?: string }).keyPrefix;
  const command = new Command(name, [...args], { replyEncoding: null, ...(keyPrefix === undefined ? {} : { keyPrefix }) });
  void client.sendCommand(command);
  return command.promise;
}
