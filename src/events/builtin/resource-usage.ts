import { Type, type Static } from '@sinclair/typebox';

/** Schema of {@link ResourceUsage}. */
export const ResourceUsageSchema = Type.Object(
  {
    cpuUserMs: Type.Number({ minimum: 0, description: 'User CPU time spent, in milliseconds' }),
    cpuSystemMs: Type.Number({ minimum: 0, description: 'System CPU time spent, in milliseconds' }),
    rssBytes: Type.Integer({ minimum: 0, description: 'Resident set size after the work, in bytes' }),
    heapUsedBytes: Type.Integer({ minimum: 0, description: 'V8 heap in use after the work, in bytes' }),
    heapDeltaBytes: Type.Integer({ description: 'Change of heap in use during the work, in bytes' }),
    eventLoopDelayMs: Type.Optional(Type.Number({ minimum: 0, description: 'Mean event-loop delay while measured, in ms' })),
  },
  { description: 'Resources used by a unit of work' },
);

/**
 * Resources a phase or operation used.
 *
 * @remarks Spec: `IResourceUsage`.
 */
export type ResourceUsage = Readonly<Static<typeof ResourceUsageSchema>>;
