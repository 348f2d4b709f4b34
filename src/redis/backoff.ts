// The formula lives in core so that every subpath (the alert sinks too) shares one.
export { fullJitterDelay, type BackoffOptions } from '../internal.js';
