// `llbc lsp` diagnostic latency: the real server (`bin/llbc lsp --stdio`, a process of its own)
// is sent one-line edits of a generated file of 100, 1,000 and 10,000 lines through an LSP client
// connection, as an editor sends keystrokes; the time is from sending the change to receiving
// the diagnostics of that version, the server's wait for more keystrokes included. Every other
// edit makes an error (an unknown instruction) in the middle of the file and the next removes it.
// Each size twice: as a .llb file (llbc mode) and as a Dockerfile (Dockerfile mode).
import { Client } from '../test/lsp/client.js';
import { generated } from './programs.js';
import { median } from './wall.js';

const sizes = [100, 1_000, 10_000];
const modes = ['llbc', 'dockerfile'] as const;
const edits = 40;

export default async function (): Promise<void> {
  const client = await Client.start();
  process.stdout.write('| mode | lines | open ms | median ms | p90 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |\n');
  try {
    for (const [mode, lines] of modes.flatMap((m) => sizes.map((n) => [m, n] as const))) {
      const uri = mode === 'llbc' ? `file:///bench/bench-${lines}.llb` : `file:///bench/${lines}/Dockerfile`;
      // Stages of ten RUN (with a cache mount) and COPY --from steps, cut to the size.
      const text = `${generated('cross', lines).split('\n').slice(0, lines).join('\n')}\n`;
      let started = performance.now();
      const first = await client.open(uri, text);
      const openMs = performance.now() - started;
      if (first.length !== 0) throw new Error(`the generated file has errors: ${first[0].message}`);
      const line = Math.floor(lines / 2);
      const times: number[] = [];
      for (let i = 0; i < edits; i++) {
        const start = { line, character: 0 };
        const broken = i % 2 === 0;
        started = performance.now();
        const diagnostics = await client.edit(uri, { start, end: broken ? start : { line, character: 1 } }, broken ? 'X' : '');
        times.push(performance.now() - started);
        if (diagnostics.length !== (broken ? 1 : 0)) throw new Error(`edit ${i}: ${diagnostics.length} diagnostics`);
      }
      const sorted = [...times].sort((a, b) => a - b);
      process.stdout.write(
        `| ${mode} | ${lines} | ${openMs.toFixed(1)} | ${median(times).toFixed(1)} | ${sorted[Math.floor(sorted.length * 0.9)].toFixed(1)} | ${sorted[sorted.length - 1].toFixed(1)} |\n`,
      );
    }
  } finally {
    await client.stop();
  }
}
