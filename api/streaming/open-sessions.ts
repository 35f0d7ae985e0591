import type { FastifyInstance } from 'fastify';
import { appError, type AppError } from '../../domain/shared/app-error.ts';

/** A long-lived answer that can be ended from outside (an SSE stream, an agent inbox). */
export interface ClosableSession {
  close(reason: string): Promise<void>;
}

/**
 * The open sessions of one route of long-lived answers. They would hold a graceful shutdown open, so all of them are
 * ended before the server stops listening, and none starts once it is closing.
 */
export class OpenSessions<Session extends ClosableSession> {
  private readonly open = new Set<Session>();
  private closing = false;

  constructor(app: FastifyInstance) {
    app.addHook('preClose', async () => {
      this.closing = true;
      await Promise.all([...this.open].map((session) => session.close('server shutting down')));
    });
  }

  /** 503 SHUTTING_DOWN once the server is closing; null while a session may start. */
  refusal(): AppError | null {
    return this.closing ? appError('unavailable', 'SHUTTING_DOWN', 'the server is shutting down; retry shortly') : null;
  }

  add(session: Session): void {
    this.open.add(session);
  }

  delete(session: Session): void {
    this.open.delete(session);
  }
}
