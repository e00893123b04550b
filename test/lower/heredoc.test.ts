import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDiagnostic } from '../../src/diagnostics.js';
import { compileText } from '../helpers.js';
import { execs, opsOf, resultOp } from './ops.js';

// Heredocs lowered with Dockerfile's rules in both modes (the corpus in dockerfile.test.ts holds
// Dockerfile mode to the reference), and the escape directive.

const llbc = { mode: 'llbc' } as const;
const dockerfile = { mode: 'dockerfile' } as const;

const mkfiles = (text: string, options = {}) =>
  opsOf(text, options)
    .filter((o) => o.op.file?.actions?.some((a: any) => a.mkfile))
    .map((o) => ({ ...o.op.file.actions[0].mkfile, data: Buffer.from(o.op.file.actions[0].mkfile.data).toString() }));

function errorOf(text: string, options = {}): string {
  try {
    compileText(text, options);
  } catch (e) {
    if (isDiagnostic(e)) return e.message;
    throw e;
  }
  return assert.fail('no error');
}

describe('RUN <<EOF', () => {
  for (const [name, options] of [['llbc mode', llbc], ['Dockerfile mode', dockerfile]] as const) {
    it(`runs a lone heredoc's body through the shell (${name})`, () => {
      const [exec] = execs('FROM alpine\nRUN <<EOF\necho a && echo b > /x\nEOF\n', options);
      assert.deepEqual(exec.meta.args, ['/bin/sh', '-c', 'echo a && echo b > /x\n']);
    });
  }

  it('strips leading tabs for <<-, and uses the stage SHELL', () => {
    const [exec] = execs('FROM alpine\nSHELL ["/bin/bash", "-eu", "-c"]\nRUN <<-EOT\n\techo $HOME\n\t\tindented\n\tEOT\n', llbc);
    assert.deepEqual(exec.meta.args, ['/bin/bash', '-eu', '-c', 'echo $HOME\nindented\n']);
  });

  it('does not expand a RUN body, quoted delimiter or not', () => {
    for (const delimiter of ['EOF', '"EOF"', "'EOF'"]) {
      const [exec] = execs(`FROM alpine\nARG V=x\nRUN <<${delimiter}\necho $V\nEOF\n`, llbc);
      assert.equal(exec.meta.args[2], 'echo $V\n', delimiter);
    }
  });

  it('gives the shell the command line with each body and terminator after it when there are several or more words', () => {
    const [multi, interp] = execs('FROM alpine\nRUN <<A cat > /a && <<-B cat > /b\na\nA\n\tb\n\tB\nRUN python3 <<EOF\nprint(1)\nEOF\n', llbc);
    assert.equal(multi.meta.args[2], '<<A cat > /a && <<-B cat > /b\na\nA\n\tb\nB');
    assert.equal(interp.meta.args[2], 'python3 <<EOF\nprint(1)\nEOF');
  });

  it('mounts a body starting with #! as a script at /dev/pipes/ and runs it', () => {
    const text = 'FROM alpine\nRUN <<-run\n\t#!/bin/sh -e\n\techo hi\n\trun\n';
    // The shebang is looked for before the tabs are stripped, as the frontend does: not a script.
    assert.equal(execs(text, llbc)[0].meta.args[2], '#!/bin/sh -e\necho hi\n');
    const ops = opsOf('FROM alpine\nRUN <<run\n#!/bin/sh -e\necho hi\nrun\n', llbc);
    const exec = ops.find((o) => o.op.exec)!.op.exec;
    assert.deepEqual(exec.meta.args, ['/bin/sh', '-c', '/dev/pipes/run']);
    const script = exec.mounts.find((m: any) => m.dest === '/dev/pipes/');
    assert.deepEqual({ selector: script.selector, readonly: script.readonly, output: script.output }, { selector: '/', readonly: true, output: -1 });
    assert.deepEqual(mkfiles('FROM alpine\nRUN <<run\n#!/bin/sh -e\necho hi\nrun\n', llbc), [{ path: '/run', mode: 0o755, data: '#!/bin/sh -e\necho hi\n', timestamp: -1 }]);
  });

  it('keeps mounts and flags', () => {
    const [exec] = execs('FROM alpine\nRUN --network=none --mount=type=cache,target=/c <<EOF\nls /c\nEOF\n', llbc);
    assert.equal(exec.network, 2);
    assert.deepEqual(exec.meta.args, ['/bin/sh', '-c', 'ls /c\n']);
    assert.ok(exec.mounts.some((m: any) => m.dest === '/c'));
  });
});

