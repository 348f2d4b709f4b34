/** A postal address. */
export interface Address {
  readonly street: string;
  readonly city: string;
  readonly postalCode: string;
  /** ISO 3166-1 alpha-2, e.g. `DE`. */
  readonly country: string;
}

/** Who placed an order. */
export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly address: Address;
}

/** One line of an order. */
export interface OrderItem {
  /** `AAA-0000`. */
  readonly sku: string;
  readonly quantity: number;
  /** Price of one unit, in `currency`. */
  readonly unitPrice: number;
}

/** The record the demo pipeline validates: an order with a nested customer, address and items. */
export interface Order {
  /** `ord-000001`. */
  readonly id: string;
  /** RFC 3339 timestamp. */
  readonly placedAt: string;
  /** ISO 4217, e.g. `EUR`. */
  readonly currency: string;
  readonly customer: Customer;
  readonly items: readonly OrderItem[];
  /** Sum of quantity × unit price, rounded to cents. */
  readonly total: number;
}
