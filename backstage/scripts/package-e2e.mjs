#!/usr/bin/env node
/**
 * The module as an adopter gets it: packs it the way `npm publish` would
 * (build, `backstage-cli package prepack`, pack, postpack), checks the
 * tarball's manifest, installs the tarball into a fresh minimal backend
 * (new backend system: `@backstage/backend-defaults` plus the real
 * `@backstage/plugin-scaffolder-backend`), starts it as its own Node process
 * and runs a template task that calls `fetch:golden-path`,
 * `golden-path:upgrade` and `golden-path:diff` against the real scaffolder
 * CLI (`$SCAFFOLDER_CLI`, split on spaces, or `scaffolder` on PATH).
 *
 * How the backend is installed, and why: a registry install of
 * backend-defaults and the scaffolder plugin is ~1,500 packages and a
 * from-source build of better-sqlite3 (minutes on CI, and it needs the
 * registry's metadata, which `npm ci` does not cache). So the backend lives
 * in a temporary directory under `node_modules/.cache/`: Node resolves its
 * `@backstage/*` packages from this package's `node_modules`, installed by
 * `npm ci` at the versions of package-lock.json. The tarball is unpacked
 * into the backend's own `node_modules` exactly as npm lays it out, so the
 * backend loads the packed files through the packed `exports`, never
 * `src/`; each dependency the tarball declares is checked to resolve from
 * there to a version its range accepts.
 *
 * Usage: `npm run test:package` (the Makefile's `backstage` target runs it).
 * Set KEEP_E2E=1 to keep the temporary directory for a look.
 */
import { execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const requireHere = createRequire(import.meta.url);
const semver = requireHere('semver');
const yaml = requireHere('yaml');

const STARTUP_TIMEOUT_MS = 90_000;
const TASK_TIMEOUT_MS = 120_000;

function log(message) {
  process.stderr.write(`package-e2e: ${message}\n`);
}

/** The real scaffolder CLI, as the jest tests find it. */
function scaffolderCommand() {
  const fromEnv = process.env.SCAFFOLDER_CLI?.trim();
  return fromEnv ? fromEnv.split(/\s+/) : ['scaffolder'];
}

function run(executable, args, options = {}) {
  return execFileSync(executable, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
}

/** `npm pack` runs the package's prepack (build + backstage-cli prepack) and postpack. */
function pack(destination) {
  log('npm pack (build, backstage-cli package prepack, pack, postpack)');
  const out = run('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Lifecycle scripts may print before the JSON; it is the last thing on stdout.
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  return { tarball: path.join(destination, info.filename), files: info.files.map(f => f.path) };
}

/** What an adopter's package manager gets: the manifest and file list of the tarball. */
function checkManifest(manifest, files) {
  const problems = [];
  const fileSet = new Set(files);
  const inTarball = p => fileSet.has(p.replace(/^\.\//, ''));
  if (manifest.private) problems.push('"private" is set: npm refuses to publish it');
  if (!manifest.name.startsWith('@')) problems.push(`name ${manifest.name} is not scoped`);
  const entry = manifest.exports?.['.'];
  const targets = {
    main: manifest.main,
    types: manifest.types,
    'exports.require': entry?.require,
    'exports.types': entry?.types,
    'exports.default': entry?.default,
  };
  for (const [field, target] of Object.entries(targets)) {
    if (typeof target !== 'string' || !/^(\.\/)?dist\//.test(target)) {
      problems.push(`${field} is ${JSON.stringify(target)}, not a file in dist/`);
    } else if (!inTarball(target)) {
      problems.push(`${field} points at ${target}, which the tarball does not contain`);
    }
  }
  if (entry?.backstage !== '@backstage/BackendFeature') {
    problems.push('exports["."] does not declare a @backstage/BackendFeature');
  }
  if (files.some(f => f.startsWith('src/'))) problems.push('the tarball ships src/');
  if (!manifest.configSchema || !inTarball(manifest.configSchema)) {
    problems.push(`configSchema ${manifest.configSchema} is not in the tarball`);
  }
  const { role, pluginId, pluginPackage } = manifest.backstage ?? {};
  if (role !== 'backend-plugin-module') problems.push(`backstage.role is ${role}`);
  if (pluginId !== 'scaffolder') problems.push(`backstage.pluginId is ${pluginId}`);
  if (pluginPackage !== '@backstage/plugin-scaffolder-backend') {
    problems.push(`backstage.pluginPackage is ${pluginPackage}`);
  }
  for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
    // Exact pins give an app a second copy of every @backstage package it
    // already has at another patch version.
    if (dep.startsWith('@backstage/') && !range.startsWith('^')) {
      problems.push(`dependency ${dep}@${range} is not a caret range`);
    }
  }
  for (const field of ['devDependencies', 'dependencies']) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(file|link|workspace):/.test(range)) problems.push(`${field} ${dep} is ${range}`);
    }
  }
  assert.deepEqual(problems, [], 'the packed manifest');
}

/** Unpacks the tarball where npm puts a dependency and checks its dependencies resolve. */
async function installTarball(tarball, backendDir, manifest) {
  const installDir = path.join(backendDir, 'node_modules', ...manifest.name.split('/'));
  await fs.mkdir(installDir, { recursive: true });
  run('tar', ['-xzf', tarball, '--strip-components=1', '-C', installDir]);
  const requireFromModule = createRequire(path.join(installDir, 'package.json'));
  for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
    const { version } = requireFromModule(`${dep}/package.json`);
    assert.ok(
      semver.satisfies(version, range),
      `${dep} resolves to ${version}, outside the declared range ${range}`,
    );
  }
  return installDir;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The Template the task runs: the module's three actions, no publishing. It
 * renders a released version, upgrades it to the latest, and checks there is
 * no drift from the latest afterwards.
 */
function e2eTemplate() {
  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'golden-path-e2e', namespace: 'default', title: 'Golden path e2e' },
    spec: {
      owner: 'group:default/platform-team',
      type: 'service',
      parameters: [{ required: ['name'], properties: { name: { type: 'string', title: 'Name' } } }],
      steps: [
        {
          id: 'fetch',
          name: 'Render golden path',
          action: 'fetch:golden-path',
          input: {
            goldenPath: 'service',
            version: FROM_VERSION,
            values: { name: '${{ parameters.name }}', owner: 'payments-team' },
          },
        },
        {
          id: 'upgrade',
          name: 'Upgrade to the latest version',
          action: 'golden-path:upgrade',
          // The latest version asks a question 1.0.0 did not.
          input: { values: { tier: 'standard' } },
        },
        {
          id: 'diff',
          name: 'Check drift',
          action: 'golden-path:diff',
          input: { failOn: 'drift' },
        },
      ],
      output: {
        goldenPath: '${{ steps.fetch.output.goldenPath }}',
        version: '${{ steps.fetch.output.version }}',
        files: '${{ steps.fetch.output.files }}',
        upgradeStatus: '${{ steps.upgrade.output.status }}',
        fromVersion: '${{ steps.upgrade.output.fromVersion }}',
        toVersion: '${{ steps.upgrade.output.toVersion }}',
        conflicts: '${{ steps.upgrade.output.conflicts }}',
        level: '${{ steps.diff.output.level }}',
        drifted: '${{ steps.diff.output.drifted }}',
      },
    },
  };
}

