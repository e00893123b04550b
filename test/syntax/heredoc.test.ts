import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { chompHeredocContent, findHeredocs, HeredocError, readHeredocBodies } from '../../src/syntax/heredoc.js';

const brief = (line: string) => findHeredocs(line).map(({ name, expand, chomp, fileDescriptor }) => ({ name, expand, chomp, fileDescriptor }));

describe('findHeredocs', () => {
  it('finds a plain heredoc and where its word is', () => {
    const line = 'RUN <<EOF';
    const [m] = findHeredocs(line);
    assert.deepEqual({ ...m }, { name: 'EOF', expand: true, chomp: false, fileDescriptor: 0, start: 4, end: 9 });
    assert.equal(line.slice(m.start, m.end), '<<EOF');
  });

  it('reads <<- as chomping', () => {
    assert.deepEqual(brief('RUN <<-EOT'), [{ name: 'EOT', expand: true, chomp: true, fileDescriptor: 0 }]);
  });

  it('does not expand a delimiter with any quoted part', () => {
    assert.deepEqual(brief(`RUN <<"EOF" <<'A' <<E"O"F`), [
      { name: 'EOF', expand: false, chomp: false, fileDescriptor: 0 },
      { name: 'A', expand: false, chomp: false, fileDescriptor: 0 },
      { name: 'EOF', expand: false, chomp: false, fileDescriptor: 0 },
    ]);
  });

  it('expands a backslash-escaped delimiter, as BuildKit does (unlike a POSIX shell)', () => {
    assert.deepEqual(brief('RUN <<\\EOF'), [{ name: 'EOF', expand: true, chomp: false, fileDescriptor: 0 }]);
  });

  it('finds several on one line, with file descriptors, in order', () => {
    const line = 'RUN <<ONE cat > /one && 3<<TWO cat > /two';
    const found = findHeredocs(line);
    assert.deepEqual(found.map((m) => [m.name, m.fileDescriptor, line.slice(m.start, m.end)]), [
      ['ONE', 0, '<<ONE'],
      ['TWO', 3, '3<<TWO'],
    ]);
  });

  it('ignores << inside a word, in quotes, or without a delimiter', () => {
    assert.deepEqual(brief('RUN cat<<EOF'), []);
    assert.deepEqual(brief('RUN echo "<<EOF" \'<<A\''), []);
    assert.deepEqual(brief('RUN echo << EOF'), []);
    assert.deepEqual(brief('RUN echo a <<<b'), []);
  });

  it('takes the rest of the word as the delimiter, as the regular expression does', () => {
    assert.deepEqual(brief('RUN cat <<EOF>out'), [{ name: 'EOF>out', expand: true, chomp: false, fileDescriptor: 0 }]);
  });

  it('keeps an escaped space inside one delimiter word', () => {
    assert.deepEqual(brief('RUN <<a\\ b'), [{ name: 'a b', expand: true, chomp: false, fileDescriptor: 0 }]);
  });

  it('finds nothing when the line has an unterminated quote (BuildKit ignores the lexer error)', () => {
    assert.deepEqual(brief('RUN <<EOF "oops'), []);
  });

  it('finds COPY heredocs before the destination', () => {
    assert.deepEqual(brief('COPY <<A <<B /multi/').map((m) => m.name), ['A', 'B']);
  });
});

describe('readHeredocBodies', () => {
  it('reads bodies in order, line endings included, and stops after the terminator', () => {
    const text = 'RUN <<ONE cat && <<TWO cat\nfirst\nONE\nsecond\r\nTWO\r\nRUN next\n';
    const line = text.slice(0, text.indexOf('\n'));
    const { bodies, end } = readHeredocBodies(text, line.length + 1, findHeredocs(line));
    assert.deepEqual(bodies.map((b) => text.slice(b.start, b.end)), ['first\n', 'second\r\n']);
    assert.deepEqual(bodies.map((b) => text.slice(b.terminatorStart, b.terminatorEnd)), ['ONE', 'TWO']);
    assert.equal(text.slice(end), 'RUN next\n');
  });

  it('accepts a tab-indented terminator only for <<-', () => {
    const chomped = 'RUN <<-EOT\n\techo x\n\tEOT\n';
    const { bodies } = readHeredocBodies(chomped, 11, findHeredocs('RUN <<-EOT'));
    assert.equal(chomped.slice(bodies[0].start, bodies[0].end), '\techo x\n');

    const plain = 'RUN <<EOT\n\techo x\n\tEOT\nEOT';
    const r = readHeredocBodies(plain, 10, findHeredocs('RUN <<EOT'));
    assert.equal(plain.slice(r.bodies[0].start, r.bodies[0].end), '\techo x\n\tEOT\n');
    assert.equal(r.end, plain.length);
  });

  it('does not take a line with spaces around the delimiter as the terminator', () => {
    const text = 'x\n EOF\nEOF \nEOF\n';
    const { bodies } = readHeredocBodies(text, 2, findHeredocs('RUN <<EOF'));
    assert.equal(text.slice(bodies[0].start, bodies[0].end), ' EOF\nEOF \n');
  });

  it('gives an empty body when the terminator comes at once', () => {
    const text = 'COPY <<EOF /x\nEOF\n';
    const { bodies } = readHeredocBodies(text, 14, findHeredocs('COPY <<EOF /x'));
    assert.equal(bodies[0].start, bodies[0].end);
  });

  it('reports an unterminated heredoc where its body starts', () => {
    const text = 'RUN <<EOF\necho\n';
    assert.throws(
      () => readHeredocBodies(text, 10, findHeredocs('RUN <<EOF')),
      (err: unknown) => err instanceof HeredocError && err.message === 'unterminated heredoc' && err.offset === 10,
    );
  });
});

describe('chompHeredocContent', () => {
  it('strips leading tabs of every line, and nothing else', () => {
    assert.equal(chompHeredocContent('\t\techo a\n  \tb\n\tc\t\n'), 'echo a\n  \tb\nc\t\n');
  });
});
