import { RootConfigService } from '@backstage/backend-plugin-api';

/** What the actions need to know about the scaffolder CLI. */
export type GoldenPathsOptions = {
  /** Executable plus leading arguments; run without a shell. */
  command: string[];
  /** Catalog passed as --catalog when a step gives none. */
  defaultCatalog?: string;
};

export const DEFAULT_COMMAND = ['scaffolder'];

/** Reads `scaffolder.goldenPaths` from app-config. */
export function readGoldenPathsConfig(config: RootConfigService): GoldenPathsOptions {
  const key = 'scaffolder.goldenPaths.command';
  // The key holds a string or a string array; read it raw and check the type.
  const raw = config.getOptional(key);
  let command: string[];
  if (raw === undefined) {
    command = DEFAULT_COMMAND;
  } else if (typeof raw === 'string' && raw.trim()) {
    // A plain string is one executable path, never split on spaces: a path may
    // contain them, and splitting would be a shell in disguise.
    command = [raw];
  } else if (
    Array.isArray(raw) &&
    raw.length > 0 &&
    raw.every(part => typeof part === 'string' && part !== '')
  ) {
    command = raw as string[];
  } else {
    throw new Error(`Invalid ${key}: expected a non-empty string or a non-empty array of strings`);
  }
  return {
    command,
    defaultCatalog: config.getOptionalString('scaffolder.goldenPaths.catalog'),
  };
}
