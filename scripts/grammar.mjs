// Regenerates what grammar/ holds that is made from the code (run after `npm run build`): the
// railroad diagrams from the parser, and the keyword lists of the EBNF and the TextMate grammar
// from the instruction table (src/syntax/instructions.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { railroadDiagrams } from '../dist/src/syntax/diagrams.js';
import { ebnfWithKeywords, tmLanguageWithKeywords } from '../dist/src/syntax/reference.js';

const file = (name) => new URL(`../grammar/${name}`, import.meta.url);
writeFileSync(file('railroad.html'), railroadDiagrams());
writeFileSync(file('llbc.ebnf'), ebnfWithKeywords(readFileSync(file('llbc.ebnf'), 'utf8')));
writeFileSync(file('llbc.tmLanguage.json'), tmLanguageWithKeywords(readFileSync(file('llbc.tmLanguage.json'), 'utf8')));
