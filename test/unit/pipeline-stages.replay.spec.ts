import { describe, expect, it } from 'vitest';
import { judgeCompletion, judgeStreamRecord, replayed } from '../../commands/stages/replay.ts';

const completed = { commandType: 'Rename', commandHash: 'h1', streamId: 'org-1', streamRevision: '3', noop: false };
const record = { commandHash: 'h1', streamRevision: 3n, position: 40n, events: [] };

describe('the replay stage judges an earlier execution under the same command id', () => {
  it('none recorded: the command is decided', () => {
    expect(judgeCompletion(undefined, 'h1', 'org-1')).toEqual({ kind: 'none' });
    expect(judgeStreamRecord(undefined, 'h1')).toEqual({ kind: 'none' });
  });

  it('the same content on the same stream: answered as it was', () => {
    expect(judgeCompletion(completed, 'h1', 'org-1')).toEqual({ kind: 'same', earlier: completed });
    expect(judgeStreamRecord(record, 'h1')).toEqual({ kind: 'same', earlier: record });
  });

  it('another content, or the same content on another stream: the id was reused for another command', () => {
    expect(judgeCompletion(completed, 'h2', 'org-1')).toEqual({ kind: 'reused' });
    expect(judgeCompletion(completed, 'h1', 'org-2')).toEqual({ kind: 'reused' });
    expect(judgeStreamRecord(record, 'h2')).toEqual({ kind: 'reused' });
  });

  it('a replayed answer says so', () => {
    expect(replayed('c1', 'org-1', 3n, null, [])).toEqual({
      commandId: 'c1',
      streamId: 'org-1',
      streamRevision: 3n,
      position: null,
      events: [],
      replayed: true,
    });
  });
});
