import { pino, type Logger, type LoggerOptions } from 'pino';

/** Secrets never reach a log line: credentials are redacted wherever they could appear. */
export const loggerOptions = (level: string): LoggerOptions => ({
  level,
  redact: {
    paths: ['req.headers.authorization', 'headers.authorization', '*.apiKey', '*.key', '*.password', '*.secret', 'config.AGENCYGRID_ADMIN_KEY'],
    censor: '[redacted]',
  },
});

export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}
