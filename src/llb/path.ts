// Go's `path` package, which llb uses for every path it normalises.

// A clean path has no empty, `.` or `..` elements and no trailing slash (unless it is `/`).
const unclean = /\/\/|(?:^|\/)\.\.?(?:\/|$)|.\/$/;

/** Go's path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  // Most paths are clean already, and a chain of relative WORKDIRs makes long ones: a scan is
  // much cheaper than splitting and joining.
  if (!unclean.test(p)) return p;
  // The usual unclean path is a directory written with a trailing slash.
  if (p.endsWith('/')) {
    let end = p.length - 1;
    while (end > 0 && p.charCodeAt(end - 1) === 0x2f) end--;
    const trimmed = p.slice(0, end);
    if (end > 0 && !unclean.test(trimmed)) return trimmed;
  }
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else {
      out.push(part);
    }
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Go's path.Join: empty elements are ignored, the result is cleaned. */
export function joinPath(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length === 0 ? '' : cleanPath(nonEmpty.join('/'));
}

export function isAbsPath(p: string): boolean {
  return p.startsWith('/');
}
