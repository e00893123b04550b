// Where a shell-form command uses shell syntax that llbc mode, which runs no shell, passes on as
// arguments: the first operator outside quotes (command substitution counts inside double quotes too).

export interface ShellOperator {
  /** The operator as written: `&&`, `||`, `|`, `;`, `>`, `<`, `$(` or a backtick. */
  readonly op: string;
  /** Its offset in the command text. */
  readonly index: number;
}

/** The first shell operator in a command line, or undefined. */
export function findShellOperator(text: string): ShellOperator | undefined {
  // Most commands have none of the characters; a native scan says so at once.
  if (!operatorChar.test(text)) return undefined;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quote !== "'") {
      i++;
      continue;
    }
    if (quote === "'") {
      if (c === "'") quote = '';
      continue;
    }
    if (c === '`') return { op: '`', index: i };
    if (c === '$' && text[i + 1] === '(') return { op: '$(', index: i };
    if (quote === '"') {
      if (c === '"') quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ((c === '&' || c === '|') && text[i + 1] === c) return { op: c + c, index: i };
    else if (c === '|' || c === ';' || c === '>' || c === '<') return { op: c, index: i };
  }
  return undefined;
}

const operatorChar = /[&|;<>`]|\$\(/;
