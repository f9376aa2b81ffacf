import { execFile, execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { LoggerService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { ActionContext } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';

/**
 * The real scaffolder CLI: `$SCAFFOLDER_CLI` (split on spaces, so
 * `python -m scaffolder` works) or `scaffolder` on PATH.
 */
export function scaffolderCommand(): string[] {
  const fromEnv = process.env.SCAFFOLDER_CLI?.trim();
  return fromEnv ? fromEnv.split(/\s+/) : ['scaffolder'];
}

/** Runs the real CLI and resolves to its stdout; rejects with its stderr. */
export async function runCli(args: string[]): Promise<string> {
  const [executable, ...leading] = scaffolderCommand();
  try {
    const { stdout } = await promisify(execFile)(executable, [...leading, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`scaffolder ${args.join(' ')} failed: ${stderr?.trim() || message}`);
  }
}

/**
 * `scaffolder new GOLDEN_PATH DEST --data-file ANSWERS --json --no-git`, the
 * answers written to `DEST.answers.json` (DEST's parent must exist).
 */
export async function renderNewRepo(options: {
  goldenPath: string;
  dest: string;
  version?: string;
  values: Record<string, unknown>;
  catalog?: string;
}): Promise<{ golden_path: string; version: string; files: string[] }> {
  const dataFile = `${options.dest}.answers.json`;
  await fs.writeFile(dataFile, JSON.stringify(options.values));
  const args = ['new', options.goldenPath, options.dest, `--data-file=${dataFile}`];
  if (options.version) args.push(`--version=${options.version}`);
  if (options.catalog) args.push(`--catalog=${options.catalog}`);
  return JSON.parse(await runCli([...args, '--json', '--no-git']));
}

/**
 * The latest version of a golden path and answers to its required questions,
 * read from `scaffolder questions --json`, for tests that must not pin a
 * version: the golden paths gain versions and questions over time.
 */
export function latestAnswers(goldenPath: string): {
  version: string;
  values: Record<string, unknown>;
} {
  const [executable, ...leading] = scaffolderCommand();
  const { version, questions } = JSON.parse(
    execFileSync(executable, [...leading, 'questions', goldenPath, '--json'], {
      encoding: 'utf8',
    }),
  ) as {
    version: string;
    questions: Array<{
      name: string;
      required: boolean;
      default: unknown;
      choices: Array<{ value: unknown }>;
    }>;
  };
  const values: Record<string, unknown> = {};
  for (const question of questions) {
    if (question.required && question.default === null) {
      // 'payments' is a valid DNS-1123 label, which names usually must be.
      values[question.name] = question.choices[0]?.value ?? 'payments';
    }
  }
  return { version, values };
}

/**
 * A mock action context plus what createMockActionContext leaves out: it
 * ignores `signal` and `isDryRun`, and its createTemporaryDirectory hands back
 * the workspace itself. Here temporary directories are fresh directories under
 * `tmpRoot`, recorded in `temporaryDirectories` so tests can check cleanup.
 */
export function createContext<TInput extends JsonObject>(options: {
  workspacePath: string;
  tmpRoot: string;
  input: TInput;
  isDryRun?: boolean;
  signal?: AbortSignal;
  logger?: LoggerService;
}) {
  const temporaryDirectories: string[] = [];
  const logger = options.logger ?? mockServices.logger.mock();
  const ctx: ActionContext<TInput, any> = {
    ...createMockActionContext<TInput>({
      workspacePath: options.workspacePath,
      input: options.input,
      logger,
    }),
    isDryRun: options.isDryRun,
    signal: options.signal,
    createTemporaryDirectory: async () => {
      await fs.mkdir(options.tmpRoot, { recursive: true });
      const dir = await fs.mkdtemp(path.join(options.tmpRoot, 'task-'));
      temporaryDirectories.push(dir);
      return dir;
    },
  };
  return { ctx, logger, temporaryDirectories, output: ctx.output as jest.Mock };
}

/** Every file below `dir`, relative and sorted; [] when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter(entry => !entry.isDirectory())
    .map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
