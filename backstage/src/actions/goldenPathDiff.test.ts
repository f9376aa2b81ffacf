import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createGoldenPathDiffAction } from './goldenPathDiff';
import { createContext, runCli, scaffolderCommand } from '../__testUtils__/scaffolderCli';

/** A report as `scaffolder diff --format json` prints it (schema_version 1). */
const driftReport = {
  schema_version: 1,
  repos: [
    {
      path: '.',
      golden_path: 'service',
      version: '1.0.0',
      target_version: '1.1.0',
      files: [
        { path: 'Dockerfile', status: 'modified' },
        { path: 'Makefile', status: 'outdated' },
        { path: 'README.md', status: 'unchanged' },
      ],
      summary: { modified: 1, outdated: 1, unchanged: 1 },
      level: 'silver',
      rules: [],
    },
  ],
};

describe('golden-path:diff', () => {
  // The real `scaffolder diff` is not there yet: a fake CLI plays its part,
  // printing a fixed report and recording the arguments it was given.
  const mockDir = createMockDirectory();
  const workspacePath = mockDir.resolve('workspace');
  const tmpRoot = mockDir.resolve('tmp');
  const fakeCli = mockDir.resolve('fake-scaffolder.js');
  const argsFile = mockDir.resolve('args.json');

  async function fakeDiff(options: { stdout?: unknown; stderr?: string; exitCode: number }) {
    const script = [
      `require('node:fs').writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));`,
      options.stderr ? `process.stderr.write(${JSON.stringify(`${options.stderr}\n`)});` : '',
      options.stdout !== undefined
        ? `process.stdout.write(${JSON.stringify(JSON.stringify(options.stdout))});`
        : '',
      `process.exitCode = ${options.exitCode};`,
    ].join('\n');
    await fs.writeFile(fakeCli, script);
    return createGoldenPathDiffAction({ command: [process.execPath, fakeCli] });
  }

  function context(input: Record<string, unknown>) {
    return createContext({ workspacePath, tmpRoot, input: input as any });
  }

  beforeEach(() => {
    mockDir.setContent({ workspace: { repo: { 'README.md': 'hello' } }, tmp: {} });
  });

  it('reports drift (exit 2) through its outputs without failing', async () => {
    const action = await fakeDiff({ stdout: driftReport, exitCode: 2 });
    const { ctx, output, logger } = context({ path: 'repo' });

    await action.handler(ctx);

    expect(JSON.parse(await fs.readFile(argsFile, 'utf8'))).toEqual([
      'diff',
      path.join(workspacePath, 'repo'),
      '--format',
      'json',
    ]);
    expect(output).toHaveBeenCalledWith('summary', { modified: 1, outdated: 1, unchanged: 1 });
    expect(output).toHaveBeenCalledWith('level', 'silver');
    expect(output).toHaveBeenCalledWith('files', driftReport.repos[0].files);
    expect(output).toHaveBeenCalledWith('drifted', true);
    expect(logger.info).toHaveBeenCalledWith(
      'Golden path drift in repo: 1 modified, 1 outdated; level silver',
    );
  });

  it('fails on drift when failOn is drift', async () => {
    const action = await fakeDiff({ stdout: driftReport, exitCode: 2 });
    const { ctx } = context({ path: 'repo', failOn: 'drift' });

    await expect(action.handler(ctx)).rejects.toThrow(
      'Golden path drift in repo: 1 modified, 1 outdated (level silver)',
    );
  });

  it('passes with failOn drift when there is nothing to report (exit 0)', async () => {
    const clean = {
      schema_version: 1,
      repos: [
        {
          ...driftReport.repos[0],
          files: [{ path: 'README.md', status: 'unchanged' }],
          summary: { unchanged: 1 },
          level: 'gold',
        },
      ],
    };
    const action = await fakeDiff({ stdout: clean, exitCode: 0 });
    const { ctx, output } = context({ failOn: 'drift' });

    await action.handler(ctx);

    // The default path is the workspace root.
    expect(JSON.parse(await fs.readFile(argsFile, 'utf8'))[1]).toBe(workspacePath);
    expect(output).toHaveBeenCalledWith('level', 'gold');
    expect(output).toHaveBeenCalledWith('drifted', false);
  });

  it('adds up several repos and keeps the weakest level', async () => {
    const report = {
      schema_version: 1,
      repos: [
        { ...driftReport.repos[0], path: path.join(workspacePath, 'a') },
        {
          ...driftReport.repos[0],
          path: path.join(workspacePath, 'b'),
          files: [{ path: 'Makefile', status: 'conflicting' }],
          summary: { conflicting: 1 },
          level: 'bronze',
        },
      ],
    };
    const action = await fakeDiff({ stdout: report, exitCode: 2 });
    const { ctx, output } = context({});

    await action.handler(ctx);

    expect(output).toHaveBeenCalledWith('summary', {
      modified: 1,
      outdated: 1,
      unchanged: 1,
      conflicting: 1,
    });
    expect(output).toHaveBeenCalledWith('level', 'bronze');
    expect(output).toHaveBeenCalledWith('files', [
      { path: 'a/Dockerfile', status: 'modified' },
      { path: 'a/Makefile', status: 'outdated' },
      { path: 'a/README.md', status: 'unchanged' },
      { path: 'b/Makefile', status: 'conflicting' },
    ]);
  });

  it('turns a CLI error (exit 1) into an InputError', async () => {
    const action = await fakeDiff({
      stderr: "error: no golden path answers in 'repo' (.copier-answers.yml not found)",
      exitCode: 1,
    });
    const { ctx } = context({ path: 'repo' });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: "no golden path answers in 'repo' (.copier-answers.yml not found)",
    });
  });

  it('fails on an internal error (exit 4) with the CLI output', async () => {
    const action = await fakeDiff({ stderr: 'Traceback: boom', exitCode: 4 });
    const { ctx } = context({});

    await expect(action.handler(ctx)).rejects.toThrow(
      'scaffolder diff failed with an internal error: Traceback: boom',
    );
  });

  it('rejects a path outside the workspace', async () => {
    const action = await fakeDiff({ stdout: driftReport, exitCode: 2 });
    const { ctx } = context({ path: '../escape' });

    await expect(action.handler(ctx)).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(fs.access(argsFile)).rejects.toThrow();
  });

  describe('with the real CLI and an organisation catalog', () => {
    // A golden path only an organisation catalog has, rendered into the workspace.
    const miniCatalog = {
      templates: {
        mini: {
          'golden-path.yml': 'title: Mini\n',
          '1.0.0': {
            'copier.yml':
              '_subdirectory: template\n_templates_suffix: .jinja\n' +
              '_answers_file: .copier-answers.yml\nname:\n  type: str\n  help: Name\n',
            template: { 'README.md.jinja': '# {{ name }}\n' },
          },
        },
      },
    };

    beforeEach(async () => {
      mockDir.addContent({ catalog: miniCatalog });
      await runCli([
        'new',
        'mini',
        path.join(workspacePath, 'mini'),
        `--catalog=${mockDir.resolve('catalog')}`,
        '--data=name=ledger',
        '--no-git',
        '--json',
      ]);
    });

    it('finds the golden path through the catalog input', async () => {
      const action = createGoldenPathDiffAction({ command: scaffolderCommand() });
      const { ctx, output } = context({ path: 'mini', catalog: mockDir.resolve('catalog') });

      await action.handler(ctx);

      expect(output).toHaveBeenCalledWith('files', [{ path: 'README.md', status: 'unchanged' }]);
    });

    it('finds it through scaffolder.goldenPaths.catalog when the step sets none', async () => {
      const action = createGoldenPathDiffAction({
        command: scaffolderCommand(),
        defaultCatalog: mockDir.resolve('catalog'),
      });
      const { ctx, output } = context({ path: 'mini' });

      await action.handler(ctx);

      expect(output).toHaveBeenCalledWith('files', [{ path: 'README.md', status: 'unchanged' }]);
    });

    it('names the unknown golden path without a catalog', async () => {
      const action = createGoldenPathDiffAction({ command: scaffolderCommand() });
      const { ctx } = context({ path: 'mini' });

      await expect(action.handler(ctx)).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining("unknown golden path 'mini'"),
      });
    });
  });
});
