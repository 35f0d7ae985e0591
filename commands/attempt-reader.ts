import type { DomainEvent } from '../domain/shared/decider.ts';
import type { Evolver, LoadedStream, StreamReader } from './stream-loader.ts';

/**
 * One attempt's view of the streams a command reads besides its own: each is read (caught up with the store) once,
 * however many steps ask for it (the decision context, the policy request, effective roles), so they all see the
 * same revision and the hot path pays one catch-up query per stream, not one per step.
 */
export class AttemptReader implements StreamReader {
  private readonly loads = new Map<string, Promise<LoadedStream<unknown>>>();

  constructor(private readonly loader: StreamReader) {}

  /** The command's own stream, already loaded by the pipeline for this attempt. */
  seed<State>(streamId: string, loaded: LoadedStream<State>): void {
    this.loads.set(streamId, Promise.resolve(loaded));
  }

  load<State, Event extends DomainEvent>(decider: Evolver<State, Event>, streamId: string): Promise<LoadedStream<State>> {
    let load = this.loads.get(streamId);
    if (!load) {
      load = this.loader.load(decider, streamId);
      this.loads.set(streamId, load);
    }
    // A stream is always folded by the one aggregate its category belongs to, so the state is that aggregate's.
    return load as Promise<LoadedStream<State>>;
  }
}
