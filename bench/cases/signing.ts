/**
 * Signed events: what signing adds to `encode` and verification to `decode`, each against the
 * same codec without a key (the cost of the feature, not of JSON).
 */
import { EventRegistry, EventSecurity, JsonCodec, type SigningKey } from 'dotbus';
import { BenchOrder, buildOrders } from '../events.js';
import { compareThroughput, minRatio, timeSync, type BenchConfig, type CaseResult } from '../harness.js';

const POOL = 1024;
const KEY: SigningKey = { id: 'bench-key', secret: new Uint8Array(32).fill(7) };
const STAMP = { producerId: 'bench-producer', sequence: 1 };

/** `codec.sign`: encode + HMAC-SHA256 signature over the canonical JSON vs plain `encode`, ≥ 0.5. */
export async function codecSign(cfg: BenchConfig): Promise<CaseResult> {
  const registry = new EventRegistry([BenchOrder]);
  const plain = new JsonCodec(registry);
  const signing = new JsonCodec(registry, { security: new EventSecurity({ signingKey: KEY }) });
  const events = buildOrders(POOL);
  let bytes = 0;
  const run = (codec: JsonCodec) => (n: number): number =>
    timeSync(n, (count) => {
      // Counted in UTF-8 bytes, as a transport does before it writes: an unsigned encoding is a
      // rope of pieces until then, which that count (or the socket write) flattens; the signed one
      // was flattened already, to be hashed. Reading only `.length` would charge signing for work
      // every unsigned message also gets on its way out.
      for (let i = 0; i < count; i++) bytes += Buffer.byteLength(codec.encode(events[i & (POOL - 1)]!, STAMP));
    });
  const c = await compareThroughput(cfg, run(plain), run(signing));
  return minRatio('codec.sign', 'events/s', c, 'encode unsigned', 0.5, { messageBytes: signing.encode(events[0]!, STAMP).length, checksum: bytes > 0 });
}

/** `codec.verify`: decode + signature check (constant-time) vs plain `decode` of the same signed messages, ≥ 0.5. */
export async function codecVerify(cfg: BenchConfig): Promise<CaseResult> {
  const registry = new EventRegistry([BenchOrder]);
  const signer = new JsonCodec(registry, { security: new EventSecurity({ signingKey: KEY }) });
  const plain = new JsonCodec(registry);
  const verifying = new JsonCodec(registry, { security: new EventSecurity({ verificationKeys: [KEY], requireSigned: true }) });
  const strings = buildOrders(POOL).map((e) => signer.encode(e, STAMP));
  const run = (codec: JsonCodec) => (n: number): number => {
    let ok = 0;
    const s = timeSync(n, (count) => {
      for (let i = 0; i < count; i++) if (codec.decode(strings[i & (POOL - 1)]!).ok) ok++;
    });
    if (ok !== n) throw new Error('a signed message did not decode');
    return s;
  };
  const c = await compareThroughput(cfg, run(plain), run(verifying));
  return minRatio('codec.verify', 'events/s', c, 'decode unverified', 0.5, { messageBytes: strings[0]!.length });
}
