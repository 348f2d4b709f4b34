/**
 * What one service sends and receives, for the operations of its AsyncAPI document. An `--events`
 * module declares it by exporting it as `service`.
 *
 * @example
 * ```ts
 * export const service: ServiceDeclaration = { name: 'billing', publishes: ['invoice.issued'], subscribes: ['order.*'] };
 * ```
 */
export interface ServiceDeclaration {
  /** The service's name: the document's title. */
  readonly name: string;
  /** The service's own version (AsyncAPI `info.version`). @default `1.0.0` */
  readonly version?: string;
  /** What the service does, for `info.description`. */
  readonly description?: string;
  /** Event types or patterns it publishes (`send` operations). @default none */
  readonly publishes?: readonly string[];
  /** Patterns it subscribes to (`receive` operations), wildcards included. @default none */
  readonly subscribes?: readonly string[];
  /** The transport it uses: Pub/Sub channels or the namespace's stream. @default `pubsub` */
  readonly transport?: 'pubsub' | 'streams';
}
