import { LRUCache } from 'lru-cache';
import { recordedRequest, type RecordedDecision } from '../../domain/audit/recorded.ts';
import { applyStructureChanges, replayedResult, type StructureChanges, type StructureReplay } from '../../domain/audit/structure.ts';
import { StreamTimeline } from '../../domain/audit/timeline.ts';
import type { PlatformEvent } from '../../domain/events/catalog.ts';
import { rosterStream } from '../../domain/roster/events.ts';
import type { RosterState } from '../../domain/roster/state.ts';
import type { DomainEvent } from '../../domain/shared/decider.ts';
import type { Evolver, LoadedStream, StreamReader } from '../stream-loader.ts';
import { recogniseCommand } from './governed-aggregates.ts';
import { readDecodedStream, type AuditSource } from './reader.ts';

/** Most streams one replay call keeps folded (each read whole once); past it the least recently used is dropped and read again if asked. */
const MAX_CACHED_STREAMS = 1_000;

/** Streams of the log as timelines, read once per replay call (bounded), foldable to any revision or position. */
class LogTimelines {
  private readonly timelines = new LRUCache<string, StreamTimeline<unknown, PlatformEvent>>({ max: MAX_CACHED_STREAMS });

  constructor(private readonly source: AuditSource) {}

  async of(evolver: Evolver<unknown, DomainEvent>, streamId: string): Promise<StreamTimeline<unknown, PlatformEvent>> {
    const cached = this.timelines.get(streamId);
    if (cached) return cached;
    const timeline = new StreamTimeline(evolver, await readDecodedStream(this.source, streamId));
    this.timelines.set(streamId, timeline);
    return timeline;
  }
}

/**
 * The streams a command's decision context reads, as the log had them at a position, with a what-if's structure
 * changes applied to the org's roster; the command's own stream at the exact revision it was decided on.
 */
class AsOfReader implements StreamReader {
  private readonly seeded = new Map<string, LoadedStream<unknown>>();

  constructor(
    private readonly timelines: LogTimelines,
    private readonly position: bigint,
    private readonly transform: (streamId: string, state: unknown) => unknown,
  ) {}

  seed(loaded: LoadedStream<unknown>): void {
    this.seeded.set(loaded.streamId, loaded);
  }

  async load<State, Event extends DomainEvent>(decider: Evolver<State, Event>, streamId: string): Promise<LoadedStream<State>> {
    const seeded = this.seeded.get(streamId);
    if (seeded) return seeded as LoadedStream<State>;
    const timeline = await this.timelines.of(decider as unknown as Evolver<unknown, DomainEvent>, streamId);
    const { state, revision } = timeline.stateAtPosition(this.position);
    // Folded by `decider` itself (a stream belongs to one aggregate), so the state is its State.
    return { streamId, state: this.transform(streamId, state) as State, revision, fenced: false, commands: new Map() };
  }
}

/**
 * Decides recorded commands again, as the pipeline decided them: the recorded command, parsed by its aggregate's
 * schema, on its stream's state at the recorded revision (`result.basis`), with the decision context its aggregate
 * loads (other streams as of the decision's position, best effort like the policy's org facts), at the recorded
 * instant, as the recorded principal. With structure changes, the org's roster is changed before deciding.
 */
export class StructureReplayer {
  private readonly timelines: LogTimelines;

  constructor(
    source: AuditSource,
    private readonly orgId: string,
  ) {
    this.timelines = new LogTimelines(source);
  }

  async redecide(decision: RecordedDecision, changes?: StructureChanges): Promise<StructureReplay> {
    const { result } = decision.data;
    if (result.status !== 'applied' && result.status !== 'refused-by-structure') {
      return { replayed: false, code: 'NO_BASIS', reason: `a ${result.status} decision records no state it was decided on` };
    }
    const parsed = recordedRequest(decision.data);
    if (!parsed.ok) return { replayed: false, code: 'REQUEST_INVALID', reason: parsed.message };
    const { request } = parsed;
    const command = recogniseCommand(request.command, result.basis.streamId);
    if (command === null) {
      return {
        replayed: false,
        code: 'COMMAND_UNKNOWN',
        reason: `no governed aggregate takes the recorded ${request.command.type} on ${result.basis.streamId}`,
      };
    }
    if (command.contextNotInLog !== null) return { replayed: false, code: 'CONTEXT_NOT_IN_LOG', reason: `${command.aggregate}: ${command.contextNotInLog}` };
    const own = await this.timelines.of(command.evolver, result.basis.streamId);
    const revision = BigInt(result.basis.revision);
    if (revision > own.head) {
      return {
        replayed: false,
        code: 'BASIS_NOT_IN_LOG',
        reason: `${result.basis.streamId} ends at revision ${own.head}, the decision was made at ${revision}`,
      };
    }
    const roster = rosterStream(this.orgId);
    const transform = (streamId: string, state: unknown) =>
      changes === undefined || streamId !== roster ? state : applyStructureChanges(state as RosterState, changes);
    const reader = new AsOfReader(this.timelines, decision.position, transform);
    const state = transform(result.basis.streamId, own.stateAtRevision(revision));
    reader.seed({ streamId: result.basis.streamId, state, revision, fenced: false, commands: new Map() });
    const principal = { id: request.principal.id, kind: request.principal.kind };
    const base = { now: request.now, principal, commandId: decision.commandId ?? decision.data.decisionId };
    const replayed = replayedResult(await command.decide(state, reader, base));
    if (result.status === 'refused-by-structure' && replayed.status === 'applied' && command.reservationCodes.includes(result.code)) {
      return { replayed: false, code: 'UNIQUE_KEY', reason: `refused by a unique key (${result.code}) another stream held, which replay does not re-claim` };
    }
    return { replayed: true, result: replayed, aggregate: command.aggregate };
  }
}
