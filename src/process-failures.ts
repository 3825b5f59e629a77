import { oneLineReason } from '../services/errors.js';
import { EXIT } from './cli/exit-codes.js';
import { SettingsError } from './settings.js';

/**
 * Output that cannot be written (a pipe closed by `head`, a full disk behind
 * stderr) must never stop a run or change its exit code: the run still
 * writes its rows. Without a listener such an 'error' event would crash the
 * process at its next log line.
 */
export function ignoreOutputErrors(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) stream.on('error', () => undefined);
}

/**
 * Says why the process cannot go on and returns its exit code: settings
 * problems one line each (64); anything else, unexpected, in one line (2),
 * with the stack only at LOG_LEVEL=debug or trace.
 */
export function reportFatal(error: unknown, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv): number {
  if (error instanceof SettingsError) {
    for (const problem of error.problems) stderr.write(`error: ${problem}\n`);
    return EXIT.badArguments;
  }
  stderr.write(`error: unexpected failure: ${oneLineReason(error)}\n`);
  if ((env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace') && error instanceof Error) stderr.write(`${error.stack}\n`);
  return EXIT.runFailed;
}

/** An exception nothing caught, or a rejection nothing handled, ends the process at once with 2, never 1 ("some metrics failed"). */
export function exitOnCrash(stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv, exit: (code: number) => void): void {
  const crash = (error: unknown) => exit(reportFatal(error, stderr, env));
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
