import { toolDecider } from '../domain/tool/decider.ts';
import { toolStream } from '../domain/tool/events.ts';
import { toolIdFor } from '../domain/tool/fields.ts';
import type { KnownTool } from '../domain/workflow/tool-inputs.ts';
import { MAX_STEPS } from '../domain/workflow/fields.ts';
import type { StreamReader } from './stream-loader.ts';

/**
 * The tools a submitted definition's tool steps name, as the org's registry has them now: the active ones with their
 * input schemas. A named tool that is not registered, or retired, is left out, so publishing reports it unknown. The
 * steps are read as submitted (not yet validated), and at most MAX_STEPS of them, so the loads are bounded.
 */
export async function knownToolsOf(orgId: string, steps: unknown, reader: StreamReader): Promise<ReadonlyMap<string, KnownTool>> {
  const names = new Set<string>();
  if (typeof steps === 'object' && steps !== null) {
    for (const step of Object.values(steps).slice(0, MAX_STEPS)) {
      if (typeof step === 'object' && step !== null && step.kind === 'tool' && typeof step.tool === 'string') names.add(step.tool);
    }
  }
  const known = new Map<string, KnownTool>();
  for (const name of names) {
    const { state } = await reader.load(toolDecider, toolStream(toolIdFor(orgId, name)));
    if (state !== null && state.status === 'active') known.set(name, { inputSchema: state.spec.inputSchema });
  }
  return known;
}
