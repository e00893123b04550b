// What a case's output must hold: expected/ (exact contents), case.json's files and absent.
import { readFolder } from './tree.mjs';

function show(buf) {
  const s = JSON.stringify(buf.toString('utf8'));
  return s.length > 160 ? `${s.slice(0, 157)}..."` : s;
}

/** The differences between an output tree and what the case expects, one message each. */
export function compareOutput(c, tree) {
  const problems = [];
  const expected = c.expected ? readFolder(c.expected) : new Map();
  for (const [path, want] of expected) {
    if (want.type === 'dir') continue;
    const got = tree.get(path);
    const file = `expected/${path}`;
    if (!got) problems.push(`${file}: missing from the output`);
    else if (want.type === 'symlink' && (got.type !== 'symlink' || got.target !== want.target))
      problems.push(`${file}: expected a symlink to ${want.target}, got ${got.type}${got.target ? ` to ${got.target}` : ''}`);
    else if (want.type === 'file' && got.type !== 'file') problems.push(`${file}: expected a file, got a ${got.type}`);
    else if (want.type === 'file' && !want.content.equals(got.content)) problems.push(`${file}: content differs: expected ${show(want.content)}, got ${show(got.content)}`);
  }
  if (c.spec.exactTree !== false) {
    for (const [path, got] of tree) {
      if (got.type === 'dir' || expected.has(path) || c.spec.files?.[path]) continue;
      problems.push(`${path}: in the output but not in expected/ (${got.type}${got.content ? ` ${show(got.content)}` : ''})`);
    }
  }
  for (const [path, want] of Object.entries(c.spec.files ?? {})) {
    const got = tree.get(path);
    if (!got) {
      problems.push(`${path}: missing from the output (case.json files)`);
      continue;
    }
    for (const [k, v] of Object.entries(want)) {
      const actual = k === 'mode' ? got.mode.toString(8).padStart(4, '0') : got[k];
      const wanted = k === 'mode' ? String(v).padStart(4, '0') : v;
      if (actual !== wanted) problems.push(`${path}: ${k} is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)} (case.json files)`);
    }
  }
  for (const path of c.spec.absent ?? []) if (tree.has(path)) problems.push(`${path}: in the output, but case.json says it must be absent`);
  return problems;
}