describe('COPY <<EOF and ADD <<EOF', () => {
  it('writes each heredoc as a file (mode 0664), expanded unless its delimiter is quoted, then copies it', () => {
    const text = "FROM alpine\nARG NAME=world\nCOPY <<EOF /etc/greeting\nhello $NAME\nEOF\nCOPY <<'EOF' /etc/raw\nhello $NAME\nEOF\n";
    for (const options of [llbc, dockerfile]) {
      assert.deepEqual(
        mkfiles(text, options).map((m) => [m.path, m.mode, m.data]),
        [
          ['/EOF', 0o664, 'hello world\n'],
          ['/EOF', 0o664, 'hello $NAME\n'],
        ],
      );
      const copy = resultOp(text, options).file.actions[0].copy;
      assert.deepEqual(copy, { src: '/EOF', dest: '/etc/raw', mode: -1, createDestPath: true, timestamp: -1 });
    }
  });

  it('copies several heredocs in one FileOp, after the other sources, with --chmod and --chown', () => {
    const text = 'FROM alpine\nCOPY --chmod=755 --chown=1:2 a.txt <<A <<-B /multi/\na\nA\n\tb\n\tB\n';
    const actions = resultOp(text, { ...llbc, copyMode: 'file' }).file.actions;
    assert.deepEqual(actions.map((a: any) => a.copy.src), ['/a.txt', '/A', '/B']);
    assert.deepEqual(actions.slice(1).map((a: any) => [a.copy.mode, a.copy.owner.user.byID ?? 0, a.copy.owner.group.byID]), [
      [0o755, 1, 2],
      [0o755, 1, 2],
    ]);
    assert.deepEqual(mkfiles(text, llbc).map((m) => [m.path, m.data]).sort(), [
      ['/A', 'a\n'],
      ['/B', 'b\n'],
    ]);
  });

  it('in llbc mode with the cp helper, copies the heredocs with a FileOp after the helper copy', () => {
    const text = 'FROM alpine\nCOPY a.txt <<A /d/\nx\nA\n';
    const result = resultOp(text, llbc);
    assert.deepEqual(result.file.actions.map((a: any) => a.copy.src), ['/A']);
    assert.ok(execs(text, llbc).some((e) => e.meta.args[0] === 'cp'));
  });

  it('needs no build context when every source is a heredoc', () => {
    for (const options of [llbc, dockerfile]) {
      const ops = opsOf('FROM alpine\nADD <<EOF /x\nbody\nEOF\n', options);
      assert.equal(ops.filter((o) => o.op.source?.identifier?.startsWith('local://')).length, 0);
    }
  });

  it('refuses a heredoc as the destination', () => {
    assert.match(errorOf('FROM alpine\nCOPY a <<EOF\nx\nEOF\n', llbc), /needs a destination after its heredocs/);
  });
});

describe('the escape directive in lowering', () => {
  it('keeps backslashes in words and continues lines with a backtick, in both modes', () => {
    const text = '# escape=`\nFROM alpine\nCOPY a\\b.txt /c\\d/\nRUN echo one `\n    two\n';
    for (const options of [llbc, dockerfile]) {
      const copy = resultOp('# escape=`\nFROM alpine\nCOPY a\\b.txt /c\\d/\n', { ...options, copyMode: 'file' }).file.actions[0].copy;
      assert.deepEqual([copy.src, copy.dest], ['/a\\b.txt', '/c\\d/']);
    }
    assert.deepEqual(execs(text, dockerfile)[0].meta.args, ['/bin/sh', '-c', 'echo one     two']);
    assert.deepEqual(execs(text, llbc).find((e) => e.meta.args[0] === 'echo').meta.args, ['echo', 'one', 'two']);
  });

  it('makes a backtick escape a $ in expansion', () => {
    const [exec] = execs('# escape=`\nFROM alpine\nENV A=`$HOME\nRUN ["env"]\n', llbc);
    assert.ok(exec.meta.env.includes('A=$HOME'), JSON.stringify(exec.meta.env));
  });

  it('ignores # syntax= in both modes', () => {
    for (const options of [llbc, dockerfile]) {
      assert.deepEqual(compileText('# syntax=docker/dockerfile:1.5\nFROM alpine\nRUN echo\n', options), compileText('FROM alpine\nRUN echo\n', options));
    }
  });
});
