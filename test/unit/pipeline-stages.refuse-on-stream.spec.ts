import { describe, expect, it } from 'vitest';
import { refuseOnStream } from '../../commands/stages/authorize.ts';

const stream = { streamId: 'org-1', revision: 4n, fenced: false };

describe('the stream as loaded refuses a permitted command', () => {
  it('takes it when open and at the expected revision, or when none is expected', () => {
    expect(refuseOnStream(stream, undefined)).toBeNull();
    expect(refuseOnStream(stream, 4n)).toBeNull();
  });

  it('refuses a stale expected revision, naming both revisions', () => {
    const error = refuseOnStream(stream, 2n);
    expect(error).toMatchObject({
      kind: 'precondition_failed',
      code: 'REVISION_MISMATCH',
      details: { streamId: 'org-1', expectedRevision: '2', actualRevision: '4' },
    });
  });

  it('refuses a fenced stream first, whatever revision is expected', () => {
    expect(refuseOnStream({ ...stream, fenced: true }, 2n)).toMatchObject({ kind: 'conflict', code: 'STREAM_FENCED', details: { streamId: 'org-1' } });
    expect(refuseOnStream({ ...stream, fenced: true }, undefined)?.code).toBe('STREAM_FENCED');
  });
});
