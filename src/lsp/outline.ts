import { fields, LogicalText, offsetOf, quotedFields, splitFlags, type Flag, type LogicalSlice } from '../syntax/args.js';
import type { BuildFile, Instruction } from '../syntax/cst.js';
import { isPlainWord } from '../syntax/expand.js';

/** A stretch of the document, as offsets. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Entry {
  readonly instr: Instruction;
  /** Its position in Outline.entries. */
  readonly at: number;
  /** The keyword's start, and the end of the last argument. */
  readonly span: Span;
  /** The stage it belongs to; -1 for the global ARGs before the first FROM. */
  readonly stage: number;
}

export interface StageEntry {
  readonly index: number;
  /** Lower-cased, as stage names compare. */
  readonly name?: string;
  readonly displayName?: string;
  readonly nameSpan?: Span;
  /** What FROM names, as written. */
  readonly base?: { readonly text: string; readonly span: Span };
  /** The stage FROM names, when it names an earlier one. */
  readonly baseStage?: StageEntry;
  /** Its FROM line and last instruction, in Outline.entries. */
  readonly first: number;
  readonly last: number;
}

export interface VarDef {
  readonly name: string;
  readonly kind: 'ARG' | 'ENV';
  readonly span: Span;
  readonly entry: Entry;
  /** `ARG NAME` with no default: inside a stage, it takes the global ARG's value. */
  readonly bare: boolean;
}

export interface VarUse {
  readonly name: string;
  readonly span: Span;
  readonly entry: Entry;
}

export interface StageRef {
  readonly span: Span;
  readonly entry: Entry;
  readonly stage: StageEntry;
}

/**
 * What the editor features need to know about a parsed file: its instructions by position, its
 * stages, and where variables and stages are defined and used. Built from the syntax tree (the
 * compiler's own splitting of lines into flags and words), once per version of a document.
 */
export class Outline {
  readonly entries: Entry[] = [];
  readonly stages: StageEntry[] = [];
  readonly defs: VarDef[] = [];
  readonly uses: VarUse[] = [];
  readonly stageRefs: StageRef[] = [];
  private readonly stageByName = new Map<string, StageEntry>();
  /** Definitions by entry position. */
  private readonly defsOf = new Map<number, VarDef[]>();

  constructor(readonly file: BuildFile) {
    const starts: number[] = [];
    for (const item of file.items) {
      if (item.kind !== 'instruction') continue;
      const text = this.args(item);
      const at = this.entries.length;
      if (item.name === 'FROM') starts.push(at);
      this.entries.push({ instr: item, at, span: { start: item.keyword.offset, end: text.offsetAt(text.text.length) }, stage: starts.length - 1 });
    }
    starts.forEach((first, index) => {
      const stage = this.readStage(index, first, index + 1 < starts.length ? starts[index + 1] - 1 : this.entries.length - 1);
      this.stages.push(stage);
      if (stage.name && !this.stageByName.has(stage.name)) this.stageByName.set(stage.name, stage);
    });
    for (const entry of this.entries) this.readEntry(entry);
  }

  /** An instruction's arguments as one logical line (see syntax/args.ts). */
  args(instr: Instruction): LogicalText {
    return LogicalText.of(this.file.source, instr, this.file.escape);
  }

  /** The instruction whose keyword starts at or before the offset, last first. */
  entryAt(offset: number): Entry | undefined {
    let lo = 0;
    let hi = this.entries.length - 1;
    if (hi < 0 || this.entries[0].span.start > offset) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.entries[mid].span.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.entries[lo];
  }

  /** The instruction containing the offset (its end included, where the cursor is after typing). */
  entryContaining(offset: number): Entry | undefined {
    const e = this.entryAt(offset);
    return e && offset <= e.span.end ? e : undefined;
  }

  /** A stage by a reference's text: a name (any case) or an index; `before` limits it to earlier stages. */
  findStage(ref: string, before = this.stages.length): StageEntry | undefined {
    const stage = /^\d+$/.test(ref) ? this.stages[Number(ref)] : this.stageByName.get(ref.toLowerCase());
    return stage && stage.index < before ? stage : undefined;
  }

  /** The definition a variable use resolves to, as the compiler looks it up (ENV, then the stage's ARG; FROM lines see global ARGs). */
  resolve(name: string, entry: Entry): VarDef | undefined {
    const stage = this.stages[entry.stage];
    if (!stage || entry.at === stage.first) return this.lastDef(name, 0, entry.at, 'ARG');
    return (
      this.lastDef(name, stage.first, entry.at, 'ENV') ??
      this.inheritedEnv(name, stage) ??
      this.lastDef(name, stage.first, entry.at, 'ARG')
    );
  }

  /** For a bare `ARG NAME` in a stage: the global ARG it takes its value from. */
  globalOf(def: VarDef): VarDef | undefined {
    if (!def.bare || def.entry.stage < 0) return undefined;
    const first = this.stages[0]?.first ?? this.entries.length;
    return this.lastDef(def.name, 0, first, 'ARG');
  }

  /** The last definition of a name among entries [from, to). */
  private lastDef(name: string, from: number, to: number, kind: 'ARG' | 'ENV'): VarDef | undefined {
    for (let i = to - 1; i >= from; i--) {
      const defs = this.defsOf.get(i);
      if (!defs) continue;
      for (let j = defs.length - 1; j >= 0; j--) if (defs[j].name === name && defs[j].kind === kind) return defs[j];
    }
    return undefined;
  }

