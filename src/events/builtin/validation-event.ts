import { Type, type Static } from '@sinclair/typebox';
import { defineEvent, type EventOfDefinition } from '../define-event.js';
import { FieldPathSchema } from './field-path.js';

/** Schema of one failed validation rule. */
export const FieldErrorSchema = Type.Object({
  fieldPath: FieldPathSchema,
  rule: Type.String({ minLength: 1, description: 'Machine-readable rule id, e.g. `email.format`' }),
  message: Type.String(),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
});

/** One failed validation rule on one field. */
export type FieldError = Readonly<Static<typeof FieldErrorSchema>>;

/** Status of a validation run or phase. */
export const ValidationStatusSchema = Type.Union([
  Type.Literal('started'),
  Type.Literal('running'),
  Type.Literal('passed'),
  Type.Literal('failed'),
]);

/**
 * The lifecycle of a validation run: start, phases, errors, end.
 *
 * @remarks Spec: `ValidationEvent` / `IValidationEvent`.
 */
export const ValidationEvent = defineEvent({
  name: 'ValidationEvent',
  type: [
    'validation.started',
    'validation.phase.started',
    'validation.phase.completed',
    'validation.error.occurred',
    'validation.completed',
    'validation.failed',
  ],
  version: '1.0.0',
  schema: Type.Object({
    contextId: Type.String({ minLength: 1, description: 'The validation run, e.g. one record or batch' }),
    subject: Type.String({ description: 'What is validated, e.g. `order` or `user-profile`' }),
    phase: Type.Optional(Type.String({ minLength: 1 })),
    status: ValidationStatusSchema,
    durationMs: Type.Optional(Type.Number({ minimum: 0 })),
    recordCount: Type.Optional(Type.Integer({ minimum: 0 })),
    errors: Type.Array(FieldErrorSchema),
  }),
});

/** Any validation event. @remarks Spec: `IValidationEvent`. */
export type ValidationEvent = EventOfDefinition<typeof ValidationEvent>;
