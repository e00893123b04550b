import { createSyntaxDiagramsCode } from 'chevrotain';
import { grammarParser } from './grammar.js';

/** Railroad diagrams of the parser's grammar, as a standalone HTML page (grammar/railroad.html). */
export function railroadDiagrams(): string {
  return createSyntaxDiagramsCode(grammarParser().getSerializedGastProductions(), {
    resourceBase: 'https://unpkg.com/chevrotain@11.2.0/diagrams/',
  });
}
