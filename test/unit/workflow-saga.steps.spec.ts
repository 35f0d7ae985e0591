import { describe, expect, it } from 'vitest';
import { appError } from '../../domain/shared/app-error.ts';
import { StepUnavailableError, type SagaEvent } from '../../processes/saga-runner.ts';
import type { Step } from '../../processes/workflow.ts';
import { workflowSaga } from '../../processes/workflow-saga.ts';
import { placed } from '../support/workflow-spec.ts';

type Command = { name: string };
type FollowUp = { type: 'again'; round: number };
type Input = SagaEvent<'JobCancelled'> | FollowUp;

const orgId = '11111111-1111-4111-8111-111111111111';
const jobId = '55555555-5555-4555-8555-555555555555';
const cancelled = () => placed({ type: 'JobCancelled', data: { jobId, orgId, reason: 'no longer needed' } });
const timer = { key: 'test.timer:1', orgId, dueAt: '2026-11-27T10:00:05.000Z', purpose: 'test.timer', ref: { n: 1 } };

/** A workflow whose decisions the test gives, over an I/O that records what it was asked to do. */
function harness(decide: (input: Input, state: number, now: string) => ReadonlyArray<Step<Command, FollowUp>>, options: { refuse?: string[] } = {}) {
  const done: string[] = [];
  let loads = 0;
  let clockReads = 0;
  const saga = workflowSaga<'JobCancelled', FollowUp, number, Command>({
    name: 'test',
    eventTypes: ['JobCancelled'],
    decide: (input, state, context) => decide(input, state, context.now),
    clock: () => {
      clockReads += 1;
      return new Date(Date.parse('2026-11-27T10:00:00.000Z') + clockReads * 1000);
    },
    io: {
      load: async (input) => {
        loads += 1;
        done.push(`load:${'round' in input ? input.round : input.type}`);
        return loads;
      },
      run: async (command, commandId, cause) => {
        done.push(`run:${command.name}:${commandId}:${cause.eventId}`);
        if (options.refuse?.includes(command.name)) return appError('conflict', 'REFUSED', `${command.name} refused`);
        return { commandId, streamId: 's', streamRevision: 0n, position: 1n, events: [], replayed: false };
      },
      schedule: async (scheduled, cause) => {
        done.push(`schedule:${scheduled.key}:${cause.eventId}`);
      },
      publish: async (subject) => {
        done.push(`publish:${subject}`);
      },
    },
  });
  return { saga, done, clockReads: () => clockReads };
}

const command = (name: string, ifRefused?: Extract<Step<Command, FollowUp>, { kind: 'command' }>['ifRefused']): Step<Command, FollowUp> => ({
  kind: 'command',
  command: { name },
  commandId: `id-${name}`,
  ...(ifRefused === undefined ? {} : { ifRefused }),
});

describe('workflowSaga: a workflow run as a saga', () => {
  it('loads, decides and carries the steps out in order, each caused by the event', async () => {
    const { saga, done } = harness(() => [
      command('a'),
      { kind: 'schedule', timer },
      { kind: 'publish', subject: 'agent.x.inbox', data: { n: 1 } },
      command('b'),
    ]);
    const event = cancelled();
    await saga.handle(event);
    expect(done).toEqual([
      'load:JobCancelled',
      `run:a:id-a:${event.eventId}`,
      `schedule:test.timer:1:${event.eventId}`,
      'publish:agent.x.inbox',
      `run:b:id-b:${event.eventId}`,
    ]);
  });

  it('goes on past a refused command unless the step says otherwise', async () => {
    const { saga, done } = harness(() => [command('a'), command('b')], { refuse: ['a'] });
    await saga.handle(cancelled());
    expect(done.filter((entry) => entry.startsWith('run:')).map((entry) => entry.split(':')[1])).toEqual(['a', 'b']);
  });

  it('ends the list at a refused command marked stop', async () => {
    const { saga, done } = harness(() => [command('a', 'stop'), command('b')], { refuse: ['a'] });
    await saga.handle(cancelled());
    expect(done.filter((entry) => entry.startsWith('run:')).map((entry) => entry.split(':')[1])).toEqual(['a']);
  });

  it('runs the steps a refusal answers instead of the rest, given the refusal', async () => {
    const { saga, done } = harness(() => [command('a', (refusal) => [command(`after-${refusal.code}`)]), command('b')], { refuse: ['a'] });
    await saga.handle(cancelled());
    expect(done.filter((entry) => entry.startsWith('run:')).map((entry) => entry.split(':')[1])).toEqual(['a', 'after-REFUSED']);
  });

  it('does not run the refusal steps of a command that went through', async () => {
    const { saga, done } = harness(() => [command('a', () => [command('never')]), command('b')]);
    await saga.handle(cancelled());
    expect(done.filter((entry) => entry.startsWith('run:')).map((entry) => entry.split(':')[1])).toEqual(['a', 'b']);
  });

  it('decides a follow-up on state loaded after the steps before it, then goes on with the list', async () => {
    const seen: Array<{ input: string; state: number }> = [];
    const { saga, done } = harness(
      (input, state) => {
        seen.push({ input: input.type, state });
        return input.type === 'again'
          ? [command(`inner-${state}`, 'stop')]
          : [command('first'), { kind: 'follow', input: { type: 'again', round: 2 } }, command('last')];
      },
      { refuse: ['inner-2'] },
    );
    await saga.handle(cancelled());
    expect(seen).toEqual([
      { input: 'JobCancelled', state: 1 },
      { input: 'again', state: 2 },
    ]);
    expect(done.map((entry) => entry.split(':').slice(0, 2).join(':'))).toEqual(['load:JobCancelled', 'run:first', 'load:2', 'run:inner-2', 'run:last']);
  });

  it('reads the clock once per decision', async () => {
    const times: string[] = [];
    const { saga, clockReads } = harness((input, _state, now) => {
      times.push(now);
      return input.type === 'again' ? [] : [{ kind: 'follow', input: { type: 'again', round: 2 } }];
    });
    await saga.handle(cancelled());
    expect(times).toEqual(['2026-11-27T10:00:01.000Z', '2026-11-27T10:00:02.000Z']);
    expect(clockReads()).toBe(2);
  });

  it('lets an unavailable dependency throw, so the runner handles the event again', async () => {
    const saga = workflowSaga<'JobCancelled', FollowUp, null, Command>({
      name: 'test',
      eventTypes: ['JobCancelled'],
      decide: () => [command('a')],
      io: {
        load: async () => null,
        run: async () => {
          throw new StepUnavailableError(appError('unavailable', 'STORE_UNAVAILABLE', 'the store is down'));
        },
        schedule: async () => undefined,
        publish: async () => undefined,
      },
    });
    await expect(saga.handle(cancelled())).rejects.toBeInstanceOf(StepUnavailableError);
  });
});
