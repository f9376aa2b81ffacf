import { promises as fs } from 'node:fs';
import { AddressInfo } from 'node:net';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleGoldenPaths } from './module';
import { scaffolderCommand } from './__testUtils__/scaffolderCli';

// A real backend with the real scaffolder plugin, a task database and the
// real Python CLI behind our actions.
jest.setTimeout(60_000);

/**
 * The Template a platform team would write by hand. Once
 * `scaffolder backstage export` lands, this becomes the exported
 * `service/template.yaml`.
 */
const serviceTemplate = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: {
    name: 'golden-path-service',
    namespace: 'default',
    title: 'Python HTTP service',
  },
  spec: {
    type: 'service',
    owner: 'group:default/platform-team',
    parameters: [
      {
        title: 'Service',
        required: ['name'],
        properties: { name: { type: 'string', title: 'Name' } },
      },
    ],
    steps: [
      {
        id: 'fetch',
        name: 'Render golden path',
        action: 'fetch:golden-path',
        input: {
          goldenPath: 'service',
          version: '1.0.0',
          values: { name: '${{ parameters.name }}' },
        },
      },
    ],
    output: {
      goldenPath: '${{ steps.fetch.output.goldenPath }}',
      version: '${{ steps.fetch.output.version }}',
      files: '${{ steps.fetch.output.files }}',
      targetPath: '${{ steps.fetch.output.targetPath }}',
    },
  },
};

describe('scaffolder backend with the golden-paths module', () => {
  const workingDirectory = createMockDirectory();
  let baseUrl: string;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleGoldenPaths,
        // The scaffolder reads templates (and the task's user) from the catalog.
        catalogServiceMock.factory({ entities: [serviceTemplate] }),
        // Requests are made as a mock user, whose token `api` sends; the
        // default mock permissions service allows everything.
        mockServices.auth.factory(),
        mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.user() }),
        mockServices.rootConfig.factory({
          data: {
            // Task and dry-run workspaces go here, so the test can look at what is left.
            backend: { workingDirectory: workingDirectory.path },
            scaffolder: { goldenPaths: { command: scaffolderCommand() } },
          },
        }),
      ],
    });
    baseUrl = `http://localhost:${(backend.server.address() as AddressInfo).port}/api/scaffolder`;
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
  });

  async function api(path: string, body?: unknown) {
    const response = await fetch(`${baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: mockCredentials.user.header(),
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  it('lists the actions', async () => {
    const { status, body } = await api('/v2/actions');
    expect(status).toBe(200);
    const ids = body.map((action: { id: string }) => action.id);
    expect(ids).toEqual(expect.arrayContaining(['fetch:golden-path', 'golden-path:diff']));
    const fetchAction = body.find((action: { id: string }) => action.id === 'fetch:golden-path');
    expect(fetchAction.schema.input.required).toEqual(['goldenPath', 'values']);
  });

  it('renders the template in a dry run', async () => {
    const { status, body } = await api('/v2/dry-run', {
      template: serviceTemplate,
      values: { name: 'payments' },
      directoryContents: [],
    });

    expect(status).toBe(200);
    const paths = body.directoryContents.map((file: { path: string }) => file.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['catalog-info.yaml', 'src/payments/app.py']));
    expect(body.output).toEqual({
      goldenPath: 'service',
      version: '1.0.0',
      files: paths,
      targetPath: '.',
    });
    const catalogInfo = body.directoryContents.find(
      (file: { path: string }) => file.path === 'catalog-info.yaml',
    );
    expect(Buffer.from(catalogInfo.base64Content, 'base64').toString()).toMatch(
      /name: "?payments"?\n/,
    );
    const messages = body.log.map((entry: { body: { message: string } }) => entry.body.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Rendering golden path service 1.0.0 into . (dry run'),
      ]),
    );
    // The dry run left nothing behind in the backend's working directory.
    expect(await fs.readdir(workingDirectory.path)).toEqual([]);
  });

  it('answers a dry run with a bad answer with 400 and the CLI message', async () => {
    const { status, body } = await api('/v2/dry-run', {
      template: serviceTemplate,
      values: { name: 'Pay_' },
      directoryContents: [],
    });

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

  it('runs the template as a task', async () => {
    const created = await api('/v2/tasks', {
      templateRef: 'template:default/golden-path-service',
      values: { name: 'payments' },
    });
    expect(created.status).toBe(201);
    const taskId = created.body.id;

    let task = (await api(`/v2/tasks/${taskId}`)).body;
    const deadline = Date.now() + 45_000;
    while (!['completed', 'failed', 'cancelled'].includes(task.status) && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 200));
      task = (await api(`/v2/tasks/${taskId}`)).body;
    }

    const events = (await api(`/v2/tasks/${taskId}/events`)).body;
    const completion = events.find((event: { type: string }) => event.type === 'completion');
    expect({ status: task.status, completion: completion?.body }).toMatchObject({
      status: 'completed',
      completion: {
        output: {
          goldenPath: 'service',
          version: '1.0.0',
          targetPath: '.',
          files: expect.arrayContaining(['catalog-info.yaml', 'src/payments/app.py']),
        },
      },
    });
  });
});
