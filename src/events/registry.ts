import { DotbusError, UnknownEventTypeError } from '../errors.js';
import type { AnyEventDefinition } from './define-event.js';

/**
 * The definitions a codec or bus knows, by event type.
 *
 * @remarks A type may be bound by one definition only; registering the same definition twice is a no-op.
 */
export class EventRegistry {
  readonly #byType = new Map<string, AnyEventDefinition>();

  constructor(definitions: Iterable<AnyEventDefinition> = []) {
    for (const d of definitions) this.register(d);
  }

  /**
   * Adds a definition.
   * @throws {@link DotbusError} `DUPLICATE_DEFINITION` if another definition already binds one of its types.
   */
  register(definition: AnyEventDefinition): this {
    for (const type of definition.types) {
      const existing = this.#byType.get(type);
      if (existing !== undefined && existing !== definition) {
        throw new DotbusError(
          'DUPLICATE_DEFINITION',
          `${JSON.stringify(type)} is bound by both ${existing.name}@${existing.version} and ${definition.name}@${definition.version}; keep one`,
        );
      }
    }
    for (const type of definition.types) this.#byType.set(type, definition);
    return this;
  }

  /** The definition of `type`, or `undefined`. */
  get(type: string): AnyEventDefinition | undefined {
    return this.#byType.get(type);
  }

  /** The definition of `type`; throws {@link UnknownEventTypeError} if none. */
  require(type: string): AnyEventDefinition {
    const d = this.#byType.get(type);
    if (d === undefined) throw new UnknownEventTypeError(type);
    return d;
  }

  /** Every registered event type. */
  types(): string[] {
    return [...this.#byType.keys()];
  }

  /** Every distinct registered definition. */
  definitions(): AnyEventDefinition[] {
    return [...new Set(this.#byType.values())];
  }
}
