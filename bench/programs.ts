// Machine-generated build files of a given shape and size, for the benchmark and the scale tests.

export type Shape = 'run' | 'env' | 'envrun' | 'copy' | 'stages' | 'cross' | 'mixed';

export const shapes: Record<Shape, string> = {
  run: 'a chain of RUN steps',
  env: 'ENV lines, each a new variable, then one RUN',
  envrun: 'ENV and RUN interleaved, 50 variables',
  copy: 'a chain of COPY steps',
  stages: 'stages, each copying from the one before',
  cross: 'stages of ten steps, each copying from two earlier stages',
  mixed: 'RUN, ENV, WORKDIR, COPY, USER and ARG, mixed',
};

/** A build file of `n` instructions (besides FROM lines, for the shapes made of stages). */
export function generated(shape: Shape, n: number): string {
  const lines: string[] = [];
  switch (shape) {
    case 'run':
      lines.push('FROM busybox');
      for (let i = 0; i < n; i++) lines.push(`RUN echo step ${i}`);
      break;
    case 'env':
      lines.push('FROM busybox');
      for (let i = 0; i < n; i++) lines.push(`ENV VAR_${i}=value-${i}`);
      lines.push('RUN env');
      break;
    case 'envrun':
      lines.push('FROM busybox');
      for (let i = 0; i < n; i++) lines.push(i % 2 ? `ENV VAR_${i % 50}=value-${i}` : `RUN echo $VAR_${i % 50}`);
      break;
    case 'copy':
      lines.push('FROM busybox');
      for (let i = 0; i < n; i++) lines.push(`COPY file-${i} /dir-${i}/`);
      break;
    case 'stages':
      lines.push('FROM busybox AS s0');
      for (let i = 1; i < n; i++) lines.push(`FROM busybox AS s${i}`, `COPY --from=s${i - 1} /out /in`);
      break;
    case 'cross':
      for (let s = 0; s * 10 < n; s++) {
        lines.push(`FROM busybox AS s${s}`);
        for (let i = 0; i < 10; i++) {
          const from = s > 0 && i < 2 ? `s${(s * 7 + i * 13) % s}` : undefined;
          lines.push(from ? `COPY --from=${from} /out/${i} /in/${s}/` : `RUN --mount=type=cache,target=/cache make step-${s}-${i}`);
        }
      }
      break;
    case 'mixed':
      lines.push('FROM busybox AS base', 'ARG VERSION=1.0');
      for (let i = 0; i < n; i++) {
        switch (i % 10) {
          case 4:
            lines.push(`ENV VAR_${i % 50}=value-${i}`);
            break;
          case 5:
            lines.push(`WORKDIR /work/${i % 7}`);
            break;
          case 6:
          case 7:
            lines.push(`COPY src-${i} ./dst/`);
            break;
          case 8:
            lines.push(`USER user${i % 3}`);
            break;
          case 9:
            lines.push(`ARG OPTION_${i % 20}=on`);
            break;
          default:
            lines.push(`RUN --mount=type=cache,target=/root/.cache make target-${i} VERSION=$VERSION`);
        }
      }
      break;
  }
  return `${lines.join('\n')}\n`;
}
