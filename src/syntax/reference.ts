import { imageConfigInstructions, instructionNames } from './instructions.js';

// The parts of the language reference in grammar/ that come from the instruction table:
// `npm run grammar` writes them, and the tests fail when the committed files differ.

/** grammar/llbc.ebnf with its `keyword = ...` line made from the table. */
export function ebnfWithKeywords(ebnf: string): string {
  return replaceOnce(ebnf, /^keyword( *)= .*;$/m, (_, pad: string) => `keyword${pad}= ${instructionNames.map((n) => `"${n}"`).join(' | ')} ;`);
}

/**
 * grammar/llbc.tmLanguage.json with its keyword alternatives made from the table: the
 * `instruction` rule's (every instruction but FROM, which has a rule of its own for `AS`) and
 * the `unsupported` rule's (the Dockerfile instructions the table does not have).
 */
export function tmLanguageWithKeywords(json: string): string {
  const others = instructionNames.filter((n) => n !== 'FROM');
  const withInstructions = replaceRuleKeywords(json, 'instruction', others);
  return replaceRuleKeywords(withInstructions, 'unsupported', imageConfigInstructions);
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
