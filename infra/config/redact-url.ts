/** `nats://user:secret@host:4222` -> `nats://host:4222`: credentials never reach a log line or an error message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable url)';
  }
}
