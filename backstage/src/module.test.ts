import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createBackendModule, createServiceFactory } from '@backstage/backend-plugin-api';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock, CatalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import { parseCatalogFile, readCatalogFile } from './__testUtils__/catalogModel';
import { runTask, ScaffolderApi, startScaffolderBackend } from './__testUtils__/scaffolderBackend';
import { renderNewRepo, runCli } from './__testUtils__/scaffolderCli';
import { fileContent, filesOnly, snapshotTree, Tree } from './__testUtils__/tree';

// A real backend with the real scaffolder plugin, a task database and the
// real Python CLI behind our actions, running the Template that
// `scaffolder backstage export` writes for the service golden path.
jest.setTimeout(60_000);

/** What a user fills in the exported form: OwnerPicker and RepoUrlPicker answer refs and URLs. */
const formValues = {
  name: 'payments',
  description: 'Takes card payments for the web shop',
  tier: 'standard',
  owner: 'group:default/payments-team',
  repoUrl: 'github.com?owner=acme&repo=payments',
};
/** The same answers on the command line. */
const cliValues = {
  name: 'payments',
  description: 'Takes card payments for the web shop',
  tier: 'standard',
  owner: 'payments-team',
};

/**
 * A Git host in memory. `publish:github` (the exported Template's publish
 * step) is replaced by a fake that stores the workspace here, as pushed.
 */
const gitHost = new Map<string, { input: Record<string, unknown>; tree: Tree }>();

const fakeGitHostModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'fake-github',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createTemplateAction({
            id: 'publish:github',
            description: 'Test double: stores the workspace in an in-memory Git host',
            schema: {
              input: {
                repoUrl: z => z.string(),
                description: z => z.string().optional(),
                defaultBranch: z => z.string().optional(),
              },
              output: {
                remoteUrl: z => z.string(),
                repoContentsUrl: z => z.string(),
              },
            },
            async handler(ctx) {
              // RepoUrlPicker's format: host?owner=...&repo=...
              const url = new URL(`https://${ctx.input.repoUrl}`);
              const repo = `${url.host}/${url.searchParams.get('owner')}/${url.searchParams.get('repo')}`;
              const branch = ctx.input.defaultBranch ?? 'master';
              // Like a push: everything in the workspace but its .git.
              gitHost.set(repo, {
                input: ctx.input,
                tree: await snapshotTree(ctx.workspacePath, ['.git']),
              });
              ctx.output('remoteUrl', `https://${repo}`);
              ctx.output('repoContentsUrl', `https://${repo}/blob/${branch}`);
            },
          }),
        );
      },
    });
  },
});

/**
 * The catalog: the in-memory mock (which serves the Template) plus
 * addLocation, which catalog:register calls. It reads the registered file from
 * the fake Git host and validates it as the catalog would.
 */
const registered: Array<{ target: string; dryRun: boolean; entities: Entity[] }> = [];

function createCatalog(entities: Entity[]): CatalogServiceMock {
  const catalog = catalogServiceMock({ entities });
  catalog.addLocation = async ({ type = 'url', target, dryRun = false }) => {
    // The GitHub integration resolves catalogInfoPath against repoContentsUrl to .../tree/<branch>/...
    const match = /^https:\/\/([^/]+\/[^/]+\/[^/]+)\/(?:blob|tree)\/[^/]+\/(.+)$/.exec(target);
    const file = match && gitHost.get(match[1])?.tree[match[2]];
    if (!file || file.type !== 'file') throw new NotFoundError(`Unable to read url, ${target}`);
    const parsed = await parseCatalogFile(file.content, target);
    registered.push({ target, dryRun, entities: parsed });
    const id = `location-${registered.length}`;
    return {
      location: { id, type, target, entityRef: `location:default/${id}` },
      entities: parsed,
    };
  };
  return catalog;
}

/**
 * `values` plus the defaults a react-jsonschema-form fills in: those of every
 * property, and of the properties of the dependency branch that the value
 * selects.
 */
