import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  createTemplateAction,
  parseRepoUrl,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import { readCatalogFile } from './__testUtils__/catalogModel';
import { runTask, ScaffolderApi, startScaffolderBackend } from './__testUtils__/scaffolderBackend';
import { renderNewRepo, runCli } from './__testUtils__/scaffolderCli';
import { snapshotTree, Tree } from './__testUtils__/tree';

// A real backend with the real scaffolder plugin running the "Upgrade service"
// Templates that `scaffolder backstage export` writes, for GitHub and for
// GitLab: the real catalog:fetch and fetch:plain actions, ours against the
// real CLI, up to the pull/merge request step, which test doubles record.
jest.setTimeout(90_000);

const SOURCE = 'https://github.com/acme/payments/tree/main/';
/** A GitLab project in subgroups, as the catalog records it (the path ends at `/-/`). */
const GITLAB_SOURCE = 'https://gitlab.example.com/fin/eu/team-a/ledger/-/tree/main/';
const answers = { name: 'payments', owner: 'payments-team' };

/** The repo as the Git host serves it, by source URL: fetch:plain reads it from here. */
const hosted = new Map<string, string>();
/** What a request action was given: its input, the repo parseRepoUrl read, and the tree. */
type Request = {
  action: string;
  input: Record<string, unknown>;
  repo: { host: string; owner?: string; repo?: string };
  tree: Tree;
};
const requests: Request[] = [];

/**
 * Both forges as integrations, so that the doubles read `repoUrl` with
 * Backstage's own parseRepoUrl, as the real actions do: a repoUrl they cannot
 * read (no owner, a host of another kind) fails the step here as it would there.
 */
const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      gitlab: [{ host: 'gitlab.example.com', apiBaseUrl: 'https://gitlab.example.com/api/v4' }],
    },
  }),
);

/** The zod instance an action's schema callbacks get. */
type Zod = Parameters<
  Extract<
    NonNullable<Parameters<typeof createTemplateAction>[0]['schema']>['input'],
    (...args: any[]) => unknown
  >
>[0];

/**
 * `publish:github:pull-request`'s inputs (plugins/scaffolder-backend-module-github,
 * githubPullRequest.ts), as zod so that the runner refuses any other key.
 */
const githubPullRequestInput = {
  repoUrl: (z: Zod) => z.string(),
  branchName: (z: Zod) => z.string(),
  targetBranchName: (z: Zod) => z.string().optional(),
  title: (z: Zod) => z.string(),
  description: (z: Zod) => z.string(),
  draft: (z: Zod) => z.boolean().optional(),
  sourcePath: (z: Zod) => z.string().optional(),
  targetPath: (z: Zod) => z.string().optional(),
  token: (z: Zod) => z.string().optional(),
  reviewers: (z: Zod) => z.array(z.string()).optional(),
  teamReviewers: (z: Zod) => z.array(z.string()).optional(),
  commitMessage: (z: Zod) => z.string().optional(),
  update: (z: Zod) => z.boolean().optional(),
  forceFork: (z: Zod) => z.boolean().optional(),
  gitAuthorName: (z: Zod) => z.string().optional(),
  gitAuthorEmail: (z: Zod) => z.string().optional(),
  forceEmptyGitAuthor: (z: Zod) => z.boolean().optional(),
  createWhenEmpty: (z: Zod) => z.boolean().optional(),
};

/**
 * `publish:gitlab:merge-request`'s inputs (plugins/scaffolder-backend-module-gitlab,
 * gitlabMergeRequest.ts): no `draft` (GitLab reads a `Draft:` title) and no `update`.
 */
const gitlabMergeRequestInput = {
  repoUrl: (z: Zod) => z.string(),
  title: (z: Zod) => z.string(),
  description: (z: Zod) => z.string().optional(),
  branchName: (z: Zod) => z.string(),
  targetBranchName: (z: Zod) => z.string().optional(),
  sourcePath: (z: Zod) => z.string().optional(),
  targetPath: (z: Zod) => z.string().optional(),
  token: (z: Zod) => z.string().optional(),
  commitAction: (z: Zod) => z.enum(['create', 'delete', 'update', 'skip', 'auto']).optional(),
  projectid: (z: Zod) => z.string().optional(),
  removeSourceBranch: (z: Zod) => z.boolean().optional(),
  assignee: (z: Zod) => z.string().optional(),
  reviewers: (z: Zod) => z.array(z.string()).optional(),
  assignReviewersFromApprovalRules: (z: Zod) => z.boolean().optional(),
  labels: (z: Zod) => z.string().or(z.array(z.string())).optional(),
};

const fakeRequestModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'fake-request-actions',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createTemplateAction({
            id: 'publish:github:pull-request',
            description: 'Test double: records the pull request it would open',
            schema: { input: githubPullRequestInput, output: { remoteUrl: z => z.string() } },
            async handler(ctx) {
              await record('publish:github:pull-request', ctx.input, ctx.workspacePath);
              ctx.output('remoteUrl', 'https://github.com/acme/payments/pull/7');
            },
          }),
          createTemplateAction({
            id: 'publish:gitlab:merge-request',
            description: 'Test double: records the merge request it would open',
            schema: {
              input: gitlabMergeRequestInput,
              output: {
                targetBranchName: z => z.string(),
                projectid: z => z.string(),
                projectPath: z => z.string(),
                mergeRequestUrl: z => z.string(),
              },
            },
            async handler(ctx) {
              const { owner, repo } = await record(
                'publish:gitlab:merge-request',
                ctx.input,
                ctx.workspacePath,
              );
              ctx.output('targetBranchName', ctx.input.targetBranchName ?? 'main');
              ctx.output('projectid', `${owner}/${repo}`);
              ctx.output('projectPath', `${owner}/${repo}`);
              ctx.output(
                'mergeRequestUrl',
                `https://gitlab.example.com/${owner}/${repo}/-/merge_requests/3`,
              );
            },
          }),
        );
      },
    });
  },
});

async function record(action: string, input: Record<string, any>, workspacePath: string) {
  const repo = parseRepoUrl(input.repoUrl, integrations);
  requests.push({
    action,
    input,
    repo: { host: repo.host, owner: repo.owner, repo: repo.repo },
    tree: await snapshotTree(workspacePath),
  });
  return repo;
}

/** A UrlReader over `hosted`: readTree copies the repo's files, as a Git host archive does. */
const urlReaderFactory = createServiceFactory({
  service: coreServices.urlReader,
  deps: {},
  factory: () => ({
    async readUrl(url: string): Promise<never> {
      throw new NotFoundError(`readUrl is not served in this test: ${url}`);
    },
    async search(url: string): Promise<never> {
      throw new NotFoundError(`search is not served in this test: ${url}`);
    },
    async readTree(url: string) {
      const root = hosted.get(url);
      if (!root) throw new NotFoundError(`no repo at ${url}`);
      return {
        etag: 'test',
        async files() {
          return [];
        },
        async archive(): Promise<never> {
          throw new Error('archive is not served in this test');
        },
        async dir(options?: { targetDir?: string }) {
          const target = options?.targetDir ?? (await fs.mkdtemp(`${root}-read-`));
          await fs.cp(root, target, { recursive: true, verbatimSymlinks: true });
          return target;
        },
      };
    },
  }),
});

