import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { parseJsonOutput, runScaffolder } from '../cli';
import { GoldenPathsOptions } from '../config';

/** stdout of `scaffolder new --json`. */
type NewResult = {
  golden_path: string;
  version: string;
  destination: string;
  files: string[];
  commit: string | null;
  /** What the template says after generating (copier's message, cookiecutter hook output). */
  messages?: string[];
};

/**
 * `fetch:golden-path`: renders a scaffolder golden path into the workspace.
 *
 * The CLI insists on an empty or missing destination, while a workspace
 * usually holds files from earlier steps. So the CLI always renders into a
 * scratch directory, and the result is then merged into the target directory,
 * refusing to overwrite anything that is already there.
 */
export function createFetchGoldenPathAction(options: GoldenPathsOptions) {
  return createTemplateAction({
    id: 'fetch:golden-path',
    description:
      'Renders a scaffolder golden path (a versioned, organisation-approved template) into the workspace.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Render the service golden path at a pinned version',
        example: [
          'steps:',
          '  - id: fetch',
          '    name: Render golden path',
          '    action: fetch:golden-path',
          '    input:',
          '      goldenPath: service',
          "      version: '1.0.0'",
          '      values:',
          '        name: ${{ parameters.name }}',
          '        owner: ${{ parameters.owner }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        goldenPath: z =>
          z.string().min(1).describe('Name of the golden path, as `scaffolder list` shows it'),
        version: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe('Golden-path version to render; the latest when omitted'),
        values: z =>
          z
            .record(z.string(), z.any())
            .describe('Answers to the golden path questions (`scaffolder questions NAME`)'),
        targetPath: z =>
          z
            .string()
            .optional()
            .describe("Directory inside the workspace to render into; defaults to '.'"),
        catalog: z =>
          z
            .string()
            .optional()
            .describe(
              'Organisation catalog directory on the backend host; defaults to scaffolder.goldenPaths.catalog',
            ),
      },
      output: {
        goldenPath: z => z.string().describe('The golden path that was rendered'),
        version: z => z.string().describe('The version that was rendered'),
        files: z => z.array(z.string()).describe('Rendered files, relative to targetPath'),
        targetPath: z =>
          z
            .string()
            .describe("Where the files landed, relative to the workspace ('.' for its root)"),
      },
    },
    async handler(ctx) {
      const { goldenPath, version, values } = ctx.input;
      const catalog = ctx.input.catalog ?? options.defaultCatalog;
      // Resolved before anything else, so a path escaping the workspace (also
      // through a symlink: the check follows them) fails without running the CLI.
      const outputDir = resolveSafeChildPath(ctx.workspacePath, ctx.input.targetPath ?? '.');
      const targetPath = toPosix(path.relative(ctx.workspacePath, outputDir)) || '.';

      // Our own directory inside the step's temporary one. The scaffolder
      // removes that only after a step succeeds; the `finally` below also
      // covers failures and cancellation, as the answers may hold secrets.
      const scratch = await fs.mkdtemp(
        path.join(await ctx.createTemporaryDirectory(), 'golden-path-'),
      );
      try {
        // Answers go through a file, never the command line: they may hold
        // secrets, and a file keeps them out of `ps`.
        const dataFile = path.join(scratch, 'answers.json');
        await fs.writeFile(dataFile, JSON.stringify(values), { mode: 0o600 });
        // Empty, not missing: a golden path that adds to an existing repo (tenant)
        // needs its destination to exist; one that makes a repo takes an empty one.
        const renderDir = path.join(scratch, 'render');
        await fs.mkdir(renderDir);

        // `--opt=value` and `--` keep any input from being read as an option.
        // --inherit-from: a golden path with inherit.yml reads the answers it
        // inherits from the repo already in targetPath (a fetch:plain of a
        // cluster-baseline repo), as `scaffolder new tenant REPO` does; others ignore it.
        const args = [
          'new',
          `--data-file=${dataFile}`,
          '--json',
          '--no-git',
          `--inherit-from=${outputDir}`,
        ];
        if (version) args.push(`--version=${version}`);
        if (catalog) args.push(`--catalog=${catalog}`);
        args.push('--', goldenPath, renderDir);

        ctx.logger.info(
          `Rendering golden path ${goldenPath}${version ? ` ${version}` : ''} into ${targetPath}` +
            (ctx.isDryRun ? ' (dry run: the workspace is a throw-away copy)' : ''),
        );
        const { stdout } = await runScaffolder({
          command: options.command,
          args,
          logger: ctx.logger,
          signal: ctx.signal,
        });
        const result = parseJsonOutput<NewResult>(stdout, 'new');

        await mergeInto(renderDir, outputDir, targetPath);
        ctx.logger.info(
          `Rendered ${result.files.length} files of ${result.golden_path} ${result.version} into ${targetPath}`,
        );
        for (const message of result.messages ?? []) {
          ctx.logger.info(`From the template: ${message}`);
        }

        ctx.output('goldenPath', result.golden_path);
        ctx.output('version', result.version);
        ctx.output('files', result.files);
        ctx.output('targetPath', targetPath);
      } finally {
        await fs.rm(scratch, { recursive: true, force: true });
      }
    },
  });
}

/**
 * Copies the rendered tree into `dest`, which may already hold files.
 *
 * Every clash is reported at once, before anything is copied, so a failed
 * step leaves the workspace as it was. An existing directory only merges with
 * a rendered directory if it is a real one: writing through a symlink could
 * land outside the workspace.
 */
async function mergeInto(src: string, dest: string, targetPath: string) {
  const destStat = await lstatOrUndefined(dest);
  if (destStat && !destStat.isDirectory()) {
    throw new InputError(`targetPath '${targetPath}' exists and is not a directory`);
  }
  const conflicts = await findConflicts(src, dest, '');
  if (conflicts.length > 0) {
    const shown = conflicts.slice(0, 10).join(', ');
    const more = conflicts.length > 10 ? ` and ${conflicts.length - 10} more` : '';
    throw new InputError(
      `Refusing to overwrite existing files in '${targetPath}': ${shown}${more}. ` +
        `Render into an empty directory with the targetPath input, or remove them in an earlier step.`,
    );
  }
  // errorOnExist guards against a file appearing between the check and here.
  await fs.cp(src, dest, {
    recursive: true,
    force: false,
    errorOnExist: true,
    verbatimSymlinks: true,
  });
}

/** Rendered paths under `rel` that `dest` already has; `dest/rel` is a real directory or absent. */
async function findConflicts(src: string, dest: string, rel: string): Promise<string[]> {
  const conflicts: string[] = [];
  for (const entry of await fs.readdir(path.join(src, rel), { withFileTypes: true })) {
    const relPath = path.join(rel, entry.name);
    const existing = await lstatOrUndefined(path.join(dest, relPath));
    if (!existing) continue;
    if (entry.isDirectory() && existing.isDirectory()) {
      conflicts.push(...(await findConflicts(src, dest, relPath)));
    } else {
      conflicts.push(toPosix(relPath));
    }
  }
  return conflicts;
}

async function lstatOrUndefined(p: string) {
  try {
    return await fs.lstat(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function toPosix(p: string) {
  return p.split(path.sep).join('/');
}
