import { mockServices } from '@backstage/backend-test-utils';
import { readGoldenPathsConfig } from './config';

describe('readGoldenPathsConfig', () => {
  const read = (goldenPaths?: unknown) =>
    readGoldenPathsConfig(
      mockServices.rootConfig({
        data: goldenPaths === undefined ? {} : { scaffolder: { goldenPaths } },
      }),
    );

  it('defaults to scaffolder on PATH and no catalog', () => {
    expect(read()).toEqual({ command: ['scaffolder'], defaultCatalog: undefined });
  });

  it('takes a string as one executable, even with spaces in it', () => {
    expect(read({ command: '/opt/my tools/scaffolder', catalog: '/srv/catalog' })).toEqual({
      command: ['/opt/my tools/scaffolder'],
      defaultCatalog: '/srv/catalog',
    });
  });

  it('takes an array as executable plus leading arguments', () => {
    expect(read({ command: ['python3', '-m', 'scaffolder'] }).command).toEqual([
      'python3',
      '-m',
      'scaffolder',
    ]);
  });

  it.each([[''], [[]], [['python3', '']], [42]])('rejects command %j', command => {
    expect(() => read({ command })).toThrow(/Invalid scaffolder\.goldenPaths\.command/);
  });
});
