import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { createGoldenPathUpgradeAction } from './goldenPathUpgrade';
import {
  createContext,
  listFiles,
  renderNewRepo,
  scaffolderCommand,
} from '../__testUtils__/scaffolderCli';
import { snapshotTree } from '../__testUtils__/tree';

// Each case runs the real Python CLI (a render or two, about a second each).
jest.setTimeout(60_000);

/**
 * An organisation catalog with golden path `notes` at 1.0.0 and 1.1.0: 1.1.0
 * appends a section to the README, adds a file, drops one, and asks a new
 * required question (`team`) that a repo made at 1.0.0 has no answer to.
 */
const copierYml = (extra: string) =>
  ['_subdirectory: template', 'name:', '  type: str', '  help: Service name', extra].join('\n');
const notesCatalog = {
  templates: {
    notes: {
      'golden-path.yml': 'title: Notes\ndescription: A golden path for the upgrade action tests\n',
      '1.0.0': {
        'copier.yml': copierYml(''),
        template: {
          'README.md.jinja': '# {{ name }}\n',
          'old.txt': 'dropped in 1.1.0\n',
          'keep.txt': 'line one\n',
        },
      },
      '1.1.0': {
        'copier.yml': copierYml('team:\n  type: str\n  help: Owning team\n'),
        template: {
          'README.md.jinja': '# {{ name }}\n\n## Support\n\nAsk {{ team }}.\n',
          'keep.txt': 'line one\n',
          'NEW.md.jinja': 'new in 1.1.0 for {{ team }}\n',
        },
      },
    },
  },
};

