import { appError, type AppError } from './app-error.ts';

/**
 * A command the aggregate's status does not allow: `what` names the aggregate as a message reads it (`a job`), `id`
 * is its id field (`{ jobId }`), which the details carry with the status and the command.
 */
export function illegalTransition(what: string, id: Readonly<Record<string, string>>, status: string, command: string): AppError {
  return appError('conflict', 'ILLEGAL_TRANSITION', `cannot ${command} ${what} that is ${status}`, { ...id, status, command });
}
