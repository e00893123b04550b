import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { defaultPlatform } from '../options.js';
import { predefinedArgs } from '../lower/lower.js';
import type { Analysis } from './analysis.js';
import { flagDoc, instructionDoc, instructions, mountKeys, mountTypes } from './docs.js';
import type { Entry, Outline } from './outline.js';

/**
 * Completion: instructions at the start of a line; then, by what the word being typed looks
 * like, an instruction's flags, their values, `--mount` keys and values, stage names (`--from=`,
 * `from=`, FROM) and the variables declared before the line (after `$`).
 */
export function complete(a: Analysis, doc: TextDocument, offset: number): CompletionItem[] {
  const text = a.text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const linePrefix = text.slice(lineStart, offset);
  const word = /[^ \t]*$/.exec(linePrefix)![0];
  const range = { start: doc.positionAt(offset - word.length), end: doc.positionAt(offset) };
  const item = (label: string, kind: CompletionItemKind, detail?: string, insert = label, from = word.length): CompletionItem => ({
    label,
    kind,
    detail,
    textEdit: { range: { start: doc.positionAt(offset - from), end: range.end }, newText: insert },
  });
  const outline = a.outline();
  const entry = outline && argumentsOf(outline, text, offset);
  if (!outline || !entry) {
    if (!/^[ \t]*[A-Za-z]*$/.test(linePrefix)) return [];
    const lower = word !== '' && word === word.toLowerCase();
    return instructions(a.mode).map((i) => item(lower ? i.name.toLowerCase() : i.name, CompletionItemKind.Keyword, i.doc));
  }
  const instr = entry.instr.name;
  const stages = (before?: number) =>
    outline.stages.filter((s) => s.displayName && s.index !== entry.stage && (before === undefined || s.index < before)).map((s) => s.displayName!);

  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    if (eq < 0) return (instructionDoc(instr)?.flags ?? []).map((f) => item(`--${f.name}`, CompletionItemKind.Property, f.doc, `--${f.name}=`));
    const flag = word.slice(2, eq);
    const value = word.slice(eq + 1);
    if (flag === 'mount') {
      const field = value.slice(value.lastIndexOf(',') + 1);
      const keyEnd = field.indexOf('=');
      if (keyEnd >= 0) {
        const key = field.slice(0, keyEnd).toLowerCase();
        const partial = field.slice(keyEnd + 1);
        const values = key === 'from' ? stages() : (mountKeys.find((k) => k.key === key)?.values ?? []);
        return values.map((v) => item(v, key === 'from' ? CompletionItemKind.Reference : CompletionItemKind.EnumMember, undefined, v, partial.length));
      }
      const type = /(?:^|,)type=([a-z]+)/i.exec(value)?.[1]?.toLowerCase();
      return mountKeys
        .filter((k) => !type || (k.key !== 'type' && k.types.includes(type)))
        .map((k) => item(k.key, CompletionItemKind.Property, k.doc, k.values?.[0] === 'true' ? k.key : `${k.key}=`, field.length));
    }
    if (flag === 'from') return stages().map((s) => item(s, CompletionItemKind.Reference, 'stage', s, value.length));
    return (flagDoc(instr, flag)?.values ?? []).map((v) => item(v, CompletionItemKind.EnumMember, undefined, v, value.length));
  }

  const dollar = /\$\{?([A-Za-z0-9_]*)$/.exec(word);
  if (dollar) return visibleVariables(outline, entry).map((v) => item(v, CompletionItemKind.Variable, undefined, v, dollar[1].length));

  if (instr === 'FROM') {
    const before = text.slice(entry.instr.keyword.offset + 4, offset - word.length).split(/[ \t]+/).filter((w) => w && !w.startsWith('--'));
    if (before.length === 0) {
      return [...stages(entry.stage), 'scratch'].map((s) => item(s, s === 'scratch' ? CompletionItemKind.Value : CompletionItemKind.Reference, s === 'scratch' ? 'the empty filesystem' : 'stage'));
    }
    if (before.length === 1) return [item('AS', CompletionItemKind.Keyword, 'names the stage')];
  }
  return [];
}

/**
 * The instruction whose arguments the offset is in: after its keyword, and with no line break
 * between that is not a continuation's.
 */
function argumentsOf(outline: Outline, text: string, offset: number): Entry | undefined {
  const entry = outline.entryAt(offset);
  if (!entry) return undefined;
  const keywordEnd = entry.instr.keyword.offset + entry.instr.keyword.text.length;
  if (offset <= keywordEnd) return undefined;
  const between = text.slice(keywordEnd, offset).replace(/\\[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*/g, ' ');
  return between.includes('\n') ? undefined : entry;
}

/** The variables an instruction can use: the stage's ARGs and ENVs before it, inherited ENVs, global and predefined ARGs. */
function visibleVariables(outline: Outline, entry: Entry): string[] {
  const names = new Set<string>();
  const stage = outline.stages[entry.stage];
  const fromLine = !stage || stage.first === entry.at;
  for (const d of outline.defs) {
    if (d.entry.at >= entry.at) break;
    if (d.entry.stage === -1 || (!fromLine && d.entry.stage === entry.stage)) names.add(d.name);
  }
  for (let s = fromLine ? undefined : stage.baseStage; s; s = s.baseStage) {
    for (const d of outline.defs) if (d.kind === 'ENV' && d.entry.stage === s.index) names.add(d.name);
  }
  for (const [name] of predefinedArgs(defaultPlatform)) names.add(name);
  return [...names];
}
