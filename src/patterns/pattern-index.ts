import { InvalidOptionError } from '../errors.js';
import { isEventType } from '../events/event-type.js';
import { parsePattern, type CompiledPattern } from './pattern.js';

/** What {@link PatternIndex} takes. */
export interface PatternIndexOptions {
  /**
   * How many event types' match results are kept; when full, the cache is cleared and refilled.
   * `0` turns caching off.
   * @default 10_000
   */
  readonly cacheSize?: number;
}

/** One (pattern, value) registration: `count` adds not yet removed; `seq` orders results. */
interface Entry<V> {
  readonly value: V;
  count: number;
  readonly seq: number;
}

/** Where a pattern ends in the trie, with its registrations. */
interface Terminal<V> {
  readonly node: TrieNode<V>;
  readonly pattern: CompiledPattern;
  readonly entries: Map<V, Entry<V>>;
}

/** A trie node: one per distinct pattern prefix. */
interface TrieNode<V> {
  readonly parent: TrieNode<V> | undefined;
  /** The segment that leads here from `parent`: a literal, `+` or `*` (`''` for the root). */
  readonly segment: string;
  literals: Map<string, TrieNode<V>> | undefined;
  single: TrieNode<V> | undefined;
  multi: TrieNode<V> | undefined;
  /** Set while some registration's pattern ends at this node. */
  terminal: Terminal<V> | undefined;
}

const EMPTY: readonly never[] = Object.freeze([]);
const DEFAULT_CACHE_SIZE = 10_000;

function newNode<V>(parent: TrieNode<V> | undefined, segment: string): TrieNode<V> {
  return { parent, segment, literals: undefined, single: undefined, multi: undefined, terminal: undefined };
}

/**
 * Many subscriptions compiled into one segment trie, so that matching an event type walks the trie
 * once instead of testing every pattern.
 *
 * Contract:
 * - Adding the same (pattern, value) twice counts twice: it takes two {@link PatternIndex.remove}
 *   calls to remove it, and {@link PatternIndex.size} counts both. Matching still yields the value
 *   once.
 * - {@link PatternIndex.match} returns each matching value once, ordered by the earliest still-present
 *   registration that matches (first-added first; a registration removed down to zero and added
 *   again goes last).
 * - Results are cached per event type (bounded) and kept correct across `add`/`remove`; the returned
 *   arrays are frozen and shared, never copied.
 * - Removing every registration frees every trie node.
 *
 * @example
 * ```ts
 * const index = new PatternIndex<string>();
 * index.add('validation.*', 'audit');
 * index.add('*.error.*', 'alerts');
 * index.match('validation.error.occurred'); // ['audit', 'alerts']
 * ```
 */
export class PatternIndex<V> {
  #root: TrieNode<V> = newNode(undefined, '');
  /** The terminal of every pattern that has at least one registration. */
  readonly #terminals = new Map<string, Terminal<V>>();
  readonly #cache = new Map<string, readonly V[]>();
  readonly #cacheSize: number;
  #size = 0;
  #seq = 0;

  /** @throws {@link InvalidOptionError} if `cacheSize` is not a non-negative integer. */
  constructor(options: PatternIndexOptions = {}) {
    const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    if (!Number.isInteger(cacheSize) || cacheSize < 0) {
      throw new InvalidOptionError('cacheSize', `must be a non-negative integer, got ${cacheSize}`);
    }
    this.#cacheSize = cacheSize;
  }

  /** Number of registrations, counting a (pattern, value) added twice as two. */
  get size(): number {
    return this.#size;
  }

