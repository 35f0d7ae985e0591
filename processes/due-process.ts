import type { OutageStatus } from '../infra/outage/dependency-outage.ts';
import type { Due, DueSchedule } from './due-schedule.ts';

/** A process that acts on what falls due (timers, association expiries): what it shows the platform is its schedule's. */
export abstract class DueProcess<Item extends Due> {
  protected abstract readonly schedule: DueSchedule<Item>;

  start(): void {
    this.schedule.start();
  }

  /** Why it is not following the log now (a dependency outage it waits out), if it is not. */
  get waiting(): OutageStatus | null {
    return this.schedule.waiting;
  }

  /** How many items wait to fall due (as far as the log has been read). */
  get scheduled(): number {
    return this.schedule.items.size;
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }
}
