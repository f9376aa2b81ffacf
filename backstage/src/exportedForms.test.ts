import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import Form from '@rjsf/core';
import { FieldProps, getDefaultFormState, RJSFSchema, UiSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { TemplateEntityV1beta3 } from '@backstage/plugin-scaffolder-common';
import { JsonObject } from '@backstage/types';
import { readCatalogFile } from './__testUtils__/catalogModel';
import { runCli } from './__testUtils__/scaffolderCli';

// Every page of every exported Template, put through the form library
// Backstage's scaffolder frontend uses (@rjsf/core with @rjsf/validator-ajv8,
// the versions @backstage/plugin-scaffolder-react pins): the schema compiles,
// the form's defaults plus the required answers validate, and the page renders
// every field, none of them as rjsf's "Unsupported field schema".
jest.setTimeout(30_000);

const UNSUPPORTED = 'Unsupported field schema';

/** The field extensions the Backstage scaffolder frontend registers by default. */
const BACKSTAGE_FIELDS = [
  'EntityPicker',
  'EntityNamePicker',
  'EntityTagsPicker',
  'OwnerPicker',
  'OwnedEntityPicker',
  'MultiEntityPicker',
  'MyGroupsPicker',
  'RepoUrlPicker',
  'RepoBranchPicker',
  'Secret',
];

/**
 * Stand-ins for Backstage's field extensions, which need the app's APIs: each
 * renders a text box marked with its name, so the test sees which one a field got.
 */
const stubFields = Object.fromEntries(
  BACKSTAGE_FIELDS.map(name => [
    name,
    (props: FieldProps) =>
      createElement('input', {
        'data-field': name,
        id: props.idSchema.$id,
        defaultValue: String(props.formData ?? ''),
        autoFocus: Boolean(props.uiSchema?.['ui:autofocus']),
      }),
  ]),
);

/**
 * A Template page as Backstage hands it to rjsf: the `ui:*` keys moved out
 * of the JSON Schema into a UI schema of the same shape, the way the
 * scaffolder frontend's extractSchemaFromStep does it (properties, array
 * items, and the branches of `dependencies`, whose fields share the page's UI
 * schema).
 */
function splitPage(page: JsonObject): { schema: RJSFSchema; uiSchema: UiSchema } {
  const schema = structuredClone(page);
  const uiSchema: UiSchema = {};
  moveUiKeys(schema, uiSchema);
  return { schema: schema as RJSFSchema, uiSchema };
}

function moveUiKeys(node: any, ui: any) {
  for (const key of Object.keys(node)) {
    if (key.startsWith('ui:')) {
      ui[key] = node[key];
      delete node[key];
    }
  }
  for (const [name, property] of Object.entries<any>(node.properties ?? {})) {
    ui[name] ??= {};
    moveUiKeys(property, ui[name]);
  }
  if (node.items && typeof node.items === 'object' && !Array.isArray(node.items)) {
    ui.items = {};
    moveUiKeys(node.items, ui.items);
  }
  for (const dependency of Object.values<any>(node.dependencies ?? {})) {
    for (const branch of dependency.oneOf ?? []) moveUiKeys(branch, ui);
  }
}

/** An answer for a required field without a default, as a user would type it. */
function sampleAnswer(name: string, schema: any, ui: any): unknown {
  switch (ui?.['ui:field']) {
    case 'OwnerPicker':
      return 'group:default/payments-team';
    case 'RepoUrlPicker':
      return 'github.com?owner=acme&repo=payments';
    default:
  }
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'integer' || schema.type === 'number') return 1;
  if (schema.type === 'boolean') return false;
  if (schema.type === 'array') return [];
  return name.endsWith('name') ? 'payments' : 'standard';
}

/** The form's own defaults, plus an answer for every required field left empty. */
function completeAnswers(schema: RJSFSchema, uiSchema: UiSchema): JsonObject {
  const data = getDefaultFormState(validator, schema, {}) as JsonObject;
  for (const name of (schema.required as string[]) ?? []) {
    if (data[name] === undefined) {
      data[name] = sampleAnswer(name, (schema.properties as any)[name], uiSchema[name]) as any;
    }
  }
  return data;
}

function render(schema: RJSFSchema, uiSchema: UiSchema, formData: JsonObject): string {
  return renderToStaticMarkup(
    createElement(Form, { schema, uiSchema, formData, validator, fields: stubFields }),
  );
}

/** Every `ui:field` a page uses, anywhere in its UI schema. */
function uiFields(ui: any, found: string[] = []): string[] {
  for (const [key, value] of Object.entries<any>(ui)) {
    if (key === 'ui:field') found.push(value);
    else if (value && typeof value === 'object' && !key.startsWith('ui:')) uiFields(value, found);
  }
  return found;
}

