import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  templateEntityV1beta3Validator,
  TemplateEntityV1beta3,
} from '@backstage/plugin-scaffolder-common';
import { readCatalogFile, validateCatalogEntity } from './__testUtils__/catalogModel';
import { renderNewRepo, runCli } from './__testUtils__/scaffolderCli';

// `scaffolder backstage export` and the repos the golden paths make, checked
// with Backstage's own validators: what the catalog would refuse here, it
// refuses in production.
jest.setTimeout(30_000);

/** The golden paths that make a new repo: each gets a Template. */
const NEW_REPO_GOLDEN_PATHS = ['service', 'inference-service', 'training-job', 'cluster-baseline'];

type Question = { name: string };

/** The names of a golden path version's questions. */
async function questionNames(goldenPath: string, version: string): Promise<string[]> {
  const { questions } = JSON.parse(
    await runCli(['questions', goldenPath, `--version=${version}`, '--json']),
  ) as { questions: Question[] };
  return questions.map(question => question.name);
}

/**
 * The fields of a form page: its properties and those of its dependency
 * branches, not counting the branches' `const` selectors (which have no title).
 */
function formFields(page: any, fields = new Set<string>()): Set<string> {
  for (const [name, property] of Object.entries<any>(page.properties ?? {})) {
    if (property.title !== undefined) fields.add(name);
  }
  for (const dependency of Object.values<any>(page.dependencies ?? {})) {
    for (const branch of dependency.oneOf ?? []) formFields(branch, fields);
  }
  return fields;
}

