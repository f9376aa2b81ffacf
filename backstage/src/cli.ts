import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

/** Exit codes of the scaffolder CLI (see `scaffolder --help`). */
export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_DRIFT = 2;
export const EXIT_CONFLICTS = 3;
export const EXIT_INTERNAL_ERROR = 4;
export const EXIT_CANCELLED = 130;

/** How long a child gets to exit after SIGINT before it is sent SIGKILL. */
const KILL_GRACE_MS = 5_000;
/** How many stderr lines are kept to explain an unexpected failure. */
const STDERR_TAIL_LINES = 20;

export type RunOptions = {
  /** Executable plus leading arguments, e.g. `['/opt/scaffolder/bin/scaffolder']`. */
  command: string[];
  /** Arguments appended after `command`. */
  args: string[];
  logger: LoggerService;
  signal?: AbortSignal;
  /** Exit codes that are results rather than failures (0 is always one). */
  okExitCodes?: number[];
};

export type RunResult = {
  exitCode: number;
  stdout: string;
};

/** Thrown when a run is stopped through its AbortSignal. */
export class CancelledError extends Error {
  name = 'CancelledError';
}

/**
 * Runs the scaffolder CLI without a shell and returns its stdout.
 *
 * Every stderr line is forwarded to the logger as it arrives, so that the
 * task log in Backstage shows progress live. stdin is closed: the CLI never
 * prompts without a terminal, and a closed stdin makes that certain.
 *
 * Failures are mapped to errors a template author can act on: exit 1 (a bad
 * answer, an unknown golden path or version) becomes an InputError carrying
 * the CLI's one-line `error:` message, which names the offending question.
 */
export async function runScaffolder(options: RunOptions): Promise<RunResult> {
  const { command, args, logger, signal } = options;
  const okExitCodes = new Set([EXIT_OK, ...(options.okExitCodes ?? [])]);
  if (signal?.aborted) {
    throw new CancelledError('scaffolder run cancelled before it started');
  }

  const [executable, ...leadingArgs] = command;
  const child = spawn(executable, [...leadingArgs, ...args], {
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe'],
    // PYTHONUNBUFFERED so progress lines reach the task log as they happen.
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });

  const stdout: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));

  const stderrTail: string[] = [];
  let errorLine: string | undefined;
  const stderrDone = new Promise<void>(resolve => {
    const lines = createInterface({ input: child.stderr, crlfDelay: Infinity });
    lines.on('line', line => {
      if (!line.trim()) return;
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      if (line.startsWith('error:')) {
        errorLine = line.slice('error:'.length).trim();
        logger.error(line);
      } else if (line.startsWith('warning:')) {
        logger.warn(line);
      } else {
        logger.info(line);
      }
    });
    lines.on('close', resolve);
  });

  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    logger.warn(`Cancelling scaffolder (pid ${child.pid})`);
    // SIGINT lets the CLI remove its half-written destination itself.
    child.kill('SIGINT');
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const exit = await new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
    }>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => logger.debug(`Started ${executable} (pid ${child.pid})`));
      child.once('close', (code, sig) => resolve({ code, signal: sig }));
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        throw new Error(
          `The scaffolder CLI '${executable}' was not found. Install scaffolder in the ` +
            `backend image or set scaffolder.goldenPaths.command in app-config.`,
        );
      }
      throw error;
    });
    await stderrDone;

    if (signal?.aborted) {
      throw new CancelledError('scaffolder run cancelled');
    }
    const exitCode = exit.code ?? -1;
    if (okExitCodes.has(exitCode)) {
      return { exitCode, stdout: Buffer.concat(stdout).toString('utf8') };
    }
    if (exitCode === EXIT_USER_ERROR) {
      // The CLI's one line is the whole story. The scaffolder prints a failed
      // step's `error.stack` into the task log, so drop our Node frames there.
      const error = new InputError(errorLine ?? stderrTail.at(-1) ?? 'scaffolder failed (exit 1)');
      error.stack = `${error.name}: ${error.message}`;
      throw error;
    }
    if (exitCode === EXIT_CANCELLED || exit.signal) {
      throw new CancelledError(`scaffolder was interrupted (${exit.signal ?? `exit ${exitCode}`})`);
    }
    const what = exitCode === EXIT_INTERNAL_ERROR ? 'an internal error' : `exit ${exitCode}`;
    throw new Error(
      `scaffolder ${args[0]} failed with ${what}: ${stderrTail.join('\n') || '(no output)'}`,
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
  }
}

/** Parses the CLI's `--json` stdout, with an error that shows what came back. */
export function parseJsonOutput<T>(stdout: string, subcommand: string): T {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new Error(
      `scaffolder ${subcommand} did not print JSON on stdout: ${stdout.slice(0, 200)}`,
    );
  }
}