  /** ENV from the stages a stage is built on (FROM an earlier stage). */
  private inheritedEnv(name: string, stage: StageEntry): VarDef | undefined {
    for (let s = stage.baseStage; s; s = s.baseStage) {
      const def = this.lastDef(name, s.first, s.last + 1, 'ENV');
      if (def) return def;
    }
    return undefined;
  }

  private readStage(index: number, first: number, last: number): StageEntry {
    const from = this.entries[first];
    const text = this.args(from.instr);
    const words = fields(splitFlags(text.slice(0)).rest);
    const base = words[0] && { text: words[0].text, span: spanOf(words[0]) };
    const baseStage = base && isPlainWord(base.text) && !/^\d+$/.test(base.text) ? this.findStage(base.text, index) : undefined;
    const named = words.length === 3 && words[1].text.toLowerCase() === 'as' ? words[2] : undefined;
    return {
      index,
      name: named?.text.toLowerCase(),
      displayName: named?.text,
      nameSpan: named && spanOf(named),
      base,
      baseStage,
      first,
      last,
    };
  }

  private readEntry(entry: Entry): void {
    const { instr } = entry;
    const text = this.args(instr);
    const { flags, rest } = splitFlags(text.slice(0));
    let scanned = text.slice(0);
    switch (instr.name) {
      case 'FROM': {
        const stage = this.stages[entry.stage];
        if (stage.baseStage && stage.base) this.stageRefs.push({ span: stage.base.span, entry, stage: stage.baseStage });
        break;
      }
      case 'ARG':
      case 'ENV':
        this.readDefs(entry, rest);
        break;
      case 'RUN':
      case 'COPY':
      case 'ADD':
        // The exec form is not expanded.
        if (/^\[\s*(?:"|\])/.test(rest.text)) scanned = text.slice(0, rest.start);
        for (const flag of flags) this.readStageRef(entry, flag);
        break;
    }
    for (const use of variableUses(scanned.text)) {
      this.uses.push({ name: use.name, span: spanOf(scanned, use.index, use.name.length), entry });
    }
  }

  private readDefs(entry: Entry, rest: LogicalSlice): void {
    const words = quotedFields(rest);
    const defs: VarDef[] = [];
    const kind = entry.instr.name as 'ARG' | 'ENV';
    // `ENV NAME value`: one variable, whose value is the rest of the line.
    const pairs = kind === 'ENV' && words[0] && !words[0].text.includes('=') ? words.slice(0, 1) : words;
    for (const w of pairs) {
      const eq = w.text.indexOf('=');
      const name = eq < 0 ? w.text : w.text.slice(0, eq);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      defs.push({ name, kind, span: spanOf(w, 0, name.length), entry, bare: kind === 'ARG' && eq < 0 });
    }
    if (defs.length > 0) {
      this.defsOf.set(entry.at, defs);
      this.defs.push(...defs);
    }
  }

  private readStageRef(entry: Entry, flag: Flag): void {
    if (!flag.value) return;
    if (flag.name === 'from' && entry.instr.name === 'COPY') {
      const stage = isPlainWord(flag.value.text) ? this.findStage(flag.value.text) : undefined;
      if (stage) this.stageRefs.push({ span: spanOf(flag.value), entry, stage });
    } else if (flag.name === 'mount') {
      for (const field of mountFields(flag.value)) {
        if (field.key !== 'from' || !field.value) continue;
        const stage = isPlainWord(field.value.text) ? this.findStage(field.value.text) : undefined;
        if (stage) this.stageRefs.push({ span: spanOf(field.value), entry, stage });
      }
    }
  }
}

export interface MountField {
  readonly key: string;
  readonly at: LogicalSlice;
  readonly value?: LogicalSlice;
}

/** The `key=value` fields of a `--mount` value, as lower/run.ts splits them. */
export function mountFields(value: LogicalSlice): MountField[] {
  const out: MountField[] = [];
  let pos = 0;
  for (const part of value.text.split(',')) {
    const at = value.source.slice(value.start + pos, value.start + pos + part.length);
    pos += part.length + 1;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    out.push({ key, at, value: eq < 0 ? undefined : value.source.slice(at.start + eq + 1, at.start + part.length) });
  }
  return out;
}

/** The source span of a piece of a logical line (or of `length` characters from `index` in it). */
export function spanOf(s: LogicalSlice, index = 0, length = s.text.length - index): Span {
  const start = offsetOf(s, index);
  return { start, end: length > 0 ? offsetOf(s, index + length - 1) + 1 : start };
}

/**
 * Where `$NAME` and `${NAME...}` are in a line, as expansion reads it: not after a backslash,
 * not inside single quotes. Uses inside `${...}` operands are found too.
 */
export function variableUses(text: string): { name: string; index: number }[] {
  const out: { name: string; index: number }[] = [];
  const name = /\$(\{?)([A-Za-z_][A-Za-z0-9_]*)/y;
  let double = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (c === "'" && !double) {
      const end = text.indexOf("'", i + 1);
      if (end < 0) break;
      i = end;
    } else if (c === '"') {
      double = !double;
    } else if (c === '$') {
      name.lastIndex = i;
      const m = name.exec(text);
      if (m) out.push({ name: m[2], index: i + 1 + m[1].length });
    }
  }
  return out;
}