function withFormDefaults(pages: JsonObject[], values: Record<string, unknown>) {
  const filled: Record<string, unknown> = { ...values };
  const fill = (schema: any) => {
    for (const [name, property] of Object.entries<any>(schema.properties ?? {})) {
      if (!(name in filled) && property.default !== undefined) filled[name] = property.default;
    }
    for (const [name, dependency] of Object.entries<any>(schema.dependencies ?? {})) {
      const branch = (dependency.oneOf ?? []).find(
        (candidate: any) => candidate.properties?.[name]?.const === filled[name],
      );
      if (branch) fill(branch);
    }
  };
  pages.forEach(fill);
  return filled;
}

describe('scaffolder backend running the exported service Template', () => {
  const mockDir = createMockDirectory();
  const workingDirectory = mockDir.resolve('backend');
  let serviceTemplate: TemplateEntityV1beta3;
  let baselineTemplate: TemplateEntityV1beta3;
  let version: string;
  /** What `scaffolder new` makes from the same answers. */
  let expected: Tree;
  let api: ScaffolderApi;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    const exportDir = mockDir.resolve('export');
    await runCli([
      'backstage',
      'export',
      exportDir,
      '--golden-path',
      'service',
      '--golden-path',
      'cluster-baseline',
    ]);
    [baselineTemplate] = (await readCatalogFile(
      path.join(exportDir, 'cluster-baseline', 'template.yaml'),
    )) as TemplateEntityV1beta3[];
    [serviceTemplate] = (await readCatalogFile(
      path.join(exportDir, 'service', 'template.yaml'),
    )) as TemplateEntityV1beta3[];
    version = serviceTemplate.spec.steps[0].input!.version as string;

    const reference = mockDir.resolve('reference');
    await renderNewRepo({ goldenPath: 'service', version, values: cliValues, dest: reference });
    expected = await snapshotTree(reference, ['.git']);

    await fs.mkdir(workingDirectory);
    ({ api, stop: stopBackend } = await startScaffolderBackend({
      workingDirectory,
      features: [
        fakeGitHostModule,
        // The scaffolder reads templates (and the task's user) from the catalog.
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () => createCatalog([serviceTemplate]),
        }),
      ],
    }));
  });

  afterAll(async () => {
    await stopBackend?.();
  });

  beforeEach(() => {
    gitHost.clear();
    registered.length = 0;
  });

  async function dryRun(values: Record<string, unknown>) {
    return api('/v2/dry-run', { template: serviceTemplate, values, directoryContents: [] });
  }

  /** The files of a dry run, keyed like snapshotTree's. */
  function dryRunFiles(body: {
    directoryContents: Array<{ path: string; base64Content: string; executable?: boolean }>;
  }): Tree {
    return Object.fromEntries(
      body.directoryContents.map(file => [
        file.path,
        {
          type: 'file',
          executable: Boolean(file.executable),
          content: fileContent(Buffer.from(file.base64Content, 'base64')),
        },
      ]),
    );
  }

  function logMessages(log: Array<{ body: { message: string } }>) {
    return log.map(entry => entry.body.message);
  }

  it('lists the actions', async () => {
    const { status, body } = await api('/v2/actions');
    expect(status).toBe(200);
    const ids = body.map((action: { id: string }) => action.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'fetch:golden-path',
        'golden-path:diff',
        // Every action the exported Template uses.
        ...serviceTemplate.spec.steps.map(step => step.action),
      ]),
    );
    const fetchAction = body.find((action: { id: string }) => action.id === 'fetch:golden-path');
    expect(fetchAction.schema.input.required).toEqual(['goldenPath', 'values']);
  });

  it('renders in a dry run exactly what scaffolder new renders', async () => {
    const { status, body } = await dryRun(formValues);

    expect(status).toBe(200);
    // The dry run only shows regular files; the task test below compares the whole tree.
    expect(dryRunFiles(body)).toEqual(filesOnly(expected));
    const messages = logMessages(body.log);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`Rendering golden path service ${version} into . (dry run`),
        'Skipping because publish:github does not support dry-run',
        'Skipping because catalog:register does not support dry-run',
      ]),
    );
    // The OwnerPicker's entity ref reached the golden path as the group's name.
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/"owner": "payments-team"/)]),
    );
    // The dry run left nothing behind in the backend's working directory.
    expect(await fs.readdir(workingDirectory)).toEqual([]);
    expect(gitHost.size).toBe(0);
  });

  it('renders the same when the form sends every default, as the Backstage form does', async () => {
    const values = withFormDefaults(serviceTemplate.spec.parameters as JsonObject[], formValues);
    expect(Object.keys(values).length).toBeGreaterThan(Object.keys(formValues).length + 5);
    const { status, body } = await dryRun(values);

    // The form's defaults are the golden path's: the repo is the same.

    expect({ status, error: body.error }).toEqual({ status: 200, error: undefined });
    expect(dryRunFiles(body)).toEqual(filesOnly(expected));
  });

  it('answers the repo URL question from the RepoUrlPicker instead of asking it again', async () => {
    const values = withFormDefaults(baselineTemplate.spec.parameters as JsonObject[], {
      cluster_name: 'gpu-eu1',
      owner: 'group:default/platform-team',
      repoUrl: 'github.com?owner=acme&repo=gpu-eu1-baseline',
      // Cilium (the default CNI) needs it; its empty default is there to be replaced.
      api_server_host: 'abc123.gr7.eu-west-1.eks.amazonaws.com',
      // Asked (required) on the secrets page, as the default provider is aws with IRSA.
      aws_account_id: '123456789012',
    });
    expect(values).not.toHaveProperty('repo_url');
    const { status, body } = await api('/v2/dry-run', {
      template: baselineTemplate,
      values,
      directoryContents: [],
    });

    expect({ status, error: body.error }).toEqual({ status: 200, error: undefined });
    const answers = dryRunFiles(body)['.copier-answers.yml'];
    expect(answers).toMatchObject({
      content: expect.stringContaining('repo_url: https://github.com/acme/gpu-eu1-baseline.git'),
    });
  });

  it('answers a dry run with a bad answer with 400 and the CLI message', async () => {
    const { status, body } = await dryRun({ ...formValues, name: 'Pay_' });

    expect({ status, body }).toMatchObject({
      // The scaffolder maps the action's InputError to a 400.
      status: 400,
      body: {
        error: {
          name: 'InputError',
          message: expect.stringMatching(/^invalid value 'Pay_' for question 'name'/),
        },
      },
    });
  });

  it('runs the Template as a task: publishes what scaffolder new makes and registers it', async () => {
    const { status, completion } = await runTask(api, 'template:default/service', formValues);
    expect({ status, completion }).toMatchObject({
      status: 'completed',
      completion: {
        output: {
          links: [
            { title: 'Repository', url: 'https://github.com/acme/payments' },
            { title: 'Open in catalog', icon: 'catalog', entityRef: 'component:default/payments' },
          ],
        },
      },
    });

    // Byte for byte what `scaffolder new` makes, modes, symlinks and empty directories included.
    const published = gitHost.get('github.com/acme/payments');
    expect(published?.tree).toEqual(expected);
    expect(published?.input).toEqual({
      repoUrl: formValues.repoUrl,
      // The description the form asked, also in the repo's README and catalog entry.
      description: formValues.description,
      defaultBranch: 'main',
    });
    // catalog:register registers the repo's catalog-info.yaml, and reads the entity back.
    const target = 'https://github.com/acme/payments/tree/main/catalog-info.yaml';
    expect(registered.map(({ target: t, dryRun: d }) => ({ target: t, dryRun: d }))).toEqual([
      { target, dryRun: false },
      { target, dryRun: true },
    ]);
    expect(registered[0].entities).toEqual([
      expect.objectContaining({
        kind: 'Component',
        metadata: expect.objectContaining({
          annotations: expect.objectContaining({
            'backstage.io/source-template': 'template:default/service',
          }),
        }),
        spec: expect.objectContaining({ owner: 'group:payments-team' }),
      }),
    ]);
  });
});
