import { Diagnostic } from '../diagnostics.js';
import { defaultCopyImage, defaultPlatform, type CompileOptions } from '../options.js';
import type { BuildFile, Instruction, Item } from '../syntax/cst.js';
import { State } from '../llb/state.js';
import type { Lookup } from '../syntax/expand.js';
import { Compilation, NeedStage, type LowerOptions, type StageArgs, type StageConfig } from '../lower/compilation.js';
import { cycleError, predefinedArgs } from '../lower/lower.js';
import { declareArgs, lowerInstruction, scratchStart, startStage } from '../lower/instructions.js';
import { readProgram, type Program, type Stage } from '../lower/program.js';

/** The variables as an instruction sees them (before) and leaves them (after). */
export interface Scope {
  readonly before: Lookup;
  readonly after: Lookup;
}

interface Cursor extends StageArgs {
  state?: State;
  config?: StageConfig;
  next: number;
}

/** Thrown to stop lowering once the scope asked for is known. */
class Found {
  constructor(readonly scope: Scope) {}
}

const maxProgramErrors = 100;

/**
 * The compiler's lowering, run so that it reports every error it can instead of the first: each
 * stage is lowered, and an instruction that fails is reported and skipped, the stage going on
 * from the state before it. A stage whose FROM fails goes on from scratch. Errors that stop the
 * file from being split into stages (a FROM line, an instruction before the first FROM) are
 * reported and the offending lines left out, the FROM with its stage.
 *
 * This drives lower/'s own pieces (readProgram, Compilation, startStage, lowerInstruction) in the
 * order lower() does, with a try around each: nothing is checked here that the compiler does not.
 */
