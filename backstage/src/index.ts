/**
 * Backstage scaffolder backend module for scaffolder golden paths.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGoldenPaths as default } from './module';
export { createFetchGoldenPathAction } from './actions/fetchGoldenPath';
export { createGoldenPathDiffAction } from './actions/goldenPathDiff';
export { createGoldenPathUpgradeAction } from './actions/goldenPathUpgrade';
export { readGoldenPathsConfig } from './config';
export type { GoldenPathsOptions } from './config';
