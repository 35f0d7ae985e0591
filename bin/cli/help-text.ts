/** The `environment:` block of a command's --help: each variable it reads, with what it is for. */
export function environmentHelp(variables: ReadonlyArray<readonly [name: string, meaning: string]>): string {
  const width = Math.max(...variables.map(([name]) => name.length));
  return `\nenvironment:\n${variables.map(([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`).join('\n')}`;
}

/** The `exit status:` line of a command's --help. */
export function exitStatusHelp(text: string): string {
  return `\nexit status: ${text}`;
}

/** Names separated by commas, in lines of at most `width` characters, each indented by two spaces. */
export function wrappedList(names: readonly string[], width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    const next = line === '' ? name : `${line}, ${name}`;
    if (next.length > width && line !== '') {
      lines.push(`${line},`);
      line = name;
    } else {
      line = next;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((text) => `  ${text}`).join('\n');
}
