import { describe, expect, it } from 'vitest';
import type { WorkflowDag } from '../../domain/workflow/dag.ts';
import { dagToMermaid } from '../../domain/workflow/mermaid.ts';

const none = { when: null, fanOut: null, compensate: null };
const dag: WorkflowDag = {
  nodes: [
    { id: 'end', kind: 'task', dependsOn: [], ...none, compensate: 'undo' },
    { id: 'search', kind: 'tool', dependsOn: ['end'], ...none, when: 'input.q != "" && input.n < 3' },
    { id: 'write', kind: 'task', dependsOn: ['end'], ...none, fanOut: { items: 'input.sections', maxItems: 20 } },
    { id: 'ok', kind: 'approval', dependsOn: ['search', 'write'], ...none },
    { id: 'pause', kind: 'wait', dependsOn: ['ok'], ...none },
    { id: 'publish', kind: 'workflow', dependsOn: ['pause'], ...none },
  ],
  compensations: [{ id: 'undo', kind: 'tool' }],
};

describe('a workflow DAG as Mermaid', () => {
  it('draws each kind in its shape, ids as escaped labels, guards and fan-outs under them, compensations dotted', () => {
    expect(dagToMermaid(dag)).toBe(
      [
        'flowchart TD',
        '  s0["end"]',
        '  s1[/"search<br/>if input.q != #34;#34; #38;#38; input.n #60; 3"/]',
        '  s2["write<br/>for each, at most 20"]',
        '  s3{"ok"}',
        '  s4(["pause"])',
        '  s5[["publish"]]',
        '  s6[/"undo<br/>compensation"/]',
        '  s0 --> s1',
        '  s0 --> s2',
        '  s1 --> s3',
        '  s2 --> s3',
        '  s3 --> s4',
        '  s4 --> s5',
        '  s0 -.->|undo| s6',
        '',
      ].join('\n'),
    );
  });

  it("classes each node by a run's step state", () => {
    const text = dagToMermaid(
      dag,
      new Map([
        ['end', 'succeeded'],
        ['search', 'running'],
        ['write', 'succeeded'],
        ['ok', 'pending'],
      ]),
    );
    expect(text.split('\n').filter((line) => line.includes('class'))).toEqual([
      '  classDef succeeded fill:#d1e7dd,stroke:#198754',
      '  class s0,s2 succeeded',
      '  classDef running fill:#cfe2ff,stroke:#0d6efd,stroke-width:2px',
      '  class s1 running',
    ]);
  });
});
