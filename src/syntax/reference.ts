import { heredocInstructionNames, instructionNames } from './instructions.js';

// The parts of the language reference in grammar/ that come from the instruction table:
// `npm run grammar` writes them, and the tests fail when the committed files differ.

/** grammar/llbc.ebnf with its `keyword = ...` line made from the table. */
export function ebnfWithKeywords(ebnf: string): string {
  return replaceOnce(ebnf, /^keyword( *)= .*;$/m, (_, pad: string) => `keyword${pad}= ${instructionNames.map((n) => `"${n}"`).join(' | ')} ;`);
}

/**
 * grammar/llbc.tmLanguage.json with the `instruction` rule's keyword alternatives made from the
 * table (every instruction but FROM, which has a rule of its own for `AS`).
 */
export function tmLanguageWithKeywords(json: string): string {
  const others = instructionNames.filter((n) => n !== 'FROM');
  return replaceRuleKeywords(replaceRuleKeywords(json, 'instruction', others), 'heredoc-instruction', heredocInstructionNames);
}

/** The first `(?i:A|B)` after the rule's key. */
function replaceRuleKeywords(json: string, rule: string, names: readonly string[]): string {
  const at = json.indexOf(`"${rule}": {`);
  if (at < 0) throw new Error(`llbc.tmLanguage.json has no rule ${rule}`);
  const rest = replaceOnce(json.slice(at), /\(\?i:[A-Z|]*\)/, () => `(?i:${names.join('|')})`);
  return json.slice(0, at) + rest;
}

function replaceOnce(text: string, pattern: RegExp, by: (match: string, ...groups: string[]) => string): string {
  if (!pattern.test(text)) throw new Error(`no match for ${pattern}`);
  return text.replace(pattern, by);
}
