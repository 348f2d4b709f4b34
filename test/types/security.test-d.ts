/**
 * Type-level tests of signed events: the bus option takes an EventSecurity (not bare options),
 * keys are `{ id, secret: Uint8Array }`, a refusal is a SignatureError whose `rejection` is one of
 * the documented reasons, and a `system.error.signature` handler sees `reason` and `keyId`.
 * Compiled by `npm run typecheck`.
 */
import {
  createBus,
  EventSecurity,
  JsonCodec,
  EventRegistry,
  BUILT_IN_EVENTS,
  signingKeyIdOf,
  type DecodeResult,
  type SignatureError,
  type SignatureFailure,
  type SigningKey,
  type SystemErrorEvent,
} from '../../src/index.js';
import type { Equal, Expect } from './assert.js';

const key: SigningKey = { id: 'k-1', secret: new Uint8Array(32) };
const security = new EventSecurity({ signingKey: key, verificationKeys: [key], requireSigned: true, replayWindowMs: 60_000 });
const bus = createBus({ security });

// @ts-expect-error the option is an EventSecurity, not its options
createBus({ security: { signingKey: key } });
// @ts-expect-error a secret is bytes, not a string
new EventSecurity({ signingKey: { id: 'k', secret: 'hunter2' } });

bus.subscribe('system.error.signature', (e) => {
  type Data = typeof e.data;
  type Cases = [Expect<Equal<Data['reason'], string | undefined>>, Expect<Equal<Data['keyId'], string | undefined>>, Expect<Equal<typeof e, Extract<SystemErrorEvent, { eventType: 'system.error.signature' }>>>];
  void (null as unknown as Cases);
});

const result: DecodeResult = new JsonCodec(new EventRegistry(BUILT_IN_EVENTS), { security }).decode('{}');
if (result.ok) {
  const id: string | undefined = result.keyId;
  const same: string | undefined = signingKeyIdOf(result.event);
  void [id, same];
} else if (result.error.code === 'SIGNATURE_REJECTED') {
  const rejection = (result.error as SignatureError).rejection;
  type Cases = [Expect<Equal<typeof rejection, SignatureFailure>>];
  void (null as unknown as Cases);
}

export type Reasons = Expect<Equal<SignatureFailure, 'unsigned' | 'malformed-signature' | 'unknown-key' | 'bad-signature' | 'outside-window' | 'replayed'>>;
