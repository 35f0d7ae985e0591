import { describe, expect, it } from 'vitest';
import { listenFailure } from '../../bin/serve/listen-failure.ts';

const failure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe('a listen error, told as one line naming the setting to change', () => {
  it('names PORT for a taken or forbidden port, HOST for an address that is not this machine', () => {
    expect(listenFailure(failure('EADDRINUSE'), 8080, '127.0.0.1')).toBe('port 8080 on 127.0.0.1 is in use; set PORT to a free port');
    expect(listenFailure(failure('EACCES'), 80, '0.0.0.0')).toBe(
      'not permitted to listen on port 80 on 0.0.0.0 (ports below 1024 need privileges); set PORT to a port above 1023',
    );
    expect(listenFailure(failure('EADDRNOTAVAIL'), 8080, '192.0.2.1')).toMatch(/^192\.0\.2\.1 is not an address of this machine; set HOST /);
    expect(listenFailure(failure('ENOTFOUND'), 8080, 'api.nowhere')).toMatch(/^host name api\.nowhere does not resolve; set HOST /);
  });

  it('leaves any other error to be reported as a bug', () => {
    expect(listenFailure(failure('EMFILE'), 8080, '127.0.0.1')).toBeNull();
    expect(listenFailure(new Error('boom'), 8080, '127.0.0.1')).toBeNull();
    expect(listenFailure('not an error', 8080, '127.0.0.1')).toBeNull();
  });
});