describe('scaffolder backstage export', () => {
  const mockDir = createMockDirectory();
  const exportDir = mockDir.resolve('export');
  /** The exported Templates by golden path, as the catalog stores them. */
  const templates = new Map<string, TemplateEntityV1beta3>();
  /** The "Upgrade <golden path>" Templates, by directory (`<golden path>-upgrade`). */
  const upgradeTemplates = new Map<string, TemplateEntityV1beta3>();

  beforeAll(async () => {
    await runCli(['backstage', 'export', exportDir]);
    for (const entry of await fs.readdir(exportDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const entities = await readCatalogFile(path.join(exportDir, entry.name, 'template.yaml'));
      expect(entities).toHaveLength(1);
      const template = entities[0] as TemplateEntityV1beta3;
      if (entry.name.endsWith('-upgrade')) upgradeTemplates.set(entry.name, template);
      else templates.set(entry.name, template);
    }
  });

  it('exports a Template per golden path that makes a new repo', () => {
    expect([...templates.keys()]).toEqual(expect.arrayContaining(NEW_REPO_GOLDEN_PATHS));
  });

  it('writes Templates that the catalog and the scaffolder accept', async () => {
    // readCatalogFile already ran the catalog's policies and kind validators;
    // this is the scaffolder's own check, which must recognise the entity.
    for (const [goldenPath, template] of templates) {
      await expect(templateEntityV1beta3Validator.check(template)).resolves.toBe(true);
      expect({ goldenPath, ref: stringifyEntityRef(template) }).toEqual({
        goldenPath,
        ref: `template:default/${goldenPath}`,
      });
      // Refs the catalog resolves into relations must parse.
      expect(parseEntityRef(template.spec.owner as string).kind).toBe('group');
      // Render, publish what was rendered, register what was published.
      expect({ goldenPath, steps: template.spec.steps }).toMatchObject({
        goldenPath,
        steps: [
          { id: 'fetch', action: 'fetch:golden-path' },
          {
            id: 'publish',
            action: 'publish:github',
            input: { repoUrl: '${{ parameters.repoUrl }}' },
          },
          {
            id: 'register',
            action: 'catalog:register',
            input: { repoContentsUrl: "${{ steps['publish'].output.repoContentsUrl }}" },
          },
        ],
      });
    }
  });

  it('validates as strictly as the catalog (the checks above can fail)', async () => {
    const template = templates.get('service')!;
    const variants: Array<[string, unknown]> = [
      ['bad name', { ...template, metadata: { ...template.metadata, name: 'Golden_Path_' } }],
      ['foreign root field', { ...template, status: {} }],
      [
        'bad annotation value',
        { ...template, metadata: { ...template.metadata, annotations: { 'a/b': 1 } } },
      ],
      ['steps without action', { ...template, spec: { ...template.spec, steps: [{ id: 'x' }] } }],
      ['unknown kind', { ...template, kind: 'Templat' }],
    ];
    for (const [what, entity] of variants) {
      await expect(validateCatalogEntity(entity, what)).rejects.toThrow(what);
    }
  });

  it('maps every question of the exported version to a form field, and nothing else', async () => {
    const versions = [...templates.values()].map(
      template => template.metadata.annotations?.['scaffolder.dev/golden-path-version'] as string,
    );
    expect(versions).toEqual(versions.map(() => expect.any(String)));
    // One CLI run per golden path, side by side.
    const allQuestions = await Promise.all(
      [...templates.keys()].map((goldenPath, i) => questionNames(goldenPath, versions[i])),
    );
    for (const [i, [goldenPath, template]] of [...templates].entries()) {
      const version = versions[i];
      const pages = template.spec.parameters as any[];
      const publish = pages[pages.length - 1];
      const [fetch] = template.spec.steps;
      expect({ goldenPath, action: fetch.action, input: fetch.input }).toMatchObject({
        goldenPath,
        action: 'fetch:golden-path',
        input: { goldenPath, version },
      });
      const questions = allQuestions[i].sort();
      // An answer the golden path does not know fails `scaffolder new`, and a
      // question without a field can only take its default.
      expect({ goldenPath, values: Object.keys(fetch.input!.values as object).sort() }).toEqual({
        goldenPath,
        values: questions,
      });
      // Each question is asked on one page, except what the publish page answers:
      // the repo URL comes from its RepoUrlPicker.
      const fields = pages.slice(0, -1).flatMap(page => [...formFields(page)]);
      expect(fields.length).toBe(new Set(fields).size);
      expect({ goldenPath, fields: fields.sort() }).toEqual({
        goldenPath,
        fields: questions.filter(name => name !== 'repo_url'),
      });
      expect(publish.properties.repoUrl['ui:field']).toBe('RepoUrlPicker');
    }
  });

  it('writes a Location the catalog accepts, pointing at every Template', async () => {
    const [location] = await readCatalogFile(path.join(exportDir, 'catalog-info.yaml'));
    expect(location).toMatchObject({
      kind: 'Location',
      metadata: { namespace: 'default' },
    });
    const targets = (location.spec?.targets as string[]).map(target =>
      path.relative(exportDir, path.resolve(exportDir, target)),
    );
    expect(targets.sort()).toEqual(
      [...templates.keys(), ...upgradeTemplates.keys()]
        .map(dir => path.join(dir, 'template.yaml'))
        .sort(),
    );
  });

  it('writes an Upgrade Template per golden path that the catalog and the scaffolder accept', async () => {
    expect([...upgradeTemplates.keys()].sort()).toEqual(
      [...templates.keys()].map(goldenPath => `${goldenPath}-upgrade`).sort(),
    );
    for (const [goldenPath, template] of templates) {
      const upgrade = upgradeTemplates.get(`${goldenPath}-upgrade`)!;
      await expect(templateEntityV1beta3Validator.check(upgrade)).resolves.toBe(true);
      expect(stringifyEntityRef(upgrade)).toBe(`template:default/${goldenPath}-upgrade`);
      expect(upgrade.spec.owner).toBe(template.spec.owner);
      const [page] = upgrade.spec.parameters as any[];
      // The EntityPicker offers the entities the golden path made, found by the
      // annotation every generated catalog-info.yaml carries (checked below).
      expect(page.properties.entity).toMatchObject({
        'ui:field': 'EntityPicker',
        'ui:options': {
          catalogFilter: [{ 'metadata.annotations.scaffolder.dev/golden-path': goldenPath }],
        },
      });
      const latest = template.metadata.annotations!['scaffolder.dev/golden-path-version'];
      expect(page.properties.version).toMatchObject({ default: latest });
      expect(page.properties.version.enum).toContain(latest);
      expect(page.required).toEqual(['entity', 'version']);
      expect({ goldenPath, steps: upgrade.spec.steps }).toMatchObject({
        goldenPath,
        steps: [
          { id: 'entity', action: 'catalog:fetch' },
          { id: 'fetch', action: 'fetch:plain' },
          {
            id: 'upgrade',
            action: 'golden-path:upgrade',
            input: { version: '${{ parameters.version }}' },
          },
          {
            id: 'publish',
            action: 'publish:github:pull-request',
            input: { description: "${{ steps['upgrade'].output.report }}" },
          },
        ],
      });
    }
  });

  describe('catalog-info.yaml of a generated repo', () => {
    const owner = 'payments-team';
    it.each([
      { goldenPath: 'service', version: '1.0.0', values: { name: 'payments', owner } },
      { goldenPath: 'service', version: '1.1.0', values: { name: 'payments', owner } },
      {
        goldenPath: 'service',
        version: '2.0.0',
        values: { name: 'payments', owner, tier: 'standard' },
      },
      { goldenPath: 'inference-service', version: '1.0.0', values: { name: 'payments', owner } },
      { goldenPath: 'training-job', version: '1.0.0', values: { name: 'payments', owner } },
    ])('$goldenPath $version is valid and points back at its Template', async options => {
      const dest = mockDir.resolve(`${options.goldenPath}-${options.version}`);
      await renderNewRepo({ ...options, dest });

      // The file the exported Template's catalog:register step registers.
      const template = templates.get(options.goldenPath)!;
      const register = template.spec.steps.find(step => step.action === 'catalog:register');
      const catalogInfoPath = register?.input?.catalogInfoPath as string;
      expect(catalogInfoPath).toBe('/catalog-info.yaml');
      const entities: Entity[] = await readCatalogFile(path.join(dest, catalogInfoPath));
      const component = entities.find(entity => entity.kind === 'Component');
      expect(component).toMatchObject({
        metadata: {
          name: 'payments',
          namespace: 'default',
          annotations: {
            'backstage.io/source-template': stringifyEntityRef(template),
            'scaffolder.dev/golden-path': options.goldenPath,
            'scaffolder.dev/golden-path-version': options.version,
          },
        },
      });
      expect(parseEntityRef(component!.spec!.owner as string, { defaultKind: 'group' })).toEqual({
        kind: 'group',
        namespace: 'default',
        name: owner,
      });
    });
  });
});
