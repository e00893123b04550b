import { modeOfName, type CompileOptions } from '../options.js';

/** The two languages a build file can be written in. */
export type Mode = 'llb' | 'dockerfile';

const modeDirective = /^[ \t]*#[ \t]*mode[ \t]*=[ \t]*([A-Za-z]+)[ \t]*\r?$/im;

/**
 * The mode of a document: a `# mode=...` directive among the file's first lines wins, then the
 * editor's word (a `dockerfile` document, whatever its name: a Containerfile, say), then the
 * file name. Only the leading comment lines are read, where parser directives live.
 */
export function modeOf(uri: string, text: string, languageId?: string): Mode {
  const head = /^(?:[ \t]*#[^\n]*\n)*/.exec(text.slice(0, 4096))?.[0] ?? '';
  const directive = modeDirective.exec(head)?.[1]?.toLowerCase();
  if (directive === 'dockerfile' || directive === 'llb' || directive === 'llbc') return directive === 'dockerfile' ? 'dockerfile' : 'llb';
  if (languageId === 'dockerfile') return 'dockerfile';
  let path = uri;
  try {
    path = decodeURIComponent(new URL(uri).pathname);
  } catch {
    // Not a URL: a plain path.
  }
  return modeOfName(path) === 'dockerfile' ? 'dockerfile' : 'llb';
}

/**
 * The compiler options for a mode: the one place the server tells the compiler which language a
 * file is in, and every feature of the server follows.
 */
export function compileOptionsFor(mode: Mode): CompileOptions {
  return { mode: mode === 'dockerfile' ? 'dockerfile' : 'llbc' };
}
