import type { StepState, WorkflowDag } from './dag.ts';
import type { StepKind } from './steps.ts';

/** Each kind its shape: a task a box, a tool a parallelogram, an approval a rhombus, a wait a stadium, a sub-workflow a subroutine. */
const SHAPES: Readonly<Record<StepKind, readonly [string, string]>> = {
  task: ['[', ']'],
  tool: ['[/', '/]'],
  approval: ['{', '}'],
  wait: ['([', '])'],
  workflow: ['[[', ']]'],
};

const STATE_STYLES: Readonly<Partial<Record<StepState, string>>> = {
  scheduled: 'fill:#e7f1ff,stroke:#0d6efd',
  running: 'fill:#cfe2ff,stroke:#0d6efd,stroke-width:2px',
  succeeded: 'fill:#d1e7dd,stroke:#198754',
  failed: 'fill:#f8d7da,stroke:#dc3545',
  skipped: 'fill:#eeeeee,stroke:#999999,stroke-dasharray:4',
  cancelled: 'fill:#eeeeee,stroke:#6c757d',
  compensating: 'fill:#fff3cd,stroke:#fd7e14',
  compensated: 'fill:#fff3cd,stroke:#ffc107',
};

const MAX_GUARD_SHOWN = 60;

/**
 * A DAG as a Mermaid flowchart. Nodes are named `s0`, `s1`, ... in the DAG's order, never by step id (a step may be
 * called `end` or `graph`, which Mermaid reads as keywords); the step id is the node's quoted label, escaped. A
 * guard shows under the id, a fan-out its bound, a compensation hangs off its step on a dotted edge. With `states`
 * (a run's), each node is classed by its state.
 */
export function dagToMermaid(dag: WorkflowDag, states?: ReadonlyMap<string, StepState>): string {
  const names = new Map<string, string>();
  const nameOf = (id: string) => {
    const known = names.get(id);
    if (known !== undefined) return known;
    const name = `s${names.size}`;
    names.set(id, name);
    return name;
  };
  const lines = ['flowchart TD'];
  const node = (id: string, kind: StepKind, extra: string[]) => {
    const [open, close] = SHAPES[kind];
    lines.push(`  ${nameOf(id)}${open}"${[id, ...extra].map(escapeLabel).join('<br/>')}"${close}`);
  };
  for (const step of dag.nodes) {
    const extra: string[] = [];
    if (step.fanOut !== null) extra.push(`for each, at most ${step.fanOut.maxItems}`);
    if (step.when !== null) extra.push(`if ${shorten(step.when)}`);
    node(step.id, step.kind, extra);
  }
  for (const { id, kind } of dag.compensations) node(id, kind, ['compensation']);
  for (const step of dag.nodes) {
    for (const dependency of step.dependsOn) lines.push(`  ${nameOf(dependency)} --> ${nameOf(step.id)}`);
  }
  for (const step of dag.nodes) {
    if (step.compensate !== null) lines.push(`  ${nameOf(step.id)} -.->|undo| ${nameOf(step.compensate)}`);
  }
  if (states !== undefined) lines.push(...stateLines(states, names));
  return `${lines.join('\n')}\n`;
}

function stateLines(states: ReadonlyMap<string, StepState>, names: ReadonlyMap<string, string>): string[] {
  const byState = new Map<StepState, string[]>();
  for (const [id, state] of states) {
    const name = names.get(id);
    if (name === undefined || STATE_STYLES[state] === undefined) continue;
    byState.set(state, [...(byState.get(state) ?? []), name]);
  }
  return [...byState].flatMap(([state, nodes]) => [`  classDef ${state} ${STATE_STYLES[state]}`, `  class ${nodes.join(',')} ${state}`]);
}

function shorten(text: string): string {
  return text.length <= MAX_GUARD_SHOWN ? text : `${text.slice(0, MAX_GUARD_SHOWN - 1)}…`;
}

/** Inside a quoted Mermaid label, these would end the label or be read as markup; Mermaid's entity codes stand for them. */
function escapeLabel(text: string): string {
  return text.replace(/[#"<>&\n\r|]/g, (char) => `#${char.charCodeAt(0)};`);
}
