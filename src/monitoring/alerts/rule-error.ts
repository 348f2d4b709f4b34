import { DotbusError } from '../../internal.js';

/**
 * An invalid alert rule: names the rule, the field and what to write instead (code `INVALID_OPTION`).
 * From a rule file, `line` is the line of the offending field (1-based) when it is known.
 */
export class RuleError extends DotbusError {
  constructor(
    readonly rule: string,
    readonly field: string,
    readonly reason: string,
    readonly line?: number,
  ) {
    super('INVALID_OPTION', `${line === undefined ? '' : `line ${line}: `}rule ${JSON.stringify(rule)}, field \`${field}\`: ${reason}`);
  }

  /** The same error, located at `line`. */
  at(line: number | undefined): RuleError {
    return line === undefined ? this : new RuleError(this.rule, this.field, this.reason, line);
  }
}
