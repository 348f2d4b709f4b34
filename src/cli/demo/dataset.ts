import type { Order, OrderItem } from './order.js';
import { CURRENCIES, SHIPPING_COUNTRIES } from './order-rules.js';

/** Options of {@link generateOrders}. */
export interface DatasetOptions {
  /** How many orders. */
  readonly count: number;
  /** Same seed, same data set. @default 42 */
  readonly seed?: number;
  /** Share of orders broken on purpose, 0–1. @default 0.1 */
  readonly invalidRatio?: number;
}

/** A generated data set and which of its orders were broken on purpose (and how). */
export interface Dataset {
  readonly orders: readonly Order[];
  /** Order id → names of the corruptions applied. */
  readonly corrupted: ReadonlyMap<string, readonly string[]>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
type Corruption = (o: Mutable<Order>, rnd: () => number) => void;

/** Ways an order is broken on purpose; each one trips a rule of `ORDER_RULES`. */
const CORRUPTIONS: Readonly<Record<string, Corruption>> = {
  'bad-email': (o) => void (o.customer.email = o.customer.email.replace('@', ' at ')),
  'empty-name': (o) => void (o.customer.name = ' '),
  'unknown-country': (o) => void (o.customer.address.country = 'XX'),
  'bad-postal-code': (o) => void (o.customer.address.postalCode = '?'),
  'bad-currency': (o) => void (o.currency = 'DOGE'),
  'bad-date': (o) => void (o.placedAt = 'yesterday'),
  'no-items': (o) => void ((o.items = []), (o.total = 0)),
  'zero-quantity': (o, rnd) => void (pick(o.items, rnd).quantity = 0),
  'negative-price': (o, rnd) => void (pick(o.items, rnd).unitPrice = -1),
  'bad-sku': (o, rnd) => void (pick(o.items, rnd).sku = 'sku_1'),
  'wrong-total': (o) => void (o.total = Math.round((o.total + 10) * 100) / 100),
};

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Margaret', 'Linus', 'Radia', 'Donald'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman', 'Knuth'];
const CITIES = ['Berlin', 'Lyon', 'Leeds', 'Utrecht', 'Sevilla', 'Torino', 'Malmö', 'Austin'];
const BASE_TIME = Date.UTC(2024, 0, 1);

/**
 * Generates `count` orders deterministically from `seed`, breaking about `invalidRatio` of them on
 * purpose (one or two corruptions each, recorded in `corrupted`), so a demo has real errors.
 */
export function generateOrders(options: DatasetOptions): Dataset {
  const rnd = mulberry32(options.seed ?? 42);
  const ratio = options.invalidRatio ?? 0.1;
  const names = Object.keys(CORRUPTIONS);
  const orders: Order[] = [];
  const corrupted = new Map<string, string[]>();
  for (let n = 1; n <= options.count; n++) {
    const order = validOrder(n, rnd);
    if (rnd() < ratio) {
      const applied = [pick(names, rnd)];
      if (rnd() < 0.3) applied.push(pick(names, rnd));
      // Emptying the items goes last, so that an item corruption still finds an item to break.
      const unique = [...new Set(applied)].sort((a, b) => Number(a === 'no-items') - Number(b === 'no-items'));
      for (const name of unique) CORRUPTIONS[name]!(order, rnd);
      corrupted.set(order.id, unique);
    }
    orders.push(order);
  }
  return { orders, corrupted };
}

function validOrder(n: number, rnd: () => number): Mutable<Order> {
  const items: Mutable<OrderItem>[] = [];
  const lines = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < lines; i++) {
    items.push({ sku: `${letters(rnd)}-${String(Math.floor(rnd() * 10_000)).padStart(4, '0')}`, quantity: 1 + Math.floor(rnd() * 5), unitPrice: Math.round((1 + rnd() * 600) * 100) / 100 });
  }
  const first = pick(FIRST, rnd);
  const last = pick(LAST, rnd);
  return {
    id: `ord-${String(n).padStart(6, '0')}`,
    placedAt: new Date(BASE_TIME + Math.floor(rnd() * 365 * 86_400_000)).toISOString(),
    currency: pick(CURRENCIES, rnd),
    customer: {
      id: `cus-${Math.floor(rnd() * 100_000)}`,
      name: `${first} ${last}`,
      email: `${first}.${last}@example.com`.toLowerCase(),
      address: { street: `${1 + Math.floor(rnd() * 200)} Main Street`, city: pick(CITIES, rnd), postalCode: String(10_000 + Math.floor(rnd() * 89_999)), country: pick(SHIPPING_COUNTRIES, rnd) },
    },
    items,
    total: Math.round(items.reduce((s, it) => s + it.quantity * it.unitPrice, 0) * 100) / 100,
  };
}

function letters(rnd: () => number): string {
  let s = '';
  for (let i = 0; i < 3; i++) s += String.fromCharCode(65 + Math.floor(rnd() * 26));
  return s;
}

function pick<T>(list: readonly T[], rnd: () => number): T {
  return list[Math.floor(rnd() * list.length)]!;
}

/** A small, fast, seedable PRNG (mulberry32): the same seed always gives the same sequence. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
