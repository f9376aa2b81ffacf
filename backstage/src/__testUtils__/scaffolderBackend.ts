import { AddressInfo } from 'node:net';
import { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModuleGoldenPaths } from '../module';
import { scaffolderCommand } from './scaffolderCli';

/** A JSON call to the scaffolder's REST API: GET without a body, POST with one. */
export type ScaffolderApi = (
  urlPath: string,
  body?: unknown,
) => Promise<{ status: number; body: any }>;

/**
 * A test backend with the real scaffolder plugin, this module running the
 * real CLI, and `features` (a catalog, test doubles of other actions). Task
 * and dry-run workspaces go to `workingDirectory`, so a test can look at what
 * is left. Requests are made as a mock user, whose token `api` sends; the
 * default mock permissions service allows everything.
 */
export async function startScaffolderBackend(options: {
  workingDirectory: string;
  features: BackendFeature[];
}): Promise<{ api: ScaffolderApi; stop: () => Promise<void> }> {
  const backend = await startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleGoldenPaths,
      ...options.features,
      mockServices.auth.factory(),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.user() }),
      mockServices.rootConfig.factory({
        data: {
          backend: { workingDirectory: options.workingDirectory },
          scaffolder: { goldenPaths: { command: scaffolderCommand() } },
        },
      }),
    ],
  });
  const baseUrl = `http://localhost:${(backend.server.address() as AddressInfo).port}/api/scaffolder`;
  const api: ScaffolderApi = async (urlPath, body) => {
    const response = await fetch(`${baseUrl}${urlPath}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: mockCredentials.user.header(),
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  return { api, stop: () => backend.stop() };
}

/**
 * Starts a task from `templateRef` and waits for it to end; resolves to its
 * final status, its completion event's body and its log messages.
 */
export async function runTask(
  api: ScaffolderApi,
  templateRef: string,
  values: Record<string, unknown>,
  timeoutMs = 45_000,
): Promise<{ status: string; completion: any; log: string[] }> {
  const created = await api('/v2/tasks', { templateRef, values });
  if (created.status !== 201) {
    throw new Error(`task not created (${created.status}): ${JSON.stringify(created.body)}`);
  }
  const taskId = created.body.id;
  let task = (await api(`/v2/tasks/${taskId}`)).body;
  const deadline = Date.now() + timeoutMs;
  while (!['completed', 'failed', 'cancelled'].includes(task.status) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 200));
    task = (await api(`/v2/tasks/${taskId}`)).body;
  }
  const events = (await api(`/v2/tasks/${taskId}/events`)).body as Array<{
    type: string;
    body: any;
  }>;
  return {
    status: task.status,
    completion: events.find(event => event.type === 'completion')?.body,
    log: events.filter(event => event.type === 'log').map(event => event.body.message),
  };
}
