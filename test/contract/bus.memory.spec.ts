import { describe, expect, it } from 'vitest';
import { MemoryBroker, MemoryBus } from '../../infra/bus/memory.ts';
import { memoryDurableConsumers } from '../support/durable-consumer/memory.ts';
import { describeBusContract } from './bus.contract.ts';

const broker = new MemoryBroker();
describeBusContract('in-process (memory)', async () => new MemoryBus({ broker }), memoryDurableConsumers);

describe('in-process bus', () => {
  it('keeps streams and durable positions in its broker: they outlive a closed bus, not the broker', async () => {
    const shared = new MemoryBroker();
    const first = new MemoryBus({ broker: shared });
    await first.ensureStream({ name: 'jobs', subjects: ['jobs.>'] });
    for (let n = 1; n <= 3; n += 1) await first.publishDurable('jobs.run', { data: { n } });
    for await (const message of await memoryDurableConsumers.consume(first, { stream: 'jobs', durableName: 'runner' })) {
      await message.ack();
      break;
    }
    await first.close();

    const second = new MemoryBus({ broker: shared });
    const consumer = await memoryDurableConsumers.consume(second, { stream: 'jobs', durableName: 'runner' });
    const seqs: number[] = [];
    for await (const message of consumer) {
      seqs.push(message.seq);
      await message.ack();
      if (seqs.length === 2) break;
    }
    expect(seqs).toEqual([2, 3]);
    await second.close();

    const elsewhere = new MemoryBus();
    await expect(elsewhere.streamInfo('jobs')).rejects.toThrow(/not found/);
    await elsewhere.close();
  });

  it('expires messages older than maxAgeMs', async () => {
    const bus = new MemoryBus();
    await bus.ensureStream({ name: 'short', subjects: ['short.*'], maxAgeMs: 50 });
    await bus.publishDurable('short.a', { data: 1 });
    expect((await bus.streamInfo('short')).messages).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80)); // a fixed wait: the message's age is the behaviour
    await bus.publishDurable('short.a', { data: 2 });
    expect(await bus.streamInfo('short')).toMatchObject({ messages: 1, firstSeq: 2, lastSeq: 2, duplicateWindowMs: 50 });
    await bus.close();
  });
});
