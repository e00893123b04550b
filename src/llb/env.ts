/**
 * Go's llb EnvList: setting a key that exists removes the old entry and appends the new one,
 * so the exec sees keys in the order they were last set.
 *
 * Lists are immutable but share storage: every list is a prefix of an append-only log of
 * assignments, and setting a key on the newest list of a log appends to that log instead of
 * copying it. A stage's ENV lines form exactly such a chain, so a file with n ENV lines costs
 * O(n) to lower, not the O(n^2) of copying the list on every line; only setting a key on an
 * older list (a stage continued by two others) copies.
 */
export class EnvList {
  static readonly empty = new EnvList(undefined, 0);

  private constructor(
    private readonly log: EnvLog | undefined,
    private readonly length: number,
  ) {}

  get(key: string): string | undefined {
    const at = this.lastSet(key);
    return at < 0 ? undefined : this.log!.values[at];
  }

  addOrReplace(key: string, value: string): EnvList {
    let log = this.log;
    // The shared empty list never owns a log, so separate compilations never share one.
    if (!log || this.length !== log.keys.length) log = EnvLog.prefixOf(log, this.length);
    log.append(key, value);
    return new EnvList(log, this.length + 1);
  }

  /**
   * `KEY=value` strings in the order the keys were last set. Made afresh on each call: an exec
   * needs them once, when it is marshalled, and keeping them would hold every exec's
   * environment in memory at once.
   */
  toArray(): string[] {
    return this.live().map((at) => `${this.log!.keys[at]}=${this.log!.values[at]}`);
  }

  keys(): string[] {
    return this.live().map((at) => this.log!.keys[at]);
  }

  /** Log positions of the entries this list sees, oldest first. */
  private live(): number[] {
    if (!this.log) return [];
    const out: number[] = [];
    for (const key of this.log.positions.keys()) {
      const at = this.lastSet(key);
      if (at >= 0) out.push(at);
    }
    return out.sort((a, b) => a - b);
  }

  /** The log position where this list last set `key`, or -1. */
  private lastSet(key: string): number {
    const positions = this.log?.positions.get(key);
    if (!positions || positions[0] >= this.length) return -1;
    let lo = 0;
    let hi = positions.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (positions[mid] < this.length) lo = mid;
      else hi = mid - 1;
    }
    return positions[lo];
  }
}

/** Assignments in order, with each key's positions (ascending) for lookups. */
class EnvLog {
  readonly keys: string[] = [];
  readonly values: string[] = [];
  readonly positions = new Map<string, number[]>();

  static prefixOf(log: EnvLog | undefined, length: number): EnvLog {
    const out = new EnvLog();
    for (let i = 0; i < length; i++) out.append(log!.keys[i], log!.values[i]);
    return out;
  }

  append(key: string, value: string): void {
    const at = this.keys.length;
    this.keys.push(key);
    this.values.push(value);
    const positions = this.positions.get(key);
    if (positions) positions.push(at);
    else this.positions.set(key, [at]);
  }
}
