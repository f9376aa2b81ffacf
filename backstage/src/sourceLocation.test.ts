import { posix } from 'node:path';
import { InputError } from '@backstage/errors';
import { Forge, parseSourceLocation } from './sourceLocation';

/**
 * git-url-parse, the parser Backstage's URL readers (and so fetch:plain) read
 * these locations with; it ships no types, so the fields compared are named here.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gitUrlParse: (url: string) => {
  owner: string;
  name: string;
  ref: string;
  filepath: string;
  filepathtype: string;
} = require('git-url-parse');

/** GitHub locations: owner, repo, branch and folder read from each. */
const GITHUB: Array<[string, string, string, string | undefined, string | undefined]> = [
  // What the catalog records for a catalog-info.yaml at the root of the default branch.
  ['url:https://github.com/acme/payments/tree/main/', 'acme', 'payments', 'main', undefined],
  ['https://github.com/acme/payments/tree/main', 'acme', 'payments', 'main', undefined],
  ['url:https://github.com/acme/payments', 'acme', 'payments', undefined, undefined],
  ['url:https://github.com/acme/payments/', 'acme', 'payments', undefined, undefined],
  ['url:https://github.com/acme/payments.git', 'acme', 'payments', undefined, undefined],
  // A repo in a folder of a monorepo; a blob location names a file in it.
  [
    'url:https://github.com/acme/mono/tree/release/services/pay/',
    'acme',
    'mono',
    'release',
    'services/pay',
  ],
  [
    'url:https://github.com/acme/mono/blob/main/services/pay/catalog-info.yaml',
    'acme',
    'mono',
    'main',
    'services/pay',
  ],
  [
    'url:https://github.com/acme/payments/blob/main/catalog-info.yaml',
    'acme',
    'payments',
    'main',
    undefined,
  ],
];

/** GitLab locations of project `repo`: owner (subgroups included), branch and folder. */
const GITLAB: Array<[string, string, string | undefined, string | undefined]> = [
  [
    'url:https://gitlab.example.com/group/sub/team/repo/-/tree/main/',
    'group/sub/team',
    'main',
    undefined,
  ],
  [
    'url:https://gitlab.example.com/group/sub/team/repo/-/tree/main',
    'group/sub/team',
    'main',
    undefined,
  ],
  [
    'url:https://gitlab.example.com/group/sub/team/repo/-/blob/dev/catalog-info.yaml',
    'group/sub/team',
    'dev',
    undefined,
  ],
  [
    'url:https://gitlab.example.com/group/sub/team/repo/-/tree/main/apps/pay/',
    'group/sub/team',
    'main',
    'apps/pay',
  ],
  [
    'url:https://gitlab.example.com/group/sub/team/repo.git',
    'group/sub/team',
    undefined,
    undefined,
  ],
  ['url:https://gitlab.example.com/group/sub/team/repo/', 'group/sub/team', undefined, undefined],
  ['https://gitlab.example.com/team/repo/-/tree/main/', 'team', 'main', undefined],
];

describe('parseSourceLocation', () => {
  it.each(GITHUB)('reads the GitHub location %s', (location, owner, repo, branch, subdirectory) => {
    expect(parseSourceLocation(location, 'github')).toEqual({
      host: 'github.com',
      owner,
      repo,
      branch,
      subdirectory,
      repoUrl: `github.com?owner=${owner}&repo=${repo}`,
    });
  });

  it.each(GITLAB)(
    'reads the GitLab location %s, subgroups in the owner',
    (location, owner, branch, subdirectory) => {
      const target = parseSourceLocation(location, 'gitlab');
      expect(target).toEqual({
        host: 'gitlab.example.com',
        owner,
        repo: 'repo',
        branch,
        subdirectory,
        // URLSearchParams, as the RepoUrlPicker writes it: the subgroup slashes are %2F.
        repoUrl: `gitlab.example.com?owner=${owner.replace(/\//g, '%2F')}&repo=repo`,
      });
      // What publish:gitlab:merge-request's parseRepoUrl reads back from it.
      const back = new URL(`https://${target.repoUrl}`);
      expect([back.host, back.searchParams.get('owner'), back.searchParams.get('repo')]).toEqual([
        'gitlab.example.com',
        owner,
        'repo',
      ]);
    },
  );

  it('reads every location as git-url-parse does: owner, repo, branch and folder', () => {
    const locations: Array<[string, Forge]> = [
      ...GITHUB.map(([location]): [string, Forge] => [location, 'github']),
      ...GITLAB.map(([location]): [string, Forge] => [location, 'gitlab']),
    ];
    for (const [location, forge] of locations) {
      const theirs = gitUrlParse(location.replace(/^url:/, ''));
      // A blob location names a file; the request goes to its folder.
      const folder =
        theirs.filepathtype === 'blob' ? posix.dirname(theirs.filepath) : theirs.filepath;
      expect({ location, ...parseSourceLocation(location, forge) }).toMatchObject({
        location,
        owner: theirs.owner,
        repo: theirs.name,
        branch: theirs.ref || undefined,
        subdirectory: folder && folder !== '.' ? folder.replace(/\/$/, '') : undefined,
      });
    }
  });

  it('keeps the port and decodes percent-encoded segments', () => {
    expect(
      parseSourceLocation(
        'url:http://git.local:8443/my%20group/repo/-/tree/feature%2Fx/',
        'gitlab',
      ),
    ).toMatchObject({
      host: 'git.local:8443',
      owner: 'my group',
      branch: 'feature/x',
      repoUrl: 'git.local:8443?owner=my+group&repo=repo',
    });
  });

  it.each([
    ['url:not a url', 'github', 'not a URL'],
    ['url:ssh://git@github.com/acme/payments.git', 'github', 'not an http(s) URL'],
    ['url:git@github.com:acme/payments.git', 'github', 'not a URL'],
    ['url:https://github.com/acme', 'github', 'no owner and repo'],
    ['url:https://github.com/acme/payments/pulls', 'github', "'pulls' is not /tree/<branch>/"],
    ['url:https://github.com/acme/payments/tree/', 'github', "'tree' is not /tree/<branch>/"],
    ['url:https://gitlab.example.com/repo/-/tree/main/', 'gitlab', 'no group and project'],
    [
      'url:https://gitlab.example.com/group/repo/-/merge_requests/3',
      'gitlab',
      "'merge_requests/3' is not",
    ],
    [
      'url:https://github.com/acme/payments/tree/main/..%2F..%2Fetc',
      'github',
      "the path segment '../../etc' is not a plain name",
    ],
    [
      'url:https://github.com/acme/payments/tree/..%2F..%2Fx/',
      'github',
      "the path segment '../../x' is not a plain name",
    ],
    [
      'url:https://gitlab.example.com/a%2Fb/repo/-/tree/main/',
      'gitlab',
      "the path segment 'a/b' is not a plain name",
    ],
  ] as const)('refuses %s on %s', (location, forge, why) => {
    const call = () => parseSourceLocation(location, forge);
    expect(call).toThrow(InputError);
    expect(call).toThrow(why);
    expect(call).toThrow(`sourceLocation '${location}' is not a ${forge} repo location`);
  });
});