describe('exported Template forms in @rjsf/core', () => {
  const mockDir = createMockDirectory();
  const exportDir = mockDir.resolve('export');
  const pages: Array<[string, number, JsonObject]> = [];
  const templates = new Map<string, TemplateEntityV1beta3>();

  beforeAll(async () => {
    await runCli(['backstage', 'export', exportDir]);
    for (const entry of await fs.readdir(exportDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const [template] = (await readCatalogFile(
        path.join(exportDir, entry.name, 'template.yaml'),
      )) as TemplateEntityV1beta3[];
      // The Upgrade Templates' pages are rendered too; `templates` keeps the others.
      if (!entry.name.endsWith('-upgrade')) templates.set(entry.name, template);
      (template.spec.parameters as JsonObject[]).forEach((page, i) =>
        pages.push([entry.name, i, page]),
      );
    }
  });

  it('can tell an unsupported field (this test can fail)', () => {
    // What the export wrote for service.secret_keys before it had a type.
    const { schema, uiSchema } = splitPage({
      type: 'object',
      properties: { secret_keys: { title: 'Secret keys', default: [] } },
    });
    expect(render(schema, uiSchema, {})).toContain(UNSUPPORTED);
  });

  it('exports the golden paths that make a new repo', () => {
    expect([...templates.keys()].sort()).toEqual([
      'cluster-baseline',
      'inference-service',
      'service',
      'training-job',
    ]);
  });

  it('compiles every page schema with the ajv8 validator', () => {
    for (const [goldenPath, index, page] of pages) {
      const { schema } = splitPage(page);
      const { validationError } = validator.rawValidation(schema, {});
      expect({ goldenPath, index, error: validationError?.message }).toEqual({
        goldenPath,
        index,
        error: undefined,
      });
    }
  });

  it('validates the defaults plus the required answers on every page', () => {
    for (const [goldenPath, index, page] of pages) {
      const { schema, uiSchema } = splitPage(page);
      const { errors } = validator.validateFormData(completeAnswers(schema, uiSchema), schema);
      expect({ goldenPath, index, errors: errors.map(e => e.stack) }).toEqual({
        goldenPath,
        index,
        errors: [],
      });
    }
  });

  it('rejects an answer of the wrong type (the validation above can fail)', () => {
    const page = templates.get('service')!.spec.parameters as JsonObject[];
    const runtime = splitPage(page.find(p => (p.properties as JsonObject).port)!);
    const data = { ...completeAnswers(runtime.schema, runtime.uiSchema), port: 'eighty' };
    expect(validator.validateFormData(data, runtime.schema).errors).not.toEqual([]);
  });

  it('renders every field of every page, none unsupported', () => {
    const warn = jest.spyOn(console, 'warn');
    for (const [goldenPath, index, page] of pages) {
      const { schema, uiSchema } = splitPage(page);
      const html = render(schema, uiSchema, completeAnswers(schema, uiSchema));
      expect({ goldenPath, index, unsupported: html.includes(UNSUPPORTED) }).toEqual({
        goldenPath,
        index,
        unsupported: false,
      });
      for (const [name, property] of Object.entries<any>(schema.properties ?? {})) {
        const rendered = html.includes(`>${property.title}<`) || html.includes(`id="root_${name}"`);
        expect({ goldenPath, index, name, rendered }).toEqual({
          goldenPath,
          index,
          name,
          rendered: true,
        });
      }
      for (const field of uiFields(uiSchema)) {
        expect(BACKSTAGE_FIELDS).toContain(field);
      }
    }
    // Nothing rjsf calls deprecated (such as `enumNames` in the schema).
    expect(warn.mock.calls.map(call => String(call[0]))).toEqual([]);
    warn.mockRestore();
  });

  it('labels choices as the golden path does', () => {
    const baseline = templates.get('cluster-baseline')!.spec.parameters as JsonObject[];
    const { schema, uiSchema } = splitPage(baseline[0]);
    const html = render(schema, uiSchema, completeAnswers(schema, uiSchema));
    expect(html).toContain('>aws (EKS)</option>');
  });

  it('renders structured answers as typed lists: teams with their members', () => {
    const baseline = templates.get('cluster-baseline')!.spec.parameters as JsonObject[];
    const page = splitPage(baseline.find(p => (p.properties as JsonObject).teams)!);
    const html = render(page.schema, page.uiSchema, completeAnswers(page.schema, page.uiSchema));
    // One fieldset per default team, each with its typed members.
    expect(html).toContain('id="root_teams_1_gpu"');
    expect(html).toMatch(
      /<input[^>]*type="number"[^>]*id="root_teams_0_gpu"|id="root_teams_0_gpu"[^>]*type="number"/,
    );
    expect(html).toContain('value="ml-research"');
  });

  it('shows a conditional question when its switch is on', () => {
    const service = templates.get('service')!.spec.parameters as JsonObject[];
    const page = splitPage(service.find(p => (p.properties as JsonObject).canary)!);
    const answers = completeAnswers(page.schema, page.uiSchema);
    expect(render(page.schema, page.uiSchema, { ...answers, canary: false })).not.toContain(
      'root_prometheus_url',
    );
    expect(render(page.schema, page.uiSchema, { ...answers, canary: true })).toContain(
      'root_prometheus_url',
    );
  });

  it('gives names the EntityNamePicker and focuses the first field', () => {
    for (const [goldenPath, template] of templates) {
      const [first] = template.spec.parameters as JsonObject[];
      const { schema, uiSchema } = splitPage(first);
      const [firstName] = Object.keys(schema.properties!);
      expect({ goldenPath, firstName, ui: uiSchema[firstName] }).toEqual({
        goldenPath,
        firstName: expect.stringMatching(/(^|_)name$/),
        ui: expect.objectContaining({ 'ui:field': 'EntityNamePicker', 'ui:autofocus': true }),
      });
      const html = render(schema, uiSchema, completeAnswers(schema, uiSchema));
      expect(html).toMatch(/data-field="EntityNamePicker"[^>]*autofocus=""/);
    }
  });
});
