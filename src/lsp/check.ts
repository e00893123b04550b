import { Diagnostic } from '../diagnostics.js';
import { defaultCopyImage, defaultPlatform, type CompileOptions } from '../options.js';
import type { BuildFile, Instruction, Item } from '../syntax/cst.js';
import type { Lookup } from '../syntax/expand.js';
import { Compilation, type LowerOptions } from '../lower/compilation.js';
import { lowerStages, predefinedArgs, type StageHooks } from '../lower/lower.js';
import { declareArgs } from '../lower/instructions.js';
import { readProgram, type Program } from '../lower/program.js';

/** The variables as an instruction sees them (before) and leaves them (after). */
export interface Scope {
  readonly before: Lookup;
  readonly after: Lookup;
}

const maxProgramErrors = 100;

/**
 * The compiler's lowering, run so that it reports every error it can instead of the first: each
 * stage is lowered, and an instruction that fails is reported and skipped, the stage going on
 * from the state before it. A stage whose FROM fails goes on from scratch. Errors that stop the
 * file from being split into stages (a FROM line, an instruction before the first FROM) are
 * reported and the offending lines left out, the FROM with its stage.
 *
 * This drives lower/'s own pieces (readProgram, Compilation, lowerStages) as lower() does, with
 * lowerStages's hooks to go on past errors: nothing is checked here that the compiler does not.
 */
export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  private readonly comp?: Compilation;
  private readonly globalScopes = new Map<Instruction, Scope>();
  /** Each error is reported and lowering goes on. */
  private readonly goOn: StageHooks = { failed: (e) => this.record(e) };

  constructor(file: BuildFile, options: CompileOptions) {
    const program = this.readProgram(file, options.mode === 'dockerfile');
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
      for (const stage of comp.program.stages) lowerStages(comp, stage, this.goOn);
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
    let scope: Scope | undefined;
    lowerStages(comp, stage, { ...this.goOn, watch: { instr, found: (before, after) => (scope = { before, after }) } });
    return scope;
  }

  /** `reusedNames`: Dockerfile mode, where a stage name may be given again (see readProgram). */
  private readProgram(file: BuildFile, reusedNames: boolean): Program | undefined {
    let items = file.items;
    for (let n = 0; n < maxProgramErrors; n++) {
      try {
        return readProgram(items === file.items ? file : { ...file, items }, reusedNames);
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
}

function snapshot(vars: ReadonlyMap<string, string | undefined>): Lookup {
  const copy = new Map(vars);
  return (name) => copy.get(name);
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
