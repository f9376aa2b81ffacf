import { promises as fs } from 'node:fs';
import {
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  domainEntityV1alpha1Validator,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  groupEntityV1alpha1Validator,
  KindValidator,
  locationEntityV1alpha1Validator,
  makeValidator,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { parseEntityYaml } from '@backstage/plugin-catalog-node';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';

/**
 * The entity policies the catalog backend enforces on everything it ingests
 * (the defaults of the catalog's CatalogBuilder, in its order).
 */
const catalogEntityPolicy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(makeValidator()),
]);

/**
 * The kind validators of a catalog with the built-in kinds (BuiltinKindsEntityProcessor)
 * and the scaffolder's Template kind (ScaffolderEntitiesProcessor). The catalog
 * rejects an entity that no processor recognises.
 */
const kindValidators: Record<string, KindValidator> = {
  API: apiEntityV1alpha1Validator,
  Component: componentEntityV1alpha1Validator,
  Domain: domainEntityV1alpha1Validator,
  Group: groupEntityV1alpha1Validator,
  Location: locationEntityV1alpha1Validator,
  Resource: resourceEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
  User: userEntityV1alpha1Validator,
  Template: templateEntityV1beta3Validator,
};

/**
 * Validates an entity the way catalog processing does: the entity policies,
 * then every kind validator, one of which must recognise it. Resolves to the
 * entity as the catalog stores it (namespace defaulted); rejects with the
 * validator's message, prefixed with `where`.
 */
export async function validateCatalogEntity(data: unknown, where: string): Promise<Entity> {
  try {
    const entity = await catalogEntityPolicy.enforce(data as Entity);
    if (!entity) throw new Error('the entity policies dropped the entity');
    let recognised: string | undefined;
    for (const [kind, validator] of Object.entries(kindValidators)) {
      // false: not this validator's kind; throws: its kind, but invalid.
      if (await validator.check(entity)) recognised = kind;
    }
    if (!recognised) {
      throw new Error(`no processor recognises ${entity.apiVersion} ${entity.kind}`);
    }
    return entity;
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

/**
 * The entities of a catalog YAML file, parsed as the catalog parses files it
 * reads (parseEntityYaml, multi-document) and each validated by
 * validateCatalogEntity. Rejects on the first problem, naming `where`.
 */
export async function parseCatalogFile(content: string | Buffer, where: string): Promise<Entity[]> {
  const entities: Entity[] = [];
  for (const result of parseEntityYaml(content, { type: 'url', target: where })) {
    if (result.type === 'error') throw new Error(`${where}: ${result.error.message}`);
    if (result.type !== 'entity') throw new Error(`${where}: unexpected ${result.type} result`);
    entities.push(
      await validateCatalogEntity(
        result.entity,
        `${where} (${result.entity.kind}:${result.entity.metadata?.name})`,
      ),
    );
  }
  if (entities.length === 0) throw new Error(`${where}: no entities`);
  return entities;
}

/** parseCatalogFile on a file on disk. */
export async function readCatalogFile(file: string): Promise<Entity[]> {
  return parseCatalogFile(await fs.readFile(file), file);
}