/** The released version the task renders before upgrading it. */
const FROM_VERSION = '1.0.0';

/**
 * The backend an adopter has after `yarn --cwd packages/backend add ...` and
 * `backend.add(import(...))`, plus a catalog that serves the one Template
 * (the real catalog backend is another plugin with its own database).
 */
const backendIndex = moduleName => `'use strict';
const { createBackend } = require('@backstage/backend-defaults');
const { createServiceFactory } = require('@backstage/backend-plugin-api');
const { catalogServiceRef } = require('@backstage/plugin-catalog-node');
const { parseEntityRef, stringifyEntityRef } = require('@backstage/catalog-model');
const template = require('./template.json');

const templateRef = stringifyEntityRef(template);
const catalog = new Proxy(
  {
    async getEntityByRef(ref) {
      return stringifyEntityRef(parseEntityRef(ref)) === templateRef ? template : undefined;
    },
  },
  {
    get(target, name) {
      if (name in target || typeof name !== 'string' || name === 'then') return target[name];
      return () => Promise.reject(new Error('e2e catalog: ' + name + ' is not served'));
    },
  },
);

const backend = createBackend();
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('${moduleName}'));
backend.add(createServiceFactory({ service: catalogServiceRef, deps: {}, factory: () => catalog }));
backend.start();
`;

async function writeBackend(backendDir, moduleName, tarball, port) {
  const version = name => requireHere(`${name}/package.json`).version;
  await fs.writeFile(
    path.join(backendDir, 'package.json'),
    JSON.stringify(
      {
        name: 'golden-path-e2e-backend',
        private: true,
        dependencies: {
          '@backstage/backend-defaults': `^${version('@backstage/backend-defaults')}`,
          '@backstage/plugin-scaffolder-backend': `^${version('@backstage/plugin-scaffolder-backend')}`,
          [moduleName]: `file:${tarball}`,
        },
      },
      null,
      2,
    ),
  );
  await fs.writeFile(path.join(backendDir, 'index.js'), backendIndex(moduleName));
  await fs.writeFile(path.join(backendDir, 'template.json'), JSON.stringify(e2eTemplate()));
  const appConfig = {
    backend: {
      baseUrl: `http://localhost:${port}`,
      listen: { port, host: '127.0.0.1' },
      database: { client: 'better-sqlite3', connection: ':memory:' },
      workingDirectory: path.join(backendDir, 'work'),
      // The test calls the API without a user token.
      auth: { dangerouslyDisableDefaultAuthPolicy: true },
    },
    // The keys the README tells adopters to set.
    scaffolder: { goldenPaths: { command: scaffolderCommand() } },
  };
  await fs.mkdir(appConfig.backend.workingDirectory);
  await fs.writeFile(path.join(backendDir, 'app-config.yaml'), yaml.stringify(appConfig));
}

