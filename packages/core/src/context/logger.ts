/** Structured logging, as `ctx.logger` offers it. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

type Level = keyof Logger;

/** One JSON object per line on stdout/stderr: what CloudWatch Logs and Lambda's JSON log format expect. */
export const jsonLogger: Logger = {
  debug: (message, fields) => write('debug', message, fields),
  info: (message, fields) => write('info', message, fields),
  warn: (message, fields) => write('warn', message, fields),
  error: (message, fields) => write('error', message, fields),
};

function write(level: Level, message: string, fields: Record<string, unknown> | undefined): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

/** A logger that says nothing while `isSilent()` holds: replayed code must not log twice. */
export function replayAwareLogger(base: Logger, isSilent: () => boolean, context: Record<string, unknown>): Logger {
  const forward =
    (level: Level) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (!isSilent()) base[level](message, { ...context, ...fields });
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
