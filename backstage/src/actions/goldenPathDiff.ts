import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { EXIT_DRIFT, parseJsonOutput, runScaffolder } from '../cli';
import { GoldenPathsOptions } from '../config';

/** stdout of `scaffolder diff --format json` (schema_version 1). */
type DiffReport = {
  schema_version: number;
  repos: Array<{
    path: string;
    golden_path: string;
    version: string;
    target_version?: string;
    files: Array<{ path: string; status: string }>;
    summary: Record<string, number>;
    level: string;
    rules?: unknown[];
    /** Why this repo could not be compared, when it could not. */
    error?: string | null;
  }>;
};

/** Weakest first: a report over several repos gets the weakest level. */
const LEVELS = ['none', 'bronze', 'silver', 'gold'];

/**
 * `golden-path:diff`: reports how far a rendered repo in the workspace has
 * drifted from its golden path, typically after a `fetch:plain` or
 * `fetch:golden-path` step, to gate a template on conformance.
 */
export function createGoldenPathDiffAction(options: GoldenPathsOptions) {
  return createTemplateAction({
    id: 'golden-path:diff',
    description:
      'Compares a repo in the workspace with the golden path it was rendered from and reports drift and its conformance level.',
    // Read-only: it only looks at the workspace.
    supportsDryRun: true,
    examples: [
      {
        description: 'Fail the task when the fetched repo has drifted',
        example: [
          'steps:',
          '  - id: diff',
          '    name: Check drift',
          '    action: golden-path:diff',
          '    input:',
          '      path: ./repo',
          '      catalog: /srv/golden-paths',
          '      failOn: drift',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        path: z =>
          z
            .string()
            .optional()
            .describe("Directory inside the workspace to check; defaults to '.'"),
        catalog: z =>
          z
            .string()
            .optional()
            .describe(
              'Organisation catalog directory on the backend host; defaults to scaffolder.goldenPaths.catalog',
            ),
        failOn: z =>
          z
            .enum(['none', 'drift'])
            .optional()
            .describe(
              "'drift' fails the step when drift or a failed rule is found; default 'none'",
            ),
      },
      output: {
        summary: z => z.record(z.string(), z.number()).describe('Number of files per status'),
        level: z => z.string().describe('Conformance level: gold, silver, bronze or none'),
        files: z =>
          z
            .array(z.object({ path: z.string(), status: z.string() }))
            .describe('Every file with its status'),
        drifted: z =>
          z.boolean().describe('True when the CLI reported drift or a failed rule (exit 2)'),
      },
    },
    async handler(ctx) {
      const dir = resolveSafeChildPath(ctx.workspacePath, ctx.input.path ?? '.');
      const failOn = ctx.input.failOn ?? 'none';
      // The repo's golden path is looked up in the catalog it came from: without
      // it, every golden path of an organisation catalog is "unknown".
      const catalog = ctx.input.catalog ?? options.defaultCatalog;

      const args = ['diff', dir, '--format', 'json'];
      if (catalog) args.push(`--catalog=${catalog}`);
      const { exitCode, stdout } = await runScaffolder({
        command: options.command,
        // dir is absolute, so it can never be read as an option.
        args,
        logger: ctx.logger,
        signal: ctx.signal,
        // Exit 2 is a report (drift found), not a failure of the command.
        okExitCodes: [EXIT_DRIFT],
      });
      const report = parseJsonOutput<DiffReport>(stdout, 'diff');
      const repos = report.repos ?? [];

      const summary: Record<string, number> = {};
      const files: Array<{ path: string; status: string }> = [];
      for (const repo of repos) {
        if (repo.error) ctx.logger.warn(`${repo.path}: ${repo.error}`);
        for (const [status, count] of Object.entries(repo.summary ?? {})) {
          summary[status] = (summary[status] ?? 0) + count;
        }
        // With several repos under `dir`, file paths are made relative to it.
        const prefix = repos.length > 1 ? path.relative(dir, path.resolve(dir, repo.path)) : '';
        for (const file of repo.files ?? []) {
          files.push({
            path: prefix ? path.posix.join(prefix.split(path.sep).join('/'), file.path) : file.path,
            status: file.status,
          });
        }
      }
      const level = repos.length
        ? repos
            .map(repo => repo.level)
            .reduce((a, b) => (LEVELS.indexOf(a) <= LEVELS.indexOf(b) ? a : b))
        : 'none';
      const drifted = exitCode === EXIT_DRIFT;

      ctx.output('summary', summary);
      ctx.output('level', level);
      ctx.output('files', files);
      ctx.output('drifted', drifted);

      const counts = Object.entries(summary)
        .filter(([status, count]) => status !== 'unchanged' && count > 0)
        .map(([status, count]) => `${count} ${status}`)
        .join(', ');
      ctx.logger.info(
        `Golden path ${drifted ? 'drift' : 'check'} in ${ctx.input.path ?? '.'}: ` +
          `${counts || 'no changes'}; level ${level}`,
      );
      if (drifted && failOn === 'drift') {
        throw new Error(
          `Golden path drift in ${ctx.input.path ?? '.'}: ${counts || 'failed rules'} (level ${level})`,
        );
      }
    },
  });
}