function startBackend(backendDir) {
  const output = [];
  const child = spawn(process.execPath, ['index.js'], {
    cwd: backendDir,
    env: { ...process.env, NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', chunk => output.push(chunk));
  }
  const exited = new Promise(resolve => child.once('exit', code => resolve(code)));
  return { child, output, exited };
}

async function api(baseUrl, urlPath, body) {
  const response = await fetch(`${baseUrl}/api/scaffolder${urlPath}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

async function waitFor(what, timeoutMs, backend, probe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe().catch(() => undefined);
    if (result !== undefined) return result;
    if (backend.child.exitCode !== null) {
      throw new Error(`the backend exited (${backend.child.exitCode}) while waiting for ${what}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

async function main() {
  const started = Date.now();
  const cacheDir = path.join(packageDir, 'node_modules', '.cache');
  await fs.mkdir(cacheDir, { recursive: true });
  const workDir = await fs.mkdtemp(path.join(cacheDir, 'package-e2e-'));
  let backend;
  try {
    const { tarball, files } = pack(workDir);
    const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json']));
    checkManifest(manifest, files);
    log(`${path.basename(tarball)}: ${files.length} files, manifest ok`);

    const backendDir = path.join(workDir, 'backend');
    const installDir = await installTarball(tarball, backendDir, manifest);
    // The backend must load the packed files, not this checkout's src/.
    const entry = createRequire(path.join(backendDir, 'index.js')).resolve(manifest.name);
    assert.ok(entry.startsWith(path.join(installDir, 'dist') + path.sep), entry);
    const port = await freePort();
    await writeBackend(backendDir, manifest.name, tarball, port);

    backend = startBackend(backendDir);
    const baseUrl = `http://localhost:${port}`;
    const actions = await waitFor('the scaffolder API', STARTUP_TIMEOUT_MS, backend, async () => {
      const { status, body } = await api(baseUrl, '/v2/actions');
      return status === 200 ? body : undefined;
    });
    const ids = actions.map(action => action.id);
    assert.ok(ids.includes('fetch:golden-path'), `actions: ${ids.join(', ')}`);
    assert.ok(ids.includes('golden-path:diff'), `actions: ${ids.join(', ')}`);
    assert.ok(ids.includes('golden-path:upgrade'), `actions: ${ids.join(', ')}`);
    log(`backend up on port ${port} with the module's actions`);

    const created = await api(baseUrl, '/v2/tasks', {
      templateRef: 'template:default/golden-path-e2e',
      values: { name: 'payments' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const taskId = created.body.id;
    const task = await waitFor('the task', TASK_TIMEOUT_MS, backend, async () => {
      const { body } = await api(baseUrl, `/v2/tasks/${taskId}`);
      return ['completed', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
    });
    const events = (await api(baseUrl, `/v2/tasks/${taskId}/events`)).body;
    const messages = events.map(event => event.body?.message).filter(Boolean);
    assert.equal(task.status, 'completed', `task ${task.status}:\n${messages.join('\n')}`);
    const output = events.find(event => event.type === 'completion').body.output;

    // The task rendered what `scaffolder new` renders from the same answers, upgraded it to
    // the latest version without conflicts, and left no drift from it.
    const reference = path.join(workDir, 'reference');
    const answers = path.join(workDir, 'answers.json');
    await fs.writeFile(answers, JSON.stringify({ name: 'payments', owner: 'payments-team' }));
    const [executable, ...leading] = scaffolderCommand();
    const expected = JSON.parse(
      run(executable, [
        ...leading,
        'new',
        'service',
        reference,
        `--data-file=${answers}`,
        `--version=${FROM_VERSION}`,
        '--json',
        '--no-git',
      ]),
    );
    const latest = JSON.parse(run(executable, [...leading, 'questions', 'service', '--json']));
    assert.equal(output.goldenPath, 'service');
    assert.equal(output.version, FROM_VERSION);
    assert.deepEqual([...output.files].sort(), [...expected.files].sort());
    assert.deepEqual(
      [output.upgradeStatus, output.fromVersion, output.toVersion, output.conflicts],
      ['upgraded', FROM_VERSION, latest.version, []],
    );
    assert.equal(output.drifted, false);
    assert.equal(output.level, 'gold');
    log(
      `task ${taskId} completed: ${output.files.length} files of service ${output.version}, ` +
        `upgraded to ${output.toVersion}, level ${output.level} ` +
        `(${((Date.now() - started) / 1000).toFixed(0)} s in all)`,
    );
  } catch (error) {
    if (backend) process.stderr.write(`--- backend output ---\n${backend.output.join('')}\n`);
    throw error;
  } finally {
    if (backend && backend.child.exitCode === null) {
      backend.child.kill('SIGTERM');
      await backend.exited;
    }
    if (process.env.KEEP_E2E) log(`kept ${workDir}`);
    else await fs.rm(workDir, { recursive: true, force: true });
  }
}

main().catch(error => {
  process.stderr.write(`package-e2e: FAILED: ${error.stack ?? error}\n`);
  process.exit(1);
});
