// A build's output as a map of paths to entries, from an exported folder or tar file.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { list } from 'tar';

/** `./a/b/` and `/a/b` are both `a/b`. */
export function normalPath(p) {
  return p.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

/** Entries of a folder: { type: file|dir|symlink, mode, uid, gid, content?, target? }. */
export function readFolder(root) {
  const tree = new Map();
  const walk = (rel) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(root, path);
      const st = lstatSync(full);
      const meta = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
      if (st.isSymbolicLink()) tree.set(path, { type: 'symlink', target: readlinkSync(full), ...meta });
      else if (st.isDirectory()) {
        tree.set(path, { type: 'dir', ...meta });
        walk(path);
      } else tree.set(path, { type: st.isFile() ? 'file' : 'other', content: st.isFile() ? readFileSync(full) : undefined, ...meta });
    }
  };
  walk('');
  return tree;
}

const TAR_TYPES = { File: 'file', OldFile: 'file', ContiguousFile: 'file', Directory: 'dir', SymbolicLink: 'symlink', Link: 'hardlink' };

/** Entries of a tar file, read from its headers (owners survive only here). */
export async function readTar(file) {
  const tree = new Map();
  await list({
    file,
    onReadEntry: (e) => {
      const path = normalPath(e.path);
      if (path === '') return e.resume();
      const entry = { type: TAR_TYPES[e.type] ?? 'other', mode: e.mode & 0o7777, uid: e.uid, gid: e.gid };
      if (e.linkpath) entry.target = e.linkpath;
      tree.set(path, entry);
      const chunks = [];
      e.on('data', (c) => chunks.push(c));
      e.on('end', () => {
        if (entry.type === 'file') entry.content = Buffer.concat(chunks);
      });
    },
  });
  return tree;
}
