import type { Hover } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { splitFlags } from '../syntax/args.js';
import { ExpandError, processWord } from '../syntax/expand.js';
import { ImageRefError, normalizeImageRef } from '../lower/imageref.js';
import type { Analysis } from './analysis.js';
import { flagDoc, instructionDoc, mountKeys } from './docs.js';
import { mountFields, spanOf, type Entry, type Outline, type Span, type StageEntry } from './outline.js';

/** Hover: what an instruction, a flag or a mount key does; a variable's value there; a FROM's image. */
export function hover(a: Analysis, doc: TextDocument, offset: number): Hover | null {
  const outline = a.outline();
  const entry = outline?.entryContaining(offset);
  if (!outline || !entry) return null;
  const found = describe(a, outline, entry, offset);
  return found ? { contents: { kind: 'markdown', value: found.text }, range: { start: doc.positionAt(found.span.start), end: doc.positionAt(found.span.end) } } : null;
}

function describe(a: Analysis, outline: Outline, entry: Entry, offset: number): { text: string; span: Span } | undefined {
  const { instr } = entry;
  const keyword = instr.keyword;
  if (offset < keyword.offset + keyword.text.length) {
    const d = instructionDoc(instr.name);
    return d && { text: `**${d.name}**: ${d.doc}${d.usage ? `\n\n\`${d.usage}\`` : ''}`, span: { start: keyword.offset, end: keyword.offset + keyword.text.length } };
  }
  const inside = (s: Span) => s.start <= offset && offset < s.end;
  const use = outline.uses.find((u) => u.entry === entry && inside(u.span));
  if (use) {
    const value = a.scopeOf(instr)?.before(use.name);
    const def = outline.resolve(use.name, entry);
    return { text: variableText(use.name, value, 'here') + (def ? `\n\nset by ${def.kind} on line ${def.entry.instr.startLine}` : ''), span: use.span };
  }
  const def = outline.defs.find((d) => d.entry === entry && inside(d.span));
  if (def) return { text: variableText(def.name, a.scopeOf(instr)?.after(def.name), 'after this line'), span: def.span };
  const ref = outline.stageRefs.find((r) => r.entry === entry && inside(r.span));
  if (ref) return { text: stageText(outline, ref.stage), span: ref.span };

  const { flags } = splitFlags(outline.args(instr).slice(0));
  for (const flag of flags) {
    const name = spanOf(flag.slice, 0, Math.min(flag.slice.text.length, 2 + flag.name.length));
    if (inside(name)) {
      const d = flagDoc(instr.name, flag.name);
      return d && { text: `**--${d.name}**: ${d.doc}${d.values ? ` (${d.values.join(', ')})` : ''}`, span: name };
    }
    if (flag.name !== 'mount' || !flag.value) continue;
    for (const field of mountFields(flag.value)) {
      const key = spanOf(field.at, 0, Math.min(field.at.text.length, field.key.length));
      const d = mountKeys.find((k) => k.key === field.key);
      if (d && inside(key)) return { text: `**${d.key}**: ${d.doc} (${d.types.join(', ')} mounts)`, span: key };
    }
  }

  const stage = outline.stages[entry.stage];
  if (stage && stage.first === entry.at && stage.base && inside(stage.base.span)) {
    return { text: stage.baseStage ? stageText(outline, stage.baseStage) : imageText(a, entry, stage.base.text), span: stage.base.span };
  }
  return undefined;
}

function variableText(name: string, value: string | undefined, when: string): string {
  return value === undefined ? `\`${name}\` is not set ${when}` : `\`${name}\` = \`${value.replace(/`/g, '\\`')}\` ${when}`;
}

function stageText(outline: Outline, stage: StageEntry): string {
  const from = outline.entries[stage.first].instr;
  return `stage ${stage.displayName ? `\`${stage.displayName}\`` : stage.index} (FROM on line ${from.startLine})`;
}

/** The image a FROM names, normalised as the compiler does (global ARGs expanded). */
function imageText(a: Analysis, entry: Entry, written: string): string {
  const globals = a.scopeOf(entry.instr)?.before ?? (() => undefined);
  try {
    const ref = processWord(written, globals);
    if (ref.toLowerCase() === 'scratch') return '`scratch`: the empty filesystem';
    return `image \`${normalizeImageRef(ref)}\``;
  } catch (e) {
    if (e instanceof ExpandError || e instanceof ImageRefError) return `invalid image reference: ${e.message}`;
    throw e;
  }
}
