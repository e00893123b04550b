/**
 * Go's llb EnvList: setting a key that exists removes the old entry and appends the new one,
 * so the exec sees keys in the order they were last set.
 */
export class EnvList {
  static readonly empty = new EnvList([]);

  private constructor(private readonly entries: readonly (readonly [string, string])[]) {}

  get(key: string): string | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }

  addOrReplace(key: string, value: string): EnvList {
    return new EnvList([...this.entries.filter(([k]) => k !== key), [key, value]]);
  }

  toArray(): string[] {
    return this.entries.map(([k, v]) => `${k}=${v}`);
  }

  keys(): string[] {
    return this.entries.map(([k]) => k);
  }
}
