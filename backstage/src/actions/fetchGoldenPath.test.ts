import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createFetchGoldenPathAction } from './fetchGoldenPath';
import {
  createContext,
  latestAnswers,
  listFiles,
  renderNewRepo,
  runCli,
  scaffolderCommand,
} from '../__testUtils__/scaffolderCli';
import { snapshotTree } from '../__testUtils__/tree';

// Each case runs the real Python CLI (about a second per render).
jest.setTimeout(30_000);

// A released version: its questions stay put while newer versions change.
const serviceV1 = { goldenPath: 'service', version: '1.0.0' };

describe('fetch:golden-path', () => {
  const mockDir = createMockDirectory();
  const workspacePath = mockDir.resolve('workspace');
  const tmpRoot = mockDir.resolve('tmp');
  const action = createFetchGoldenPathAction({ command: scaffolderCommand() });

  beforeEach(() => {
    mockDir.setContent({ workspace: {}, tmp: {} });
  });

  function context(
    input: Record<string, unknown>,
    extra: { isDryRun?: boolean; signal?: AbortSignal } = {},
  ) {
    return createContext({ workspacePath, tmpRoot, input: input as any, ...extra });
  }

  it('renders the latest version into the workspace and sets the outputs', async () => {
    const latest = latestAnswers('service');
    const { ctx, output, temporaryDirectories } = context({
      goldenPath: 'service',
      values: { ...latest.values, owner: 'team-payments' },
    });

    await action.handler(ctx);

    const files = await listFiles(workspacePath);
    expect(files).toEqual(expect.arrayContaining(['catalog-info.yaml', 'src/payments/app.py']));
    expect(files).not.toContain('.git/HEAD');
    await expect(
      fs.readFile(path.join(workspacePath, 'catalog-info.yaml'), 'utf8'),
    ).resolves.toContain('team-payments');

    expect(output).toHaveBeenCalledWith('goldenPath', 'service');
    expect(output).toHaveBeenCalledWith('version', latest.version);
    expect(output).toHaveBeenCalledWith('targetPath', '.');
    const filesOutput = output.mock.calls.find(([name]) => name === 'files')?.[1];
    expect([...filesOutput].sort()).toEqual(files);

    // The answers file and the scratch render are gone.
    expect(temporaryDirectories).toHaveLength(1);
    await expect(fs.readdir(temporaryDirectories[0])).resolves.toEqual([]);
  });

  it('renders a pinned version into a subdirectory next to existing files', async () => {
    mockDir.setContent({ workspace: { 'README.md': 'from an earlier step' }, tmp: {} });
    const { ctx, output } = context({
      goldenPath: 'service',
      version: '1.0.0',
      values: { name: 'payments' },
      targetPath: 'services/payments',
    });

    await action.handler(ctx);

    expect(await listFiles(workspacePath)).toEqual(
      expect.arrayContaining(['README.md', 'services/payments/catalog-info.yaml']),
    );
    await expect(fs.readFile(path.join(workspacePath, 'README.md'), 'utf8')).resolves.toBe(
      'from an earlier step',
    );
    expect(output).toHaveBeenCalledWith('targetPath', 'services/payments');
    expect(output).toHaveBeenCalledWith('version', '1.0.0');
  });

  it('merges into a non-empty workspace root but refuses to overwrite a file', async () => {
    mockDir.setContent({
      workspace: { 'README.md': 'keep me', docs: { 'extra.md': 'mine' } },
      tmp: {},
    });
    const { ctx } = context({ ...serviceV1, values: { name: 'payments' } });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/Refusing to overwrite existing files in '\.': README\.md\b/),
    });
    // Nothing was copied: the check runs before the first file is written.
    expect(await listFiles(workspacePath)).toEqual(['README.md', 'docs/extra.md']);
    await expect(fs.readFile(path.join(workspacePath, 'README.md'), 'utf8')).resolves.toBe(
      'keep me',
    );
  });

  it('rejects a targetPath outside the workspace without running the CLI', async () => {
    const { ctx, logger } = context({
      ...serviceV1,
      values: { name: 'payments' },
      targetPath: '../escape',
    });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('outside its parent'),
    });
    await expect(fs.access(mockDir.resolve('escape'))).rejects.toThrow();
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('rejects a targetPath that leaves the workspace through a symlink', async () => {
    mockDir.setContent({
      workspace: { out: ({ symlink }) => symlink('../outside') },
      outside: {},
      tmp: {},
    });
    const { ctx } = context({
      ...serviceV1,
      values: { name: 'payments' },
      targetPath: 'out/payments',
    });

    await expect(action.handler(ctx)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(await listFiles(mockDir.resolve('outside'))).toEqual([]);
  });

  it('does not merge through a symlinked directory in the workspace', async () => {
    mockDir.setContent({
      workspace: { docs: ({ symlink }) => symlink('../outside') },
      outside: {},
      tmp: {},
    });
    const { ctx } = context({ ...serviceV1, values: { name: 'payments' } });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(': docs.'),
    });
    expect(await listFiles(mockDir.resolve('outside'))).toEqual([]);
  });

  it('reports an invalid answer as an InputError naming the question', async () => {
    const { ctx, logger } = context({ ...serviceV1, values: { name: 'Pay_' } });

    const error = await action.handler(ctx).then(
      () => undefined,
      e => e,
    );
    expect(error).toMatchObject({ name: 'InputError' });
    expect(error.message).toMatch(/^invalid value 'Pay_' for question 'name'/);
    // The task log shows error.stack; it should be the CLI's line, not Node frames.
    expect(error.stack).toBe(`InputError: ${error.message}`);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining("question 'name'"));
    expect(await listFiles(workspacePath)).toEqual([]);
  });

  it.each([
    [{ goldenPath: 'nosuch', values: { name: 'payments' } }, /unknown golden path 'nosuch'/],
    [
      { goldenPath: 'service', version: '9.9.9', values: { name: 'payments' } },
      /no version '9\.9\.9'/,
    ],
    [{ ...serviceV1, values: { nme: 'payments' } }, /unknown question 'nme': did you mean 'name'/],
  ])('reports CLI user errors as InputError (%j)', async (input, message) => {
    const { ctx } = context(input);
    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(message),
    });
  });

  it('does not read an input as a CLI option', async () => {
    const { ctx } = context({ goldenPath: '--help', values: { name: 'payments' } });
    // With `--` before the positionals this is an unknown golden path, not help.
    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("unknown golden path '--help'"),
    });
  });

  it('renders into the workspace in a dry run and leaves nothing outside it', async () => {
    const { ctx, output, temporaryDirectories } = context(
      { ...serviceV1, values: { name: 'payments' } },
      { isDryRun: true },
    );

    await action.handler(ctx);

    // The dry-run preview is built from the workspace, so the files belong there.
    expect(await listFiles(workspacePath)).toEqual(expect.arrayContaining(['catalog-info.yaml']));
    expect(output).toHaveBeenCalledWith('goldenPath', 'service');
    for (const dir of temporaryDirectories) {
      await expect(fs.readdir(dir)).resolves.toEqual([]);
    }
    // Only the workspace and the (now empty) temporary directory exist.
    expect((await fs.readdir(mockDir.path)).sort()).toEqual(['tmp', 'workspace']);
  });

  it('kills the CLI with SIGINT when the task is cancelled', async () => {
    const controller = new AbortController();
    const { ctx, logger, temporaryDirectories } = context(
      { ...serviceV1, values: { name: 'payments' } },
      { signal: controller.signal },
    );
    // Cancel as soon as the child is running (Python takes far longer to start).
    let pid: number | undefined;
    (logger.debug as jest.Mock).mockImplementation((message: string) => {
      const match = /\(pid (\d+)\)/.exec(message);
      if (match) {
        pid = Number(match[1]);
        controller.abort();
      }
    });

    await expect(action.handler(ctx)).rejects.toMatchObject({ name: 'CancelledError' });

    expect(pid).toBeDefined();
    expect(() => process.kill(pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(logger.warn).toHaveBeenCalledWith(`Cancelling scaffolder (pid ${pid})`);
    expect(await listFiles(workspacePath)).toEqual([]);
    await expect(fs.readdir(temporaryDirectories[0])).resolves.toEqual([]);
  });

  it('does not start the CLI when the task is already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const { ctx, logger } = context(
      { ...serviceV1, values: { name: 'payments' } },
      { signal: controller.signal },
    );

    await expect(action.handler(ctx)).rejects.toMatchObject({ name: 'CancelledError' });
    expect(logger.debug).not.toHaveBeenCalled();
  });

  // A cookiecutter golden path in an organisation catalog, with a hook that speaks.
  const ledgerCatalog = {
    templates: {
      ledger: {
        'golden-path.yml': 'title: Ledger (cookiecutter)\n',
        '1.0.0': {
          hooks: {
            'post_gen_project.py': "print('Ledger {{ cookiecutter.project_slug }} is ready')\n",
          },
          'cookiecutter.json': JSON.stringify({
            project_name: 'Ledger',
            project_slug: "{{ cookiecutter.project_name|lower|replace(' ', '-') }}",
            language: ['python', 'go'],
          }),
          '{{cookiecutter.project_slug}}': {
            'README.md': '# {{ cookiecutter.project_name }} in {{ cookiecutter.language }}\n',
          },
        },
      },
    },
  };
  const ledgerInput = {
    goldenPath: 'ledger',
    values: { project_name: 'Cash Book', language: 'go' },
  };

  function infoLogged(logger: unknown): string[] {
    return ((logger as { info: jest.Mock }).info.mock.calls as unknown[][]).map(call =>
      String(call[0]),
    );
  }

  it('renders a cookiecutter golden path and records .cruft.json', async () => {
    mockDir.addContent({ catalog: ledgerCatalog });
    const { ctx, output, logger } = context({
      ...ledgerInput,
      catalog: mockDir.resolve('catalog'),
    });

    await action.handler(ctx);

    await expect(fs.readFile(path.join(workspacePath, 'README.md'), 'utf8')).resolves.toBe(
      '# Cash Book in go\n',
    );
    const record = JSON.parse(await fs.readFile(path.join(workspacePath, '.cruft.json'), 'utf8'));
    expect(record.commit).toBe('1.0.0');
    expect(record.context.cookiecutter).toMatchObject({
      project_name: 'Cash Book',
      project_slug: 'cash-book',
      language: 'go',
    });
    expect(output).toHaveBeenCalledWith('version', '1.0.0');
    // The host does not trust the catalog: the hook did not run, so it said nothing.
    expect(infoLogged(logger).join('\n')).not.toContain('From the template');
  });

  it('logs what a trusted template says after generating', async () => {
    mockDir.addContent({
      catalog: ledgerCatalog,
      // Trust is the backend host's decision, made in its settings file; a form cannot grant it.
      'settings.yml': `trust:\n  - ${mockDir.resolve('catalog')}\n`,
    });
    const previous = process.env.SCAFFOLDER_SETTINGS;
    process.env.SCAFFOLDER_SETTINGS = mockDir.resolve('settings.yml');
    try {
      const { ctx, logger } = context({ ...ledgerInput, catalog: mockDir.resolve('catalog') });
      await action.handler(ctx);
      expect(infoLogged(logger)).toContain('From the template: Ledger cash-book is ready');
    } finally {
      if (previous === undefined) delete process.env.SCAFFOLDER_SETTINGS;
      else process.env.SCAFFOLDER_SETTINGS = previous;
    }
  });

  // A cluster-baseline repo, as fetch:plain puts it in the workspace, for the tenant
  // golden path: its 1.1.0 inherits the cluster's answers (inherit.yml).
  const baselineAnswers = {
    cluster_name: 'prod-eu',
    cni: 'cilium',
    api_server_host: 'api.cluster.example.com',
    provider: 'aws',
    aws_account_id: '123456789012',
    kueue_cohort: 'research',
    kueue_preemption: 'never',
    gpu: true,
    gpu_sharing: 'mig-mixed',
    mig_profile: '3g.40gb',
  };

  it('renders a golden path that adds to a repo with the answers that repo recorded', async () => {
    const baseline = path.join(workspacePath, 'baseline');
    await renderNewRepo({
      goldenPath: 'cluster-baseline',
      version: '1.1.0',
      values: baselineAnswers,
      dest: baseline,
    });
    // What `scaffolder new tenant REPO` adds in that folder, for comparison.
    const reference = mockDir.resolve('reference');
    await fs.cp(baseline, reference, { recursive: true, verbatimSymlinks: true });
    await runCli([
      'new',
      'tenant',
      reference,
      '--version=1.1.0',
      '--data=team=search',
      '--data=gpu_quota=2',
      '--no-git',
    ]);
    const { ctx, output } = context({
      goldenPath: 'tenant',
      version: '1.1.0',
      values: { team: 'search', gpu_quota: 2 },
      targetPath: 'baseline',
    });

    await action.handler(ctx);

    expect(await snapshotTree(baseline)).toEqual(await snapshotTree(reference));
    const record = await fs.readFile(
      path.join(baseline, 'tenants/search/.copier-answers.yml'),
      'utf8',
    );
    expect(record).toMatch(/^cohort: research$/m);
    expect(record).toMatch(/^gpu_sharing: mig-mixed$/m);
    const queue = await fs.readFile(
      path.join(baseline, 'tenants/search/clusterqueue.yaml'),
      'utf8',
    );
    expect(queue).toContain('nvidia.com/mig-3g.40gb');
    expect(queue).not.toMatch(/- nvidia\.com\/gpu$/m);
    const files = output.mock.calls.find(([name]) => name === 'files')?.[1];
    expect(files).toContain('tenants/search/clusterqueue.yaml');
  });

  it('lets values win over the answers the repo recorded', async () => {
    await renderNewRepo({
      goldenPath: 'cluster-baseline',
      version: '1.1.0',
      values: baselineAnswers,
      dest: workspacePath,
    });
    const { ctx } = context({
      goldenPath: 'tenant',
      version: '1.1.0',
      values: { team: 'ads', cohort: 'ads' },
    });

    await action.handler(ctx);

    await expect(
      fs.readFile(path.join(workspacePath, 'tenants/ads/.copier-answers.yml'), 'utf8'),
    ).resolves.toMatch(/^cohort: ads$/m);
  });

  it('says to fetch the repo first when a golden path that adds to one finds none', async () => {
    const { ctx } = context({
      goldenPath: 'tenant',
      version: '1.1.0',
      values: { team: 'search' },
      targetPath: 'baseline',
    });
    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('tenant adds to an existing repo'),
    });
    expect(await listFiles(workspacePath)).toEqual([]);
  });

  it('explains a missing CLI', async () => {
    const missing = createFetchGoldenPathAction({
      command: [mockDir.resolve('no-such-scaffolder')],
    });
    const { ctx } = context({ ...serviceV1, values: { name: 'payments' } });

    await expect(missing.handler(ctx)).rejects.toThrow(
      /was not found\. Install scaffolder in the backend image or set scaffolder\.goldenPaths\.command/,
    );
  });
});