export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  private readonly comp?: Compilation;
  private readonly cursors: (Cursor | undefined)[] = [];
  private readonly globalScopes = new Map<Instruction, Scope>();
  private watch?: Instruction;

  constructor(file: BuildFile, options: CompileOptions) {
    const program = this.readProgram(file);
    if (!program) return;
    const lowerOptions: LowerOptions = {
      buildArgs: options.buildArgs ?? new Map(),
      platform: options.platform ?? defaultPlatform,
      copyImage: options.copyImage ?? defaultCopyImage,
      copyMode: options.copyMode,
      mode: options.mode,
      // Step names are for builds, not for checking.
      debugInfo: false,
    };
    let comp: Compilation;
    try {
      comp = new Compilation(program, lowerOptions);
    } catch (e) {
      // A bad `# copy=` directive: reported, and the file checked as if it were not there.
      this.record(e);
      const directives = new Map(program.file.directives);
      directives.delete('copy');
      comp = new Compilation({ ...program, file: { ...program.file, directives } }, lowerOptions);
    }
    this.comp = comp;
    for (const [k, v] of predefinedArgs(lowerOptions.platform)) comp.globals.set(k, v);
    for (const instr of program.globals) {
      const before = snapshot(comp.globals);
      try {
        declareArgs(comp, instr, comp.globals, (name) => comp.globals.get(name), true);
      } catch (e) {
        this.record(e);
      }
      this.globalScopes.set(instr, { before, after: snapshot(comp.globals) });
    }
  }

  /** Lowers every stage; the compiler's warnings are added to the diagnostics. */
  checkAll(): Diagnostic[] {
    const comp = this.comp;
    if (comp) {
      for (const stage of comp.program.stages) this.lower(stage);
      this.diagnostics.push(...comp.warnings);
    }
    return this.diagnostics;
  }

  /** The variables around an instruction: global ARGs, a FROM line (the globals), or a stage's instruction. */
  scopeOf(instr: Instruction): Scope | undefined {
    const comp = this.comp;
    if (!comp) return undefined;
    const global = this.globalScopes.get(instr);
    if (global) return global;
    const stage = comp.program.stages.find((s) => s.from === instr || (s.size > 0 && s.at(0).index <= instr.index && s.at(s.size - 1).index >= instr.index));
    if (!stage) return undefined;
    if (stage.from === instr) {
      const globals = snapshot(comp.globals);
      return { before: globals, after: globals };
    }
    this.watch = instr;
    try {
      this.lower(stage);
    } catch (e) {
      if (e instanceof Found) return e.scope;
      throw e;
    } finally {
      this.watch = undefined;
    }
    return undefined;
  }

  private readProgram(file: BuildFile): Program | undefined {
    let items = file.items;
    for (let n = 0; n < maxProgramErrors; n++) {
      try {
        return readProgram(items === file.items ? file : { ...file, items });
      } catch (e) {
        const d = this.record(e);
        // "No build stage": nothing to leave out.
        if (!items.some((i) => i.kind === 'instruction' && i.name === 'FROM')) return undefined;
        const left = withoutInstructionAt(items, d.offset);
        if (!left) return undefined;
        items = left;
      }
    }
    return undefined;
  }

  private record(e: unknown): Diagnostic {
    if (!(e instanceof Diagnostic)) throw e;
    // A stage's error is met again by every stage that uses it.
    if (!this.diagnostics.some((d) => d.offset === e.offset && d.message === e.message)) this.diagnostics.push(e);
    return e;
  }

  /** lower/lower.ts's lowerStages, going on past errors. */
  private lower(target: Stage): void {
    const comp = this.comp!;
    const cursors = this.cursors;
    const stack: Stage[] = [target];
    while (stack.length > 0) {
      const stage = stack[stack.length - 1];
      if (comp.results[stage.index]) {
        stack.pop();
        continue;
      }
      const cursor = (cursors[stage.index] ??= { next: -1, state: undefined, config: undefined, args: undefined });
      try {
        if (cursor.next < 0) {
          ({ state: cursor.state, config: cursor.config } = this.start(stage));
          cursor.next = 0;
        }
        for (; cursor.next < stage.size; cursor.next++) {
          const instr = stage.at(cursor.next);
          const before = instr === this.watch ? lookupOf(cursor) : undefined;
          try {
            cursor.state = lowerInstruction(comp, stage, instr, cursor.state!, cursor, cursor.config!);
          } catch (e) {
            if (e instanceof NeedStage) throw e;
            this.record(e);
          }
          if (before) throw new Found({ before, after: lookupOf(cursor) });
        }
        comp.results[stage.index] = cursor.state!;
        comp.configs[stage.index] = cursor.config!;
        stack.pop();
        cursors[stage.index] = undefined;
      } catch (e) {
        if (!(e instanceof NeedStage)) throw e;
        if (cursors[e.stage.index] && stack.includes(e.stage)) {
          try {
            cycleError(stack, e);
          } catch (cycle) {
            this.record(cycle);
          }
          // Go on without the instruction that closed the cycle.
          if (cursor.next < 0) ({ state: cursor.state, config: cursor.config } = scratchStart(comp.options.platform));
          cursor.next++;
        } else {
          stack.push(e.stage);
        }
      }
    }
  }

  private start(stage: Stage): { state: State; config: StageConfig } {
    try {
      return startStage(this.comp!, stage);
    } catch (e) {
      if (e instanceof NeedStage) throw e;
      this.record(e);
      return scratchStart(this.comp!.options.platform);
    }
  }
}

function snapshot(vars: ReadonlyMap<string, string | undefined>): Lookup {
  const copy = new Map(vars);
  return (name) => copy.get(name);
}

function lookupOf(cursor: Cursor): Lookup {
  const env = cursor.state?.getEnv();
  const args = cursor.args && new Map(cursor.args);
  return (name) => env?.get(name) ?? args?.get(name);
}

/**
 * The items without the instruction at an offset; a FROM goes with its stage, whose other
 * instructions would otherwise join the stage before. Undefined when no instruction is there.
 */
function withoutInstructionAt(items: readonly Item[], offset: number): Item[] | undefined {
  let at = -1;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.kind !== 'instruction') continue;
    if (item.keyword.offset > offset) break;
    at = i;
  }
  if (at < 0) return undefined;
  const bad = items[at] as Instruction;
  let end = at + 1;
  if (bad.name === 'FROM') {
    while (end < items.length) {
      const item = items[end];
      if (item.kind === 'instruction' && item.name === 'FROM') break;
      end++;
    }
  }
  return [...items.slice(0, at), ...items.slice(end)];
}
