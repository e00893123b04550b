// Applies a unified diff, checking it as strictly as `patch` would: every context line and
// every removed line must match, and the hunk headers must count them right.
import assert from 'node:assert/strict';
import { splitLines } from '../../src/cli/unified-diff.js';

/** Applies a unified diff strictly: every context and removed line must match. */
export function applyUnifiedDiff(text: string, diff: string): string {
  const source = splitLines(text);
  const lines = diff.split('\n');
  assert.ok(lines[0].startsWith('--- ') && lines[1].startsWith('+++ '), 'missing file headers');
  const out: string[] = [];
  let at = 0;
  for (let i = 2; i < lines.length && lines[i] !== ''; ) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]);
    assert.ok(h, `bad hunk header ${JSON.stringify(lines[i])}`);
    const oldStart = Number(h[1]);
    const oldCount = h[2] === undefined ? 1 : Number(h[2]);
    const newCount = h[4] === undefined ? 1 : Number(h[4]);
    const start = oldCount === 0 ? oldStart : oldStart - 1;
    assert.ok(start >= at, 'hunks overlap or go backwards');
    while (at < start) out.push(source[at++]);
    i++;
    let removed = 0;
    let added = 0;
    for (; i < lines.length && /^[ +\-\\]/.test(lines[i]); i++) {
      const mark = lines[i][0];
      const noNewline = lines[i + 1] === '\\ No newline at end of file';
      const line = lines[i].slice(1) + (noNewline ? '' : '\n');
      if (mark === ' ' || mark === '-') {
        assert.equal(source[at], line, `hunk does not match line ${at + 1}`);
        at++;
        removed++;
      }
      if (mark === ' ' || mark === '+') {
        out.push(line);
        added++;
      }
      if (noNewline) i++;
    }
    assert.equal(removed, oldCount, 'old line count');
    assert.equal(added, newCount, 'new line count');
  }
  while (at < source.length) out.push(source[at++]);
  return out.join('');
}
