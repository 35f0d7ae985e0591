import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { uuidSchema } from '../../domain/shared/ids.ts';
import { TIMER_ID_NAMESPACE, timerIdFor } from '../../domain/timer/timer-id.ts';

describe('timerIdFor', () => {
  it('gives the same lowercase UUID v5 for the same key, every time', () => {
    const id = timerIdFor('auction.close:5b0c7a0e-2d7f-4c1a-9a55-0b7b1f3d9e21:1');
    expect(id).toBe(timerIdFor('auction.close:5b0c7a0e-2d7f-4c1a-9a55-0b7b1f3d9e21:1'));
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(5);
    expect(id).toBe(id.toLowerCase());
    expect(uuidSchema.parse(id)).toBe(id);
  });

  // The expected value was computed independently (Python's uuid.uuid5 over the same namespace and key).
  it('is pinned: the id of a key never changes between releases (restarted sagas depend on it)', () => {
    expect(validate(TIMER_ID_NAMESPACE)).toBe(true);
    expect(timerIdFor('auction.close:job-1:1')).toBe('50895343-27b4-54aa-9c4e-9fbd997369fe');
  });

  it('gives different keys different ids', () => {
    const keys = ['auction.close:a:1', 'auction.close:a:2', 'auction.close:b:1', 'Auction.close:a:1', 'task.heartbeat:a:1'];
    expect(new Set(keys.map(timerIdFor)).size).toBe(keys.length);
  });

  it('refuses an empty key', () => {
    expect(() => timerIdFor('')).toThrow(TypeError);
  });
});
