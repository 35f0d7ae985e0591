/** The `out` and `err` a CLI writes through, kept for the test to read back. */
export interface CapturedOutput {
  out(text: string): void;
  err(text: string): void;
  stdout(): string;
  stderr(): string;
}

export function capturedOutput(): CapturedOutput {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
