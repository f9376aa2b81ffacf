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
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import { readCatalogFile } from './__testUtils__/catalogModel';
import { runTask, ScaffolderApi, startScaffolderBackend } from './__testUtils__/scaffolderBackend';
import { renderNewRepo, runCli } from './__testUtils__/scaffolderCli';
import { snapshotTree, Tree } from './__testUtils__/tree';

// A real backend with the real scaffolder plugin running the "Upgrade service"
// Template that `scaffolder backstage export` writes: the real catalog:fetch
// and fetch:plain actions, ours against the real CLI, up to the pull request
// step, which a test double records.
jest.setTimeout(90_000);

const SOURCE = 'https://github.com/acme/payments/tree/main/';
const answers = { name: 'payments', owner: 'payments-team' };

/** The repo as the Git host serves it, by source URL: fetch:plain reads it from here. */
const hosted = new Map<string, string>();
/** What publish:github:pull-request was given: its input and the workspace it would push. */
const requests: Array<{ input: Record<string, unknown>; tree: Tree }> = [];

const fakePullRequestModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'fake-github-pull-request',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createTemplateAction({
            id: 'publish:github:pull-request',
            description: 'Test double: records the pull request it would open',
            schema: {
              input: {
                repoUrl: z => z.string(),
                branchName: z => z.string(),
                title: z => z.string(),
                description: z => z.string(),
                draft: z => z.boolean().optional(),
                update: z => z.boolean().optional(),
              },
              output: { remoteUrl: z => z.string() },
            },
            async handler(ctx) {
              requests.push({ input: ctx.input, tree: await snapshotTree(ctx.workspacePath) });
              ctx.output('remoteUrl', 'https://github.com/acme/payments/pull/7');
            },
          }),
        );
      },
    });
  },
});

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
  let api: ScaffolderApi;
  let stopBackend: () => Promise<void>;
  /** The Component the catalog holds for the repo, as it was registered from SOURCE. */
  const component: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments',
      namespace: 'default',
      annotations: {
        'backstage.io/source-location': `url:${SOURCE}`,
        'scaffolder.dev/golden-path': 'service',
        'scaffolder.dev/golden-path-version': '1.0.0',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:payments-team' },
  };

  beforeAll(async () => {
    const exportDir = mockDir.resolve('export');
    await runCli(['backstage', 'export', exportDir, '--golden-path', 'service']);
    [upgradeTemplate] = (await readCatalogFile(
      path.join(exportDir, 'service-upgrade', 'template.yaml'),
    )) as TemplateEntityV1beta3[];

    await fs.mkdir(workingDirectory);
    ({ api, stop: stopBackend } = await startScaffolderBackend({
      workingDirectory,
      features: [
        fakePullRequestModule,
        urlReaderFactory,
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () => catalogServiceMock({ entities: [upgradeTemplate, component] }),
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
  async function upgradeTask(values: Record<string, unknown>) {
    const { status, completion, log } = await runTask(
      api,
      'template:default/service-upgrade',
      values,
      60_000,
    );
    return { status, output: completion?.output, log };
  }

  /** Hosts the service made at 1.0.0 at SOURCE, after `edit` changed its files. */
  async function hostRepo(edit: (dir: string) => Promise<void> = async () => {}) {
    const dir = mockDir.resolve('hosted-payments');
    await fs.rm(dir, { recursive: true, force: true });
    await renderNewRepo({ goldenPath: 'service', version: '1.0.0', values: answers, dest: dir });
    await edit(dir);
    hosted.set(SOURCE, dir);
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
    const [{ input, tree }] = requests;
    expect(input).toEqual({
      repoUrl: 'github.com?owner=acme&repo=payments',
      branchName: 'golden-path/service-1.1.0',
      title: 'Upgrade golden path service to 1.1.0',
      description: report.content,
      draft: true,
      update: true,
    });
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
    const reference = mockDir.resolve('reference');
    await fs.rm(reference, { recursive: true, force: true });
    await renderNewRepo({
      goldenPath: 'service',
      version: '1.1.0',
      values: answers,
      dest: reference,
    });

    const { status, output } = await upgradeTask({
      entity: 'component:default/payments',
      version: '1.1.0',
    });

    expect(status).toBe('completed');
    expect(output.text[0].content).not.toContain('conflicts to resolve');
    expect(requests).toHaveLength(1);
    expect(requests[0].input).toMatchObject({ draft: false });
    expect(requests[0].tree).toEqual(await snapshotTree(reference));
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
