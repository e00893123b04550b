// Regenerates grammar/railroad.html from the parser (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { railroadDiagrams } from '../dist/src/syntax/diagrams.js';

writeFileSync(new URL('../grammar/railroad.html', import.meta.url), railroadDiagrams());
