import { isIP } from 'node:net';

const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * An address the server can be told to listen on: an IPv4 or IPv6 address, or a host name that could resolve
 * (RFC 1123 labels, a last label that is not all digits). Checked with the other settings, so `HOST=999.1.1.1`
 * stops the start before anything is opened, rather than failing at listen.
 */
export function isListenHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  if (host.length > 253) return false;
  const labels = host.replace(/\.$/, '').split('.');
  // All digits and dots is an IPv4 address or nothing: 999.1.1.1 is not a name.
  if (/^\d+$/.test(labels.at(-1) ?? '')) return false;
  return labels.every((part) => label.test(part));
}
