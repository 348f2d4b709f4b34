/**
 * Type-level tests of `defineEvent({ sensitive })`: the JSON pointers are checked against the
 * schema's static type.
 */
import { defineEvent, Type, type SensitivePath } from '../../src/index.js';
import type { Equal, Expect } from './assert.js';

const schema = Type.Object({
  orderId: Type.String(),
  card: Type.Object({ number: Type.String(), expiry: Type.Optional(Type.String()) }),
  payers: Type.Array(Type.Object({ email: Type.String() })),
  'a/b~c': Type.String(),
  tags: Type.Record(Type.String(), Type.String()),
});

defineEvent({ type: 'payment.captured', version: '1.0.0', schema, sensitive: ['/card/number', '/card/expiry', '/payers/*/email', '/card', '/a~1b~0c', '/tags/anything'] });
defineEvent({ type: 'payment.captured', version: '1.0.0', schema, sensitive: [] });
defineEvent({ type: 'payment.captured', version: '1.0.0', schema });

// @ts-expect-error a field the schema does not have
defineEvent({ type: 'payment.captured', version: '1.0.0', schema, sensitive: ['/card/numbr'] });
// @ts-expect-error not a JSON pointer (no leading slash)
defineEvent({ type: 'payment.captured', version: '1.0.0', schema, sensitive: ['card/number'] });
// @ts-expect-error array elements are `*`, not a field of the array
defineEvent({ type: 'payment.captured', version: '1.0.0', schema, sensitive: ['/payers/email'] });
// @ts-expect-error a key with `/` is escaped as `~1` (RFC 6901)
defineEvent({ type: 'payment.captured', version: '1.0.0', schema, sensitive: ['/a/b~c'] });
// @ts-expect-error below a string there is nothing
defineEvent({ type: 'payment.captured', version: '1.0.0', schema, sensitive: ['/orderId/x'] });

type Data = { a: { b: number }; list: { c: string }[] };
export type Cases = [Expect<Equal<SensitivePath<Data>, '/a' | '/a/b' | '/list' | '/list/*' | '/list/*/c'>>];
