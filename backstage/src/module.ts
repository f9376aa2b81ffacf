import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createFetchGoldenPathAction } from './actions/fetchGoldenPath';
import { createGoldenPathDiffAction } from './actions/goldenPathDiff';
import { createGoldenPathUpgradeAction } from './actions/goldenPathUpgrade';
import { readGoldenPathsConfig } from './config';

/**
 * Adds the fetch:golden-path, golden-path:diff and golden-path:upgrade actions to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleGoldenPaths = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'golden-paths',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ scaffolder, config, logger }) {
        // Read once at startup so a bad command setting fails the backend
        // start rather than the first template run.
        const options = readGoldenPathsConfig(config);
        logger.info(`Golden path actions run '${options.command.join(' ')}'`);
        scaffolder.addActions(
          createFetchGoldenPathAction(options),
          createGoldenPathDiffAction(options),
          createGoldenPathUpgradeAction(options),
        );
      },
    });
  },
});
