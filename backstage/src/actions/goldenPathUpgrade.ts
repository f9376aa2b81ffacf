import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { EXIT_CONFLICTS, parseJsonOutput, runScaffolder } from '../cli';
import { GoldenPathsOptions } from '../config';
import { Forge, FORGES, parseSourceLocation, RequestTarget } from '../sourceLocation';

/** stdout of `scaffolder upgrade --format json` for one repo. */
type UpgradeResult = {
  golden_path: string;
  from_version: string;
  to_version: string;
  /** upgraded | current | conflicts */
  status: string;
  /** Whether the record file names the new version (always, with --keep-conflicts). */
  recorded: boolean;
  files: Array<{ path: string; change: string }>;
  conflicts: string[];
  notes: string[];
  /** The upgrade report in markdown: what `upgrade --push` writes as the pull request body. */
  report: string;
};

/**
 * `golden-path:upgrade`: upgrades a repo fetched into the workspace (by
 * `fetch:plain`) to a newer version of its golden path, in place, for a
 * `publish:github:pull-request` or `publish:gitlab:merge-request` step.
 *
 * `fetch:plain` brings no `.git`, so there is no history to merge from: the
 * CLI renders the merge base itself, from the version and answers the repo's
 * record (`.copier-answers.yml` or `.cruft.json`) holds. Conflicts are never
 * merged silently: the files keep their markers, the step's outputs list them,
 * and `report` (the pull request body) says which files to resolve.
 */
