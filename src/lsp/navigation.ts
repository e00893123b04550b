import type { Outline, Span, StageEntry, VarDef } from './outline.js';

/** What a name at an offset refers to: a stage, or a variable's definition (none when unset). */
type Target = { kind: 'stage'; stage: StageEntry } | { kind: 'variable'; name: string; def?: VarDef; atDef: boolean };

function targetAt(outline: Outline, offset: number): Target | undefined {
  const entry = outline.entryContaining(offset);
  if (!entry) return undefined;
  // The end is included: the cursor is often just after a name.
  const inside = (s: Span) => s.start <= offset && offset <= s.end;
  const ref = outline.stageRefs.find((r) => r.entry === entry && inside(r.span));
  if (ref) return { kind: 'stage', stage: ref.stage };
  const stage = outline.stages[entry.stage];
  if (stage?.nameSpan && stage.first === entry.at && inside(stage.nameSpan)) return { kind: 'stage', stage };
  const use = outline.uses.find((u) => u.entry === entry && inside(u.span));
  if (use) return { kind: 'variable', name: use.name, def: outline.resolve(use.name, entry), atDef: false };
  const def = outline.defs.find((d) => d.entry === entry && inside(d.span));
  if (def) return { kind: 'variable', name: def.name, def, atDef: true };
  return undefined;
}

function stageSpan(outline: Outline, stage: StageEntry): Span {
  return stage.nameSpan ?? outline.entries[stage.first].span;
}

/** Go to definition: a stage's name in its FROM line; a variable's ARG or ENV (a bare stage ARG leads to the global one). */
export function definition(outline: Outline, offset: number): Span | undefined {
  const t = targetAt(outline, offset);
  if (!t) return undefined;
  if (t.kind === 'stage') return stageSpan(outline, t.stage);
  if (!t.def) return undefined;
  return (t.atDef ? outline.globalOf(t.def) : undefined)?.span ?? t.def.span;
}

/** Find references: every use of a stage or of a variable's definition, in document order. */
export function references(outline: Outline, offset: number, includeDeclaration: boolean): Span[] {
  const t = targetAt(outline, offset);
  if (!t) return [];
  const out: Span[] = [];
  if (t.kind === 'stage') {
    if (includeDeclaration) out.push(stageSpan(outline, t.stage));
    for (const r of outline.stageRefs) if (r.stage === t.stage) out.push(r.span);
  } else {
    if (!t.def) return [];
    // A stage's bare `ARG NAME` carries the global ARG on: one variable, seen from the global.
    const root = outline.globalOf(t.def) ?? t.def;
    const same = (d: VarDef | undefined) => d !== undefined && (d === root || outline.globalOf(d) === root);
    if (includeDeclaration) for (const d of outline.defs) if (d.name === t.name && same(d)) out.push(d.span);
    for (const u of outline.uses) if (u.name === t.name && same(outline.resolve(u.name, u.entry))) out.push(u.span);
  }
  return out.sort((a, b) => a.start - b.start);
}
