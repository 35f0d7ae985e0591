import { readFile } from 'node:fs/promises';

/** What the policy commands touch outside themselves; injected so tests run them in-process with a fixed clock. */
export interface PolicyCliIo {
  out(text: string): void;
  err(text: string): void;
  readText(path: string): Promise<string>;
  readStdin(): Promise<string>;
  /** The instant a request without `now` is decided at. */
  now(): Date;
}

export function processIo(): PolicyCliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    readText: (path) => readFile(path, 'utf8'),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      return Buffer.concat(chunks).toString('utf8');
    },
    now: () => new Date(),
  };
}