describe('golden-path:upgrade', () => {
  const mockDir = createMockDirectory();
  const workspacePath = mockDir.resolve('workspace');
  const tmpRoot = mockDir.resolve('tmp');
  const catalog = mockDir.resolve('catalog');
  const action = createGoldenPathUpgradeAction({ command: scaffolderCommand() });

  beforeEach(() => {
    mockDir.setContent({ workspace: {}, tmp: {}, catalog: notesCatalog });
  });

  function context(input: Record<string, unknown>, extra: { isDryRun?: boolean } = {}) {
    return createContext({ workspacePath, tmpRoot, input: input as any, ...extra });
  }

  /** What fetch:plain leaves: the repo's files in the workspace, without .git. */
  async function fetchedRepo(dir: string, goldenPath: string, version: string, values: object) {
    const made = mockDir.resolve('made');
    await fs.rm(made, { recursive: true, force: true });
    await renderNewRepo({
      goldenPath,
      version,
      values: values as Record<string, unknown>,
      dest: made,
      catalog: goldenPath === 'notes' ? catalog : undefined,
    });
    await fs.cp(made, dir, { recursive: true, verbatimSymlinks: true });
  }

  function outputs(output: jest.Mock): Record<string, any> {
    return Object.fromEntries(output.mock.calls);
  }

  it('upgrades a built-in golden path to exactly what the target version renders', async () => {
    const values = { name: 'payments', owner: 'team-payments' };
    await fetchedRepo(workspacePath, 'service', '1.0.0', values);
    const reference = mockDir.resolve('reference');
    await renderNewRepo({ goldenPath: 'service', version: '1.1.0', values, dest: reference });

    const { ctx, output, temporaryDirectories } = context({ version: '1.1.0' });
    await action.handler(ctx);

    // No local edits: the three-way merge gives the 1.1.0 render, record file included.
    expect(await snapshotTree(workspacePath)).toEqual(await snapshotTree(reference));
    const out = outputs(output);
    expect(out).toMatchObject({
      goldenPath: 'service',
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
      status: 'upgraded',
      conflicts: [],
      hasConflicts: false,
    });
    expect(out.files).toContainEqual({ path: '.copier-answers.yml', change: 'updated' });
    expect(out.report).toContain('## Golden path `service` → 1.1.0 (from 1.0.0)');
    expect(out.report).not.toContain('conflicts to resolve');
    // The answers file is gone with the step's scratch directory.
    await expect(fs.readdir(temporaryDirectories[0])).resolves.toEqual([]);
  });

  it('keeps conflicts with their markers, lists them and records the new version', async () => {
    const repo = path.join(workspacePath, 'repo');
    await fetchedRepo(repo, 'notes', '1.0.0', { name: 'ledger' });
    // A local edit where 1.1.0 adds its own lines (a true conflict), one it does not touch.
    await fs.appendFile(path.join(repo, 'README.md'), '\n## Owners\n\nThe ledger team.\n');
    await fs.writeFile(path.join(repo, 'keep.txt'), 'line one\nline two, ours\n');

    const { ctx, output, logger } = context({
      path: 'repo',
      catalog,
      values: { team: '#ledger' },
    });
    await action.handler(ctx);

    const out = outputs(output);
    expect(out).toMatchObject({
      goldenPath: 'notes',
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
      status: 'conflicts',
      conflicts: ['README.md'],
      hasConflicts: true,
    });
    expect(out.files).toEqual([
      { path: '.copier-answers.yml', change: 'updated' },
      { path: 'NEW.md', change: 'added' },
      { path: 'README.md', change: 'updated' },
      { path: 'old.txt', change: 'deleted' },
    ]);
    expect(out.report).toContain('1 file(s) with conflicts to resolve');
    expect(out.report).toContain('- `README.md`');

    const readme = await fs.readFile(path.join(repo, 'README.md'), 'utf8');
    expect(readme).toMatch(/^<<<<<<< your edit$/m);
    expect(readme).toContain('The ledger team.');
    expect(readme).toContain('Ask #ledger.');
    expect(readme).toMatch(/^>>>>>>> template notes 1\.1\.0$/m);
    await expect(fs.readFile(path.join(repo, 'keep.txt'), 'utf8')).resolves.toBe(
      'line one\nline two, ours\n',
    );
    await expect(fs.readFile(path.join(repo, 'NEW.md'), 'utf8')).resolves.toBe(
      'new in 1.1.0 for #ledger\n',
    );
    const record = await fs.readFile(path.join(repo, '.copier-answers.yml'), 'utf8');
    expect(record).toMatch(/^_commit: 1\.1\.0$/m);
    expect(record).toMatch(/^team: '#ledger'$/m);
    // Nothing of the CLI's transaction (state, backup, lock) is left to be published.
    expect((await listFiles(repo)).filter(file => file.startsWith('.scaffolder-upgrade'))).toEqual(
      [],
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('1 conflicting file(s), left with markers: README.md'),
    );
  });

  it('reads where the request goes from the source location, subgroups and folder included', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.0.0', { name: 'ledger' });
    const { ctx, output } = context({
      catalog,
      values: { team: 'ops' },
      sourceLocation:
        'url:https://gitlab.example.com/platform/eu/team-a/ledger/-/tree/release/svc/',
      forge: 'gitlab',
    });
    await action.handler(ctx);
    expect(outputs(output)).toMatchObject({
      status: 'upgraded',
      repoUrl: 'gitlab.example.com?owner=platform%2Feu%2Fteam-a&repo=ledger',
      targetBranch: 'release',
      targetPath: 'svc',
    });
  });

  it('leaves targetBranch and targetPath unset for a location at the default branch root', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.1.0', { name: 'ledger', team: 'ops' });
    const { ctx, output } = context({
      catalog,
      sourceLocation: 'url:https://github.com/acme/ledger.git',
      forge: 'github',
    });
    await action.handler(ctx);
    const out = outputs(output);
    expect(out).toMatchObject({ status: 'current', repoUrl: 'github.com?owner=acme&repo=ledger' });
    expect(out).not.toHaveProperty('targetBranch');
    expect(out).not.toHaveProperty('targetPath');
  });

  it('sets no request outputs without a sourceLocation (Templates exported before it)', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.1.0', { name: 'ledger', team: 'ops' });
    const { ctx, output } = context({ catalog });
    await action.handler(ctx);
    expect(Object.keys(outputs(output)).sort()).toEqual([
      'conflicts',
      'files',
      'fromVersion',
      'goldenPath',
      'hasConflicts',
      'report',
      'status',
      'toVersion',
    ]);
  });

  it.each([
    [
      { sourceLocation: 'url:https://gitlab.example.com/solo/-/tree/main/', forge: 'gitlab' },
      'no group and project',
    ],
    [
      { sourceLocation: 'url:https://github.com/acme/ledger/tree/main/' },
      'sourceLocation needs forge (github or gitlab)',
    ],
    [{ forge: 'github' }, 'forge is given without sourceLocation'],
  ])('refuses a request target it cannot read, before upgrading: %j', async (input, message) => {
    await fetchedRepo(workspacePath, 'notes', '1.0.0', { name: 'ledger' });
    const before = await snapshotTree(workspacePath);
    const { ctx, logger } = context({ catalog, values: { team: 'ops' }, ...input });
    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(message),
    });
    expect(logger.info).not.toHaveBeenCalled();
    expect(await snapshotTree(workspacePath)).toEqual(before);
  });

  it('reports a repo already at the version as current and changes nothing', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.1.0', { name: 'ledger', team: 'ops' });
    const before = await snapshotTree(workspacePath);
    const { ctx, output } = context({ catalog });

    await action.handler(ctx);

    expect(outputs(output)).toMatchObject({ status: 'current', files: [], hasConflicts: false });
    expect(await snapshotTree(workspacePath)).toEqual(before);
  });

  it('asks for the answer a new question needs through values, naming it', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.0.0', { name: 'ledger' });
    const before = await snapshotTree(workspacePath);
    const { ctx } = context({ catalog });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/team/),
    });
    expect(await snapshotTree(workspacePath)).toEqual(before);
  });

  it('refuses a path outside the workspace without running the CLI', async () => {
    const { ctx, logger } = context({ path: '../catalog', catalog });
    await expect(action.handler(ctx)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('refuses a path that leaves the workspace through a symlink', async () => {
    mockDir.addContent({ workspace: { repo: ({ symlink }) => symlink('../catalog') } });
    const { ctx, logger } = context({ path: 'repo/templates', catalog });
    await expect(action.handler(ctx)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('explains a missing repo', async () => {
    const { ctx } = context({ path: 'nothing-here', catalog });
    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("'nothing-here' is not a directory in the workspace"),
    });
  });

  it('does not read an input as a CLI option', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.0.0', { name: 'ledger' });
    const { ctx } = context({ version: '--help', catalog, values: { team: 'ops' } });
    // Passed as --to=--help: an unknown version, not the help text.
    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("'--help'"),
    });
  });

  it('refuses an answer to a question the golden path does not ask', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.0.0', { name: 'ledger' });
    const before = await snapshotTree(workspacePath);
    const { ctx } = context({ catalog, values: { team: 'ops', tema: 'ops' } });
    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("unknown question 'tema'"),
    });
    expect(await snapshotTree(workspacePath)).toEqual(before);
  });

  it("does not let values rewrite the record's own keys", async () => {
    await fetchedRepo(workspacePath, 'notes', '1.0.0', { name: 'ledger' });
    const recordPath = path.join(workspacePath, '.copier-answers.yml');
    const srcPath = /^_src_path: .*$/m.exec(await fs.readFile(recordPath, 'utf8'))![0];
    const { ctx, output } = context({
      catalog,
      values: { team: 'ops', _commit: '9.9.9', _src_path: '/etc' },
    });
    await action.handler(ctx);
    expect(outputs(output)).toMatchObject({ toVersion: '1.1.0', status: 'upgraded' });
    const record = await fs.readFile(recordPath, 'utf8');
    expect(record).toMatch(/^_commit: 1\.1\.0$/m);
    expect(record).toContain(srcPath);
  });

  it('does not read a file of the backend host through a symlink in the fetched repo', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.0.0', { name: 'ledger' });
    mockDir.addContent({ 'host-secret.txt': 'token=hunter2\n' });
    await fs.rm(path.join(workspacePath, 'keep.txt'));
    await fs.symlink(mockDir.resolve('host-secret.txt'), path.join(workspacePath, 'keep.txt'));
    const { ctx } = context({ catalog, values: { team: 'ops' } });

    await expect(action.handler(ctx)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('symlink that leads outside the repo'),
    });
    await expect(
      fs.readFile(path.join(workspacePath, '.copier-answers.yml'), 'utf8'),
    ).resolves.toMatch(/^_commit: 1\.0\.0$/m);
  });

  it('upgrades the record answersFile names, in a repo that keeps it elsewhere', async () => {
    await fetchedRepo(workspacePath, 'notes', '1.0.0', { name: 'ledger' });
    const record = '.golden-path/notes.yml';
    await fs.mkdir(path.join(workspacePath, '.golden-path'));
    await fs.rename(
      path.join(workspacePath, '.copier-answers.yml'),
      path.join(workspacePath, record),
    );
    const { ctx, output } = context({ catalog, values: { team: 'ops' }, answersFile: record });

    await action.handler(ctx);

    expect(outputs(output)).toMatchObject({ status: 'upgraded', toVersion: '1.1.0' });
    expect(outputs(output).files).toContainEqual({ path: record, change: 'updated' });
    await expect(fs.readFile(path.join(workspacePath, record), 'utf8')).resolves.toMatch(
      /^_commit: 1\.1\.0$/m,
    );
    await expect(fs.access(path.join(workspacePath, '.copier-answers.yml'))).rejects.toThrow();
  });

  it('refuses an answersFile outside the repo without running the CLI', async () => {
    mockDir.addContent({ workspace: { repo: {} } });
    const { ctx, logger } = context({ path: 'repo', catalog, answersFile: '../../catalog/x.yml' });
    await expect(action.handler(ctx)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('explains a folder that is not a golden-path repo', async () => {
    mockDir.addContent({ workspace: { 'README.md': 'hand-made' } });
    const { ctx } = context({ catalog });
    await expect(action.handler(ctx)).rejects.toMatchObject({ name: 'InputError' });
  });
});