describe('scaffolder backend running the exported Upgrade service Template', () => {
  const mockDir = createMockDirectory();
  const workingDirectory = mockDir.resolve('backend');
  let upgradeTemplate: TemplateEntityV1beta3;
  let gitlabTemplate: TemplateEntityV1beta3;
  let api: ScaffolderApi;
  let stopBackend: () => Promise<void>;
  /** A Component of the catalog made from `service`, as it was registered from `source`. */
  const component = (name: string, source: string): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/source-location': `url:${source}`,
        'scaffolder.dev/golden-path': 'service',
        'scaffolder.dev/golden-path-version': '1.0.0',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:payments-team' },
  });
  /** A GitLab monorepo whose service lives in a folder. */
  const MONOREPO_SOURCE = 'https://gitlab.example.com/fin/eu/mono/-/tree/release/services/ledger/';
  const components = [
    component('payments', SOURCE),
    component('ledger', GITLAB_SOURCE),
    component('mono-ledger', MONOREPO_SOURCE),
  ];

  beforeAll(async () => {
    const exportDir = mockDir.resolve('export');
    await runCli(['backstage', 'export', exportDir, '--golden-path', 'service']);
    [upgradeTemplate] = (await readCatalogFile(
      path.join(exportDir, 'service-upgrade', 'template.yaml'),
    )) as TemplateEntityV1beta3[];
    // The GitLab export, in a namespace of its own so that both Templates are in the catalog.
    const gitlabDir = mockDir.resolve('export-gitlab');
    await runCli([
      'backstage',
      'export',
      gitlabDir,
      '--golden-path=service',
      '--publish-action=publish:gitlab',
      '--namespace=gitlab',
    ]);
    [gitlabTemplate] = (await readCatalogFile(
      path.join(gitlabDir, 'service-upgrade', 'template.yaml'),
    )) as TemplateEntityV1beta3[];

    await fs.mkdir(workingDirectory);
    ({ api, stop: stopBackend } = await startScaffolderBackend({
      workingDirectory,
      features: [
        fakeRequestModule,
        urlReaderFactory,
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () =>
            catalogServiceMock({ entities: [upgradeTemplate, gitlabTemplate, ...components] }),
        }),
      ],
    }));
  });

  afterAll(async () => {
    await stopBackend?.();
  });

  beforeEach(() => {
    hosted.clear();
    requests.length = 0;
  });

  /** Runs the Upgrade Template as a task; resolves to its status, output and log. */
  async function upgradeTask(
    values: Record<string, unknown>,
    templateRef = 'template:default/service-upgrade',
  ) {
    const { status, completion, log } = await runTask(api, templateRef, values, 60_000);
    return { status, output: completion?.output, log };
  }

  /** Hosts the service made at 1.0.0 at `source`, after `edit` changed its files. */
  async function hostRepo(
    edit: (dir: string) => Promise<void> = async () => {},
    source: string = SOURCE,
  ) {
    const dir = mockDir.resolve('hosted-payments');
    await fs.rm(dir, { recursive: true, force: true });
    await renderNewRepo({ goldenPath: 'service', version: '1.0.0', values: answers, dest: dir });
    await edit(dir);
    hosted.set(source, dir);
  }

  /** The files `scaffolder new` makes of the service at `version`: a clean upgrade's result. */
  async function newRepoTree(version: string): Promise<Tree> {
    const reference = mockDir.resolve('reference');
    await fs.rm(reference, { recursive: true, force: true });
    await renderNewRepo({ goldenPath: 'service', version, values: answers, dest: reference });
    return snapshotTree(reference);
  }

  it('opens a draft pull request whose files keep the conflict markers it lists', async () => {
    // The line 1.1.0 changes (its version), edited here too: a true conflict.
    await hostRepo(async dir => {
      const readme = path.join(dir, 'README.md');
      const text = await fs.readFile(readme, 'utf8');
      expect(text).toContain('1.0.0: a FastAPI service');
      await fs.writeFile(readme, text.replace('a FastAPI service', 'the payments FastAPI service'));
    });

    const { status, output, log } = await upgradeTask({
      entity: 'component:default/payments',
      version: '1.1.0',
    });

    expect({ status, log: status === 'completed' ? [] : log }).toEqual({
      status: 'completed',
      log: [],
    });
    // The conflicts reach the task's output, the page the user sees at the end.
    const [report] = output.text;
    expect(report.title).toBe('Upgrade report');
    expect(report.content).toContain('## Golden path `service` → 1.1.0 (from 1.0.0)');
    expect(report.content).toContain('1 file(s) with conflicts to resolve');
    expect(report.content).toContain('- `README.md`');
    expect(output.links).toEqual([
      { title: 'Pull request', url: 'https://github.com/acme/payments/pull/7' },
    ]);
    expect(log).toEqual(
      expect.arrayContaining([
        expect.stringContaining('1 conflicting file(s), left with markers: README.md'),
      ]),
    );

    // The request: to the entity's repo, on the golden-path branch, a draft, the report as body.
    expect(requests).toHaveLength(1);
    const [{ input, repo, tree }] = requests;
    expect(input).toEqual({
      repoUrl: 'github.com?owner=acme&repo=payments',
      targetBranchName: 'main',
      branchName: 'golden-path/service-1.1.0',
      title: 'Upgrade golden path service to 1.1.0',
      description: report.content,
      draft: true,
      update: true,
    });
    // At the repo root: no targetPath, so the files land where fetch:plain found them.
    expect(Object.keys(input)).not.toContain('targetPath');
    expect(repo).toEqual({ host: 'github.com', owner: 'acme', repo: 'payments' });
    const readme = tree['README.md'];
    expect(readme).toMatchObject({ type: 'file' });
    const text = (readme as { content: string }).content;
    expect(text).toMatch(/^<<<<<<< your edit$/m);
    expect(text).toContain('the payments FastAPI service');
    expect(text).toMatch(/^>>>>>>> template service 1\.1\.0$/m);
    expect(tree['.copier-answers.yml']).toMatchObject({
      content: expect.stringMatching(/^_commit: 1\.1\.0$/m),
    });
    // Only the repo is pushed: nothing of the upgrade's own bookkeeping.
    expect(Object.keys(tree).filter(file => file.startsWith('.scaffolder-upgrade'))).toEqual([]);
  });

  it('opens a ready pull request for a clean upgrade, with exactly the new version', async () => {
    await hostRepo();

    const { status, output } = await upgradeTask({
      entity: 'component:default/payments',
      version: '1.1.0',
    });

    expect(status).toBe('completed');
    expect(output.text[0].content).not.toContain('conflicts to resolve');
    expect(requests).toHaveLength(1);
    expect(requests[0].input).toMatchObject({ draft: false });
    expect(requests[0].tree).toEqual(await newRepoTree('1.1.0'));
  });

  it("asks the question a newer version added on the form's second page", async () => {
    await hostRepo();
    const latest = upgradeTemplate.spec.parameters as any[];
    const version = latest[0].properties.version.default;
    expect(Object.keys(latest[1].properties)).toEqual(['tier']);

    const without = await upgradeTask({ entity: 'component:default/payments', version });
    expect(without.status).toBe('failed');
    expect(without.log.join('\n')).toMatch(/tier/);
    expect(requests).toEqual([]);

    const { status, output } = await upgradeTask({
      entity: 'component:default/payments',
      version,
      tier: 'standard',
    });
    expect(status).toBe('completed');
    expect(output.text[0].content).toContain(`→ ${version} (from 1.0.0)`);
    expect(requests).toHaveLength(1);
    expect(requests[0].tree['.copier-answers.yml']).toMatchObject({
      content: expect.stringMatching(/^tier: standard$/m),
    });
  });

  it('opens a draft merge request on GitLab, to the project in its subgroups', async () => {
    await hostRepo(async dir => {
      const readme = path.join(dir, 'README.md');
      const text = await fs.readFile(readme, 'utf8');
      await fs.writeFile(readme, text.replace('a FastAPI service', 'the ledger FastAPI service'));
    }, GITLAB_SOURCE);

    const { status, output, log } = await upgradeTask(
      { entity: 'component:default/ledger', version: '1.1.0' },
      'template:gitlab/service-upgrade',
    );

    expect({ status, log: status === 'completed' ? [] : log }).toEqual({
      status: 'completed',
      log: [],
    });
    const [report] = output.text;
    expect(report.content).toContain('1 file(s) with conflicts to resolve');
    expect(output.links).toEqual([
      {
        title: 'Pull request',
        url: 'https://gitlab.example.com/fin/eu/team-a/ledger/-/merge_requests/3',
      },
    ]);
    expect(requests).toHaveLength(1);
    const [{ action, input, repo, tree }] = requests;
    expect(action).toBe('publish:gitlab:merge-request');
    // Exactly the inputs the real action takes: a draft by its title, no `draft` or `update`.
    expect(input).toEqual({
      repoUrl: 'gitlab.example.com?owner=fin%2Feu%2Fteam-a&repo=ledger',
      targetBranchName: 'main',
      branchName: 'golden-path/service-1.1.0',
      title: 'Draft: Upgrade golden path service to 1.1.0',
      description: report.content,
    });
    expect(Object.keys(input)).not.toContain('targetPath');
    // What the real action's parseRepoUrl reads: the project path with its subgroups.
    expect(repo).toEqual({ host: 'gitlab.example.com', owner: 'fin/eu/team-a', repo: 'ledger' });
    const text = (tree['README.md'] as { content: string }).content;
    expect(text).toMatch(/^<<<<<<< your edit$/m);
    expect(text).toContain('the ledger FastAPI service');
    expect(tree['.copier-answers.yml']).toMatchObject({
      content: expect.stringMatching(/^_commit: 1\.1\.0$/m),
    });
  });

  it('opens a ready merge request into the folder and branch of a GitLab monorepo', async () => {
    await hostRepo(undefined, MONOREPO_SOURCE);

    const { status, output } = await upgradeTask(
      { entity: 'component:default/mono-ledger', version: '1.1.0' },
      'template:gitlab/service-upgrade',
    );

    expect(status).toBe('completed');
    expect(output.text[0].content).not.toContain('conflicts to resolve');
    expect(requests).toHaveLength(1);
    expect(requests[0].input).toEqual({
      repoUrl: 'gitlab.example.com?owner=fin%2Feu&repo=mono',
      targetBranchName: 'release',
      targetPath: 'services/ledger',
      branchName: 'golden-path/service-1.1.0',
      title: 'Upgrade golden path service to 1.1.0',
      description: output.text[0].content,
    });
    expect(requests[0].tree).toEqual(await newRepoTree('1.1.0'));
  });

  it('opens no pull request when the repo is already at the version', async () => {
    await hostRepo();
    const { status, output } = await upgradeTask({
      entity: 'component:default/payments',
      version: '1.0.0',
    });
    expect(status).toBe('completed');
    expect(requests).toEqual([]);
    expect(output.text[0].content).toContain('### Files changed (0)');
  });
});
