/**
 * Why the server could not listen, as one line naming the setting to change; null for an error that is not about
 * the address (a bug, reported with its stack). `HOST` and `PORT` are the environment variables `serve` reads.
 */
export function listenFailure(error: unknown, port: number, host: string): string | null {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const where = `port ${port} on ${host}`;
  switch (code) {
    case 'EADDRINUSE':
      return `${where} is in use; set PORT to a free port`;
    case 'EACCES':
      return `not permitted to listen on ${where} (ports below 1024 need privileges); set PORT to a port above 1023`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine; set HOST to one of its addresses (127.0.0.1, 0.0.0.0 for all)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `host name ${host} does not resolve; set HOST to an address or a host name of this machine`;
    default:
      return null;
  }
}
