import { Type, type Static } from '@sinclair/typebox';
import { InvalidOptionError } from '../../errors.js';

/** Schema of a {@link FieldPath}: property names and array indexes, outermost first. */
export const FieldPathSchema = Type.Array(Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })]), {
  description: 'Path to a field: property names and array indexes, outermost first',
});

/**
 * Where in a record a value sits, e.g. `user.addresses[0].zip` is `['user', 'addresses', 0, 'zip']`.
 *
 * @remarks Spec: `FieldPath`. Kept as segments, not as a string, so that consumers never re-parse
 * and a property named `a.b` stays one segment.
 */
export type FieldPath = Readonly<Static<typeof FieldPathSchema>>;

/** One step of a {@link FieldPath}: a property name or an array index. */
export type FieldPathSegment = string | number;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Parses and formats {@link FieldPath}s. */
export const FieldPath = Object.freeze({
  /** The empty path: the record itself. */
  root: Object.freeze([]) as FieldPath,

  /**
   * Parses `user.addresses[0].zip` or `user["odd.key"]`.
   * @throws {@link InvalidOptionError} naming the position of the first bad character.
   */
  parse(text: string): FieldPath {
    const out: FieldPathSegment[] = [];
    let i = 0;
    while (i < text.length) {
      if (text[i] === '[') {
        const close = closingBracket(text, i);
        out.push(bracketSegment(text, text.slice(i + 1, close), i));
        i = close + 1;
      } else {
        if (out.length > 0) {
          if (text[i] !== '.') throw bad(text, i, 'expected . or [');
          i++;
        }
        const m = /^[^.[\]]+/.exec(text.slice(i));
        if (m === null) throw bad(text, i, 'empty property name');
        out.push(m[0]);
        i += m[0].length;
      }
    }
    return Object.freeze(out);
  },

  /** Formats a path as `user.addresses[0].zip`; names that aren't identifiers are quoted: `a["b.c"]`. */
  format(path: FieldPath): string {
    let s = '';
    for (const seg of path) {
      if (typeof seg === 'number') s += `[${seg}]`;
      else if (IDENT.test(seg)) s += s === '' ? seg : `.${seg}`;
      else s += `[${JSON.stringify(seg)}]`;
    }
    return s;
  },

  /** A new path one step deeper. */
  child(path: FieldPath, segment: FieldPathSegment): FieldPath {
    return Object.freeze([...path, segment]);
  },
});

/** Index of the `]` closing the bracket at `open`, skipping over a quoted name. */
function closingBracket(text: string, open: number): number {
  let i = open + 1;
  if (text[i] === '"') {
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
  }
  const close = text.indexOf(']', i);
  if (close === -1) throw bad(text, open, 'unclosed [');
  return close;
}

function bracketSegment(text: string, inner: string, at: number): FieldPathSegment {
  if (/^\d+$/.test(inner)) return Number(inner);
  if (inner.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(inner);
      if (typeof parsed === 'string' && parsed.length > 0) return parsed;
    } catch {
      // fall through to the error below
    }
  }
  throw bad(text, at, 'a bracket holds an index like [0] or a quoted name like ["a.b"]');
}

function bad(text: string, at: number, why: string): InvalidOptionError {
  return new InvalidOptionError('fieldPath', `cannot parse ${JSON.stringify(text)} at ${at}: ${why}`);
}