export function createGoldenPathUpgradeAction(options: GoldenPathsOptions) {
  return createTemplateAction({
    id: 'golden-path:upgrade',
    description:
      'Upgrades a repo in the workspace (fetched with fetch:plain) to a newer version of its golden path, merging three ways; conflicts stay marked in the files.',
    // It writes only into the workspace, which a dry run makes a throw-away copy of.
    supportsDryRun: true,
    examples: [
      {
        description: 'Upgrade a repo and open a pull request with the upgrade report',
        example: [
          'steps:',
          '  - id: fetch',
          '    name: Fetch the repo',
          '    action: fetch:plain',
          '    input:',
          '      url: ${{ parameters.sourceUrl }}',
          '  - id: upgrade',
          '    name: Upgrade golden path',
          '    action: golden-path:upgrade',
          '    input:',
          '      version: ${{ parameters.version }}',
          '      sourceLocation: ${{ parameters.sourceUrl }}',
          '      forge: github',
          '  - id: publish',
          '    name: Open pull request',
          '    action: publish:github:pull-request',
          '    input:',
          '      repoUrl: ${{ steps.upgrade.output.repoUrl }}',
          '      targetBranchName: ${{ steps.upgrade.output.targetBranch }}',
          '      targetPath: ${{ steps.upgrade.output.targetPath }}',
          '      branchName: golden-path/${{ steps.upgrade.output.goldenPath }}-${{ steps.upgrade.output.toVersion }}',
          '      title: Upgrade golden path ${{ steps.upgrade.output.goldenPath }} to ${{ steps.upgrade.output.toVersion }}',
          '      description: ${{ steps.upgrade.output.report }}',
          '      draft: ${{ steps.upgrade.output.hasConflicts }}',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        path: z =>
          z
            .string()
            .optional()
            .describe("Directory inside the workspace that holds the repo; defaults to '.'"),
        version: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe('Golden-path version to upgrade to; the latest when omitted'),
        values: z =>
          z
            .record(z.string(), z.any())
            .optional()
            .describe(
              'Answers that change or add to those the repo recorded (new questions of the target version)',
            ),
        answersFile: z =>
          z
            .string()
            .optional()
            .describe(
              "The record to upgrade, relative to path, in a repo with several (a baseline's tenants/<team>/.copier-answers.yml); default .copier-answers.yml, else .cruft.json",
            ),
        catalog: z =>
          z
            .string()
            .optional()
            .describe(
              'Organisation catalog directory on the backend host; defaults to scaffolder.goldenPaths.catalog',
            ),
        sourceLocation: z =>
          z
            .string()
            .optional()
            .describe(
              "Where the repo was fetched from: the entity's backstage.io/source-location (url:https://...); read into the repoUrl, targetBranch and targetPath outputs for the pull request step",
            ),
        forge: z =>
          z
            .enum(FORGES)
            .optional()
            .describe(
              'How to read sourceLocation: github (OWNER/REPO) or gitlab (the project path up to /-/, subgroups included); required with sourceLocation',
            ),
      },
      output: {
        goldenPath: z => z.string().describe("The repo's golden path"),
        fromVersion: z => z.string().describe('The version the repo recorded'),
        toVersion: z => z.string().describe('The version it was upgraded to'),
        status: z =>
          z
            .enum(['upgraded', 'current', 'conflicts'])
            .describe("'current' when the repo was already at the version: nothing changed"),
        files: z =>
          z
            .array(z.object({ path: z.string(), change: z.string() }))
            .describe('Every file the upgrade added, updated or deleted, relative to path'),
        conflicts: z =>
          z
            .array(z.string())
            .describe('Files left with conflict markers, relative to path; resolve them in the PR'),
        hasConflicts: z => z.boolean().describe('True when conflicts is not empty (a draft PR)'),
        report: z =>
          z.string().describe('The upgrade report in markdown, for the pull request description'),
        repoUrl: z =>
          z
            .string()
            .optional()
            .describe(
              'With sourceLocation: the repo as HOST?owner=OWNER&repo=REPO, the repoUrl of publish:github:pull-request and publish:gitlab:merge-request',
            ),
        targetBranch: z =>
          z
            .string()
            .optional()
            .describe(
              "With sourceLocation: the branch it names, the request's targetBranchName; unset for the default branch",
            ),
        targetPath: z =>
          z
            .string()
            .optional()
            .describe(
              "With sourceLocation: the repo's folder it names (a monorepo), the request's targetPath; unset for the root",
            ),
      },
    },
    async handler(ctx) {
      // Resolved before anything runs: a path escaping the workspace (also
      // through a symlink) fails without starting the CLI.
      const repoDir = resolveSafeChildPath(ctx.workspacePath, ctx.input.path ?? '.');
      const shown = toPosix(path.relative(ctx.workspacePath, repoDir)) || '.';
      const stat = await fs.lstat(repoDir).catch(() => undefined);
      if (!stat?.isDirectory()) {
        throw new InputError(
          `'${shown}' is not a directory in the workspace: fetch the repo there first (fetch:plain)`,
        );
      }
      const target = requestTarget(ctx.input.sourceLocation, ctx.input.forge);
      const catalog = ctx.input.catalog ?? options.defaultCatalog;
      // The record must be a file of the repo: checked here, as the CLI reads what it names.
      const answersFile = ctx.input.answersFile
        ? toPosix(path.relative(repoDir, resolveSafeChildPath(repoDir, ctx.input.answersFile)))
        : undefined;

      // Scratch space for the answers, outside the repo so they are never
      // published, and removed on failure and cancellation too.
      const scratch = await fs.mkdtemp(
        path.join(await ctx.createTemporaryDirectory(), 'golden-path-'),
      );
      try {
        const dataFile = path.join(scratch, 'answers.json');
        await fs.writeFile(dataFile, JSON.stringify(ctx.input.values ?? {}), { mode: 0o600 });

        // `--opt=value` and `--` keep any input from being read as an option.
        // --allow-no-git: fetch:plain leaves no .git, and the step's workspace
        // is the only copy, so the CLI's backup of the originals is not needed
        // after it finishes. --keep-conflicts finishes the upgrade with the
        // markers in the files, for the pull request to show.
        const args = [
          'upgrade',
          '--allow-no-git',
          '--keep-conflicts',
          '--format=json',
          `--data-file=${dataFile}`,
        ];
        if (ctx.input.version) args.push(`--to=${ctx.input.version}`);
        if (answersFile) args.push(`--answers-file=${answersFile}`);
        if (catalog) args.push(`--catalog=${catalog}`);
        args.push('--', repoDir);

        ctx.logger.info(
          `Upgrading the golden path of ${shown} to ${ctx.input.version ?? 'the latest version'}` +
            (ctx.isDryRun ? ' (dry run: the workspace is a throw-away copy)' : ''),
        );
        const { stdout } = await runScaffolder({
          command: options.command,
          args,
          logger: ctx.logger,
          signal: ctx.signal,
          // Exit 3: conflicts, kept with their markers; a result, not a failure.
          okExitCodes: [EXIT_CONFLICTS],
        });
        const result = parseJsonOutput<UpgradeResult>(stdout, 'upgrade');

        for (const note of result.notes ?? []) ctx.logger.info(note);
        if (result.status === 'current') {
          ctx.logger.info(`${shown} is already at ${result.golden_path} ${result.to_version}`);
        } else if (result.conflicts.length > 0) {
          ctx.logger.warn(
            `Upgraded ${result.golden_path} ${result.from_version} -> ${result.to_version} with ` +
              `${result.conflicts.length} conflicting file(s), left with markers: ` +
              result.conflicts.join(', '),
          );
        } else {
          ctx.logger.info(
            `Upgraded ${result.golden_path} ${result.from_version} -> ${result.to_version}: ` +
              `${result.files.length} file(s) changed`,
          );
        }

        ctx.output('goldenPath', result.golden_path);
        ctx.output('fromVersion', result.from_version);
        ctx.output('toVersion', result.to_version);
        ctx.output('status', result.status);
        ctx.output('files', result.files);
        ctx.output('conflicts', result.conflicts);
        ctx.output('hasConflicts', result.conflicts.length > 0);
        ctx.output('report', result.report);
        if (target) {
          ctx.output('repoUrl', target.repoUrl);
          // Left unset when absent, so that the request goes to the default branch, at the root.
          if (target.branch) ctx.output('targetBranch', target.branch);
          if (target.subdirectory) ctx.output('targetPath', target.subdirectory);
        }
      } finally {
        await fs.rm(scratch, { recursive: true, force: true });
      }
    },
  });
}

/**
 * Where the pull request goes, read before the CLI runs so that a location
 * it cannot be opened for fails the step without upgrading anything.
 */
function requestTarget(
  sourceLocation: string | undefined,
  forge: Forge | undefined,
): RequestTarget | undefined {
  if (sourceLocation === undefined) {
    if (forge !== undefined) throw new InputError('forge is given without sourceLocation');
    return undefined;
  }
  if (forge === undefined) {
    throw new InputError(
      `sourceLocation needs forge (${FORGES.join(' or ')}) to read the repo from it`,
    );
  }
  return parseSourceLocation(sourceLocation, forge);
}

function toPosix(p: string) {
  return p.split(path.sep).join('/');
}
