/**
 * An immutable map from ids to values for a state's entries that grow without a bound set by the
 * domain (objections: anyone may lodge one during publicity), where copying a record for every
 * event would make each event cost the whole map, and folding a stream cost its square.
 *
 * Versions of one map share a log of (key, value) settings; a version is a prefix of that log.
 * Setting a key on the newest version appends to the log (constant time); setting one on an older
 * version (a command decided on a state that another has since extended) copies its prefix
 * first, so what any version holds never changes. A key's value in a version is its last
 * setting inside the version's prefix, found by following that key's earlier settings backwards
 * from the newest one (`previous`), which a key set once or twice (lodged, resolved) makes short.
 *
 * Keys are own entries whatever they are: `constructor` or `__proto__` is an id like any other.
 * In JSON a version is the plain object of its entries in the order keys were first set (as a
 * record copied with each entry added would be), so the state's JSON does not depend on this.
 */
interface Shared<V> {
  readonly keys: string[];
  readonly values: V[];
  /** For each setting, the position of the same key's setting before it, or -1. */
  readonly previous: number[];
  /** Each key's newest setting in the log. */
  readonly newest: Map<string, number>;
}

export class KeyedLog<V> {
  readonly #log: Shared<V>;
  readonly #length: number;
  readonly #size: number;

  private constructor(log: Shared<V>, length: number, size: number) {
    this.#log = log;
    this.#length = length;
    this.#size = size;
  }

  static empty<V>(): KeyedLog<V> {
    return new KeyedLog<V>({ keys: [], values: [], previous: [], newest: new Map() }, 0, 0);
  }

  /** A map of a record's own entries, in the record's key order. */
  static of<V>(record: Readonly<Record<string, V>>): KeyedLog<V> {
    let map = KeyedLog.empty<V>();
    for (const [key, value] of Object.entries(record)) map = map.with(key, value);
    return map;
  }

  /** How many keys this version holds. */
  get size(): number {
    return this.#size;
  }

  /** The position of the key's last setting inside this version, or -1. */
  #find(key: string): number {
    const log = this.#log;
    let at = log.newest.get(key) ?? -1;
    while (at >= this.#length) at = log.previous[at]!;
    return at;
  }

  get(key: string): V | undefined {
    const at = this.#find(key);
    return at < 0 ? undefined : this.#log.values[at];
  }

  has(key: string): boolean {
    return this.#find(key) >= 0;
  }

  /** A version with `key` set to `value` (added, or replacing its value). */
  with(key: string, value: V): KeyedLog<V> {
    const log = this.#log.keys.length === this.#length ? this.#log : this.#prefix();
    const known = this.#find(key) >= 0;
    const at = log.keys.length;
    log.keys.push(key);
    log.values.push(value);
    log.previous.push(log.newest.get(key) ?? -1);
    log.newest.set(key, at);
    return new KeyedLog(log, at + 1, known ? this.#size : this.#size + 1);
  }

  /** A log of this version's settings only, for a version that is no longer the newest. */
  #prefix(): Shared<V> {
    const keys = this.#log.keys.slice(0, this.#length);
    const previous = this.#log.previous.slice(0, this.#length);
    const newest = new Map<string, number>();
    keys.forEach((key, at) => newest.set(key, at));
    return { keys, values: this.#log.values.slice(0, this.#length), previous, newest };
  }

  /** [key, value] of every key, in the order keys were first set. */
  entries(): Array<[string, V]> {
    const { keys, previous } = this.#log;
    const out: Array<[string, V]> = [];
    for (let at = 0; at < this.#length; at++) {
      if (previous[at] === -1) out.push([keys[at]!, this.get(keys[at]!)!]);
    }
    return out;
  }

  /** The plain record: `Object.fromEntries` defines every key as an own entry, `__proto__` too. */
  toJSON(): Record<string, V> {
    return Object.fromEntries(this.entries());
  }
}
