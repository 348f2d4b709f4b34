import type { Order } from './order.js';
import { RecordValidator, type Rule } from './record-validator.js';

/** Countries the demo shop ships to. */
export const SHIPPING_COUNTRIES: readonly string[] = ['DE', 'FR', 'GB', 'NL', 'ES', 'IT', 'SE', 'US'];
/** Currencies the demo shop accepts. */
export const CURRENCIES: readonly string[] = ['EUR', 'USD', 'GBP'];
/** Orders above this total get a `review.high-value` warning. */
export const HIGH_VALUE_TOTAL = 5_000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i;
const POSTAL = /^[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9]$/;
const SKU = /^[A-Z]{3}-\d{4}$/;

/** `fields` phase: the order's own fields, its customer and address. */
const fieldRules: Rule<Order>[] = [
  { id: 'order.id.format', phase: 'fields', check: (o, r) => void (/^ord-\d{6}$/.test(o.id) || r(['id'], `"${o.id}" is not ord-NNNNNN`)) },
  { id: 'order.placedAt.timestamp', phase: 'fields', check: (o, r) => void (!Number.isNaN(Date.parse(o.placedAt)) || r(['placedAt'], 'not an RFC 3339 timestamp')) },
  { id: 'order.currency.supported', phase: 'fields', check: (o, r) => void (CURRENCIES.includes(o.currency) || r(['currency'], `${o.currency} is not one of ${CURRENCIES.join(', ')}`)) },
  { id: 'customer.name.required', phase: 'fields', check: (o, r) => void (o.customer.name.trim() !== '' || r(['customer', 'name'], 'must not be empty')) },
  { id: 'customer.email.format', phase: 'fields', check: (o, r) => void (EMAIL.test(o.customer.email) || r(['customer', 'email'], `"${o.customer.email}" is not an e-mail address`)) },
  {
    id: 'address.country.shipping', phase: 'fields',
    check: (o, r) => void (SHIPPING_COUNTRIES.includes(o.customer.address.country) || r(['customer', 'address', 'country'], `we don't ship to "${o.customer.address.country}"`)),
  },
  {
    id: 'address.postalCode.format', phase: 'fields',
    check: (o, r) => void (POSTAL.test(o.customer.address.postalCode) || r(['customer', 'address', 'postalCode'], `"${o.customer.address.postalCode}" is not a postal code`)),
  },
];

/** `items` phase: every order line. */
const itemRules: Rule<Order>[] = [
  { id: 'items.nonEmpty', phase: 'items', check: (o, r) => void (o.items.length > 0 || r(['items'], 'an order needs at least one item')) },
  {
    id: 'item.sku.format', phase: 'items',
    check: (o, r) => o.items.forEach((it, i) => void (SKU.test(it.sku) || r(['items', i, 'sku'], `"${it.sku}" is not AAA-0000`))),
  },
  {
    id: 'item.quantity.range', phase: 'items',
    check: (o, r) => o.items.forEach((it, i) => void ((Number.isInteger(it.quantity) && it.quantity >= 1 && it.quantity <= 99) || r(['items', i, 'quantity'], `${it.quantity} is not a whole number from 1 to 99`))),
  },
  {
    id: 'item.unitPrice.positive', phase: 'items',
    check: (o, r) => o.items.forEach((it, i) => void ((Number.isFinite(it.unitPrice) && it.unitPrice > 0) || r(['items', i, 'unitPrice'], `${it.unitPrice} is not a positive price`))),
  },
];

/** `totals` phase: the order's sum, and a warning for unusually large orders. */
const totalRules: Rule<Order>[] = [
  {
    id: 'order.total.matches', phase: 'totals',
    check: (o, r) => {
      const sum = Math.round(o.items.reduce((s, it) => s + it.quantity * it.unitPrice, 0) * 100) / 100;
      if (Math.abs(sum - o.total) > 0.005) r(['total'], `${o.total} differs from the items' sum ${sum}`);
    },
  },
  { id: 'review.high-value', phase: 'totals', check: (o, r) => void (o.total <= HIGH_VALUE_TOTAL || r(['total'], `${o.total} needs a manual review`, 'warning')) },
];

/** Every order rule, in phase order: `fields`, `items`, `totals`. */
export const ORDER_RULES: readonly Rule<Order>[] = [...fieldRules, ...itemRules, ...totalRules];

/** A validator with {@link ORDER_RULES}. */
export function createOrderValidator(): RecordValidator<Order> {
  return new RecordValidator(ORDER_RULES);
}