  /**
   * Registers `value` under `pattern`. Costs O(cached event types) to keep the cache exact.
   * @throws {@link InvalidPatternError} if `pattern` is invalid; the index is then unchanged.
   */
  add(pattern: string, value: V): void {
    const terminal = this.#terminals.get(pattern) ?? this.#insert(parsePattern(pattern));
    this.#size++;
    const entry = terminal.entries.get(value);
    if (entry !== undefined) {
      entry.count++; // already matched wherever it matches: results don't change
      return;
    }
    terminal.entries.set(value, { value, count: 1, seq: this.#seq++ });
    this.#cacheAdded(terminal.pattern, value);
  }

  /**
   * Undoes one {@link PatternIndex.add} of (`pattern`, `value`).
   * @returns `false` (and changes nothing) when that pair is not registered, including when
   * `pattern` is invalid.
   */
  remove(pattern: string, value: V): boolean {
    const terminal = this.#terminals.get(pattern);
    const entry = terminal?.entries.get(value);
    if (terminal === undefined || entry === undefined) return false;
    this.#size--;
    if (--entry.count > 0) return true;
    const { node, entries } = terminal;
    entries.delete(value);
    this.#cacheRemoved(terminal.pattern, value);
    if (entries.size === 0) {
      node.terminal = undefined;
      this.#terminals.delete(pattern);
      this.#prune(node);
    }
    return true;
  }

  /**
   * The values whose pattern matches `eventType`, each once, in registration order (see the class
   * contract). An invalid event type matches nothing.
   * @returns a frozen array owned by the index: don't mutate it (it can't be), keep it as long as you like.
   */
  match(eventType: string): readonly V[] {
    const cached = this.#cache.get(eventType);
    if (cached !== undefined) return cached;
    // Invalid types are not cached, so garbage input can't evict real entries.
    if (this.#size === 0 || !isEventType(eventType)) return EMPTY;
    const result = this.#compute(eventType.split('.'));
    if (this.#cacheSize > 0) {
      if (this.#cache.size >= this.#cacheSize) this.#cache.clear();
      this.#cache.set(eventType, result);
    }
    return result;
  }

  /** Whether any registered pattern matches `eventType`. */
  hasMatch(eventType: string): boolean {
    return this.match(eventType).length > 0;
  }

  /** The distinct patterns that have at least one registration, in first-registration order. */
  patterns(): string[] {
    return [...this.#terminals.keys()];
  }

  /** Removes every registration and frees the trie. */
  clear(): void {
    this.#root = newNode(undefined, '');
    this.#terminals.clear();
    this.#cache.clear();
    this.#size = 0;
  }

  /** Creates (or reuses) the path of `compiled` and marks its end as a terminal. */
  #insert(compiled: CompiledPattern): Terminal<V> {
    let node = this.#root;
    for (const { kind, text } of compiled.segments) {
      if (kind === 'multi') node = node.multi ??= newNode(node, text);
      else if (kind === 'single') node = node.single ??= newNode(node, text);
      else {
        const literals = (node.literals ??= new Map<string, TrieNode<V>>());
        let child = literals.get(text);
        if (child === undefined) literals.set(text, (child = newNode(node, text)));
        node = child;
      }
    }
    const terminal: Terminal<V> = { node, pattern: compiled, entries: new Map<V, Entry<V>>() };
    node.terminal = terminal;
    this.#terminals.set(compiled.source, terminal);
    return terminal;
  }

  /** Detaches `node` and its ancestors for as long as they hold nothing. */
  #prune(start: TrieNode<V>): void {
    let node = start;
    while (node.parent !== undefined && isEmpty(node)) {
      const parent = node.parent;
      if (parent.multi === node) parent.multi = undefined;
      else if (parent.single === node) parent.single = undefined;
      else {
        parent.literals?.delete(node.segment);
        if (parent.literals?.size === 0) parent.literals = undefined;
      }
      node = parent;
    }
  }

  /**
   * Runs the trie as an NFA, one event-type segment at a time. A `*` node loops on itself (it may
   * swallow further segments), so each (node, position) pair is visited once: O(nodes × segments)
   * at worst, however many stars the patterns hold.
   */
  #compute(parts: readonly string[]): readonly V[] {
    let states: Iterable<TrieNode<V>> = [this.#root];
    for (const part of parts) {
      const next = new Set<TrieNode<V>>();
      for (const node of states) {
        const literal = node.literals?.get(part);
        if (literal !== undefined) next.add(literal);
        if (node.single !== undefined) next.add(node.single);
        if (node.multi !== undefined) next.add(node.multi);
        if (node.segment === '*') next.add(node);
      }
      if (next.size === 0) return EMPTY;
      states = next;
    }
    return collect(states);
  }

  /** A new registration: append `value` to every cached result it now appears in. */
  #cacheAdded(pattern: CompiledPattern, value: V): void {
    // The new registration has the highest `seq`, so a value not yet in a result goes last, and a
    // value already there keeps its earlier place.
    for (const [type, values] of this.#cache) {
      if (pattern.matches(type) && !values.includes(value)) this.#cache.set(type, Object.freeze([...values, value]));
    }
  }

  /** A registration is gone: drop every cached result it may have contributed to. */
  #cacheRemoved(pattern: CompiledPattern, value: V): void {
    // Recomputing lazily is simpler than working out whether another pattern still yields `value`
    // and where it now sorts.
    for (const [type, values] of this.#cache) {
      if (values.includes(value) && pattern.matches(type)) this.#cache.delete(type);
    }
  }
}

function isEmpty<V>(node: TrieNode<V>): boolean {
  return node.terminal === undefined && node.literals === undefined && node.single === undefined && node.multi === undefined;
}

/** The values registered at `nodes`, each once, ordered by their earliest registration. */
function collect<V>(nodes: Iterable<TrieNode<V>>): readonly V[] {
  const found: Entry<V>[] = [];
  for (const node of nodes) {
    if (node.terminal !== undefined) for (const entry of node.terminal.entries.values()) found.push(entry);
  }
  if (found.length === 0) return EMPTY;
  found.sort((a, b) => a.seq - b.seq);
  const seen = new Set<V>();
  const values: V[] = [];
  for (const { value } of found) {
    if (!seen.has(value)) {
      seen.add(value);
      values.push(value);
    }
  }
  return Object.freeze(values);
}
