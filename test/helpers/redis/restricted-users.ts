/**
 * ACL users that each lack one permission dotbus needs, for tests of what Redis refuses.
 *
 * @module
 */
import type { RedisAclUser } from './server-config.js';

/** Every key and command, no channel: Pub/Sub subscriptions are refused (`NOPERM`). */
export const NO_CHANNELS: RedisAclUser = { name: 'ghost', password: 'ghost-pw', rules: '~* resetchannels +@all' };
/** Everything but `XREADGROUP`. */
export const NO_XREADGROUP: RedisAclUser = { name: 'noread', password: 'noread-pw', rules: '~* &* +@all -xreadgroup' };
/** Everything but `INFO` (which ioredis's ready check runs). */
export const NO_INFO: RedisAclUser = { name: 'noinfo', password: 'noinfo-pw', rules: '~* &* +@all -info' };

/** All of them, for `startRedis({ aclUsers })`. */
export const RESTRICTED_USERS: readonly RedisAclUser[] = [NO_CHANNELS, NO_XREADGROUP, NO_INFO];

/** `redis://name:password@host:port` for `user`. */
export function urlOf(user: RedisAclUser, host: string, port: number, path = ''): string {
  return `redis://${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@${host}:${port}${path}`;
}
