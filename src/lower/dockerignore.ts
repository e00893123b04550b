// Reading a .dockerignore file the way BuildKit v0.11.6's Dockerfile frontend does
// (frontend/dockerfile/dockerignore.ReadAll): the patterns it returns are what the frontend
// passes, unchanged and in order, as the context source's `local.excludepatterns`.

import { cleanPath } from '../llb/path.js';

/**
 * The exclude patterns of a .dockerignore file. A line is a comment only when `#` is its first
 * character (an indented `# x` is the pattern `# x`, as in Go); blank lines are skipped; a
 * pattern is trimmed, cleaned like Go's filepath.Clean and stripped of one leading `/`; a
 * leading `!` (an exception) is kept in front of the cleaned pattern.
 */
export function readDockerignore(text: string): string[] {
  const excludes: string[] = [];
  const lines = splitLines(text.startsWith('\uFEFF') ? text.slice(1) : text);
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let pattern = goTrimSpace(line);
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = goTrimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    excludes.push(invert ? `!${pattern}` : pattern);
  }
  return excludes;
}

/** Lines as Go's bufio.ScanLines gives them: split at `\n`, one trailing `\r` dropped, no empty last line. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

// Go's strings.TrimSpace trims Unicode white space; JavaScript's trim also trims U+FEFF, which Go keeps.
const goSpace = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function goTrimSpace(s: string): string {
  return s.replace(goSpace, '');
}
