import { toolDecider } from '../../domain/tool/decider.ts';
import { toolEventDefinitions } from '../../domain/tool/events.ts';
import type { ToolSpec } from '../../domain/tool/spec.ts';
import type { Tool } from '../../domain/tool/state.ts';
import type { JsonValue } from '../../domain/shared/json-value.ts';
import type { JsonDocument } from '../../infra/documents/port.ts';
import { countOnceCaughtUp, type CaughtUpCountDeps } from './caught-up-count.ts';
import { evolvingReadModel } from '../evolving-read-model.ts';
import { json, withoutBookkeeping } from '../read-model-writes.ts';
import { asc, desc, index } from './index-fields.ts';
import type { Stored } from './stored.ts';

export const TOOLS = 'tools';
export const TOOLS_PROJECTION = 'tools';

/** A tool's document: the tool at its current version, its spec as JSON text, its endpoint's kind, `revision`. */
export type ToolDocument = Stored<Omit<Tool, 'spec' | 'versions'> & { kind: ToolSpec['endpoint']['kind']; specJson: string; revision: number }>;

/**
 * One document per tool of an org (`_id` = toolId): the registry's own fold (evolveTool) at the current version, for
 * lists. The spec is free JSON whose keys are the caller's (a schema's `$ref`, a property named `a.b`: not storable
 * document keys), so it is kept as JSON text, `specJson`; the earlier versions are not kept here (the tool's stream
 * has them, and `GET /orgs/{orgId}/tools/{name}` reads them from it).
 */
export const toolsProjection = evolvingReadModel({
  name: TOOLS_PROJECTION,
  version: 1,
  collection: TOOLS,
  events: toolEventDefinitions,
  decider: toolDecider,
  idOf: (event) => event.data.toolId,
  fromDocument: toolFromDocument,
  toDocument(tool) {
    const { spec, versions: _versions, ...rest } = tool;
    return { ...(json(rest) as Record<string, JsonValue>), kind: spec.endpoint.kind, specJson: JSON.stringify(spec) };
  },
  stamps: { revision: true },
  // GET /orgs/:orgId/tools: each filter with the order, so a filtered page is a seek too.
  indexes: [
    index('tools_org_registered', asc('orgId'), desc('registeredAt')),
    index('tools_org_status_registered', asc('orgId'), asc('status'), desc('registeredAt')),
    index('tools_org_kind_registered', asc('orgId'), asc('kind'), desc('registeredAt')),
  ],
});

/** The tool a stored document holds, with its current version's spec as its only one. */
export function toolFromDocument(document: Record<string, JsonValue>): Tool {
  const { specJson, kind: _kind, revision: _revision, updatedAt, ...rest } = document;
  const spec = JSON.parse(String(specJson)) as ToolSpec;
  const tool = rest as unknown as Omit<Tool, 'spec' | 'versions' | 'updatedAt'>;
  return { ...tool, updatedAt: String(updatedAt), spec, versions: { [tool.version]: spec } };
}

/** A tool as the list answers it: its current version, without the earlier ones. */
export function toolView(document: JsonDocument) {
  const { versions: _versions, ...tool } = toolFromDocument(withoutBookkeeping(document));
  return tool;
}

/** How long a registration waits for the tools read model to reach the head of the log before it gives up on counting. */
export const TOOL_COUNT_WAIT_MS = 5000;

/**
 * The count of an org's tools (active or retired) RegisterTool's cap checks (`createToolAggregate({ toolsOf })`): the
 * tools read model once its projection has applied everything in the log, so a tool registered just before is
 * counted. Not reached within `timeoutMs`: null, and a new tool is refused TOOL_COUNT_UNKNOWN (503), never waved
 * through.
 */
export function toolCountFromReadModel(deps: CaughtUpCountDeps, timeoutMs = TOOL_COUNT_WAIT_MS): (orgId: string) => Promise<number | null> {
  return countOnceCaughtUp(deps, TOOLS_PROJECTION, (docs, orgId) => docs.count(TOOLS, { field: 'orgId', op: 'eq', value: orgId }), timeoutMs);
}
