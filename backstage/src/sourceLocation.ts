import { InputError } from '@backstage/errors';

/** The forges whose pull/merge request actions the Upgrade Templates use. */
export const FORGES = ['github', 'gitlab'] as const;
export type Forge = (typeof FORGES)[number];

/** Where a pull or merge request for a repo goes, read from its source location. */
export type RequestTarget = {
  /** Host, with the port if the URL names one. */
  host: string;
  /** GitHub: the user or organisation. GitLab: the group path, subgroups included (`group/sub`). */
  owner: string;
  repo: string;
  /** The branch the location names (`/tree/<branch>/`), or undefined: the default branch. */
  branch?: string;
  /** The folder of the repo the location points into, without slashes at the ends, or undefined. */
  subdirectory?: string;
  /**
   * `host?owner=OWNER&repo=REPO`, the form `publish:github:pull-request` and
   * `publish:gitlab:merge-request` read (Backstage's RepoUrlPicker writes it
   * with URLSearchParams, so a subgroup's slashes are `%2F`).
   */
  repoUrl: string;
};

/**
 * Reads an entity's `backstage.io/source-location` (`url:https://...`, or the
 * bare URL) as the repo a pull or merge request goes to.
 *
 * GitHub: `https://HOST/OWNER/REPO[.git][/tree|blob/BRANCH[/DIR...]][/]`.
 * GitLab: the project path runs up to the `/-/` separator
 * (`https://HOST/group/sub/team/repo/-/tree/main/`: owner `group/sub/team`,
 * repo `repo`); without one, the whole path is the project (a clone URL,
 * `.git` or not). As Backstage's URL readers do, the first segment after
 * `tree`/`blob` is the branch and the rest a folder (a file, for `blob`).
 */
export function parseSourceLocation(location: string, forge: Forge): RequestTarget {
  const text = location.trim().replace(/^url:/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw notARepo(location, forge, 'not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw notARepo(location, forge, 'not an http(s) URL');
  }
  let segments: string[];
  try {
    segments = url.pathname
      .split('/')
      .filter(s => s !== '')
      .map(s => decodeURIComponent(s));
  } catch {
    throw notARepo(location, forge, 'a path segment is not valid percent-encoding');
  }

  let project: string[];
  let rest: string[];
  if (forge === 'gitlab') {
    const separator = segments.indexOf('-');
    project = separator < 0 ? segments : segments.slice(0, separator);
    rest = separator < 0 ? [] : segments.slice(separator + 1);
  } else {
    project = segments.slice(0, 2);
    rest = segments.slice(2);
  }
  const repo = project.length >= 2 ? project[project.length - 1].replace(/\.git$/, '') : '';
  if (!repo) {
    throw notARepo(
      location,
      forge,
      forge === 'gitlab' ? 'no group and project' : 'no owner and repo',
    );
  }
  const owner = project.slice(0, -1).join('/');

  let branch: string | undefined;
  let folder: string[] = [];
  if (rest.length > 0) {
    const [kind, ref, ...inside] = rest;
    if ((kind !== 'tree' && kind !== 'blob') || !ref) {
      throw notARepo(
        location,
        forge,
        `'${rest.join('/')}' is not /tree/<branch>/ or /blob/<branch>/`,
      );
    }
    branch = ref;
    folder = kind === 'blob' ? inside.slice(0, -1) : inside;
  }
  // An encoded '/' or '..' would let the owner or the request's folder
  // (targetPath) leave the place the URL names: refuse it rather than guess.
  // A branch may hold '/' (feature%2Fx), never a '.' or '..' step.
  const odd = [...project, ...folder].find(s => s.includes('/') || s === '.' || s === '..');
  const oddBranch = branch?.split('/').some(s => s === '' || s === '.' || s === '..');
  if (odd !== undefined || oddBranch) {
    throw notARepo(location, forge, `the path segment '${odd ?? branch}' is not a plain name`);
  }
  return {
    host: url.host,
    owner,
    repo,
    branch,
    subdirectory: folder.length > 0 ? folder.join('/') : undefined,
    repoUrl: `${url.host}?${new URLSearchParams({ owner, repo }).toString()}`,
  };
}

function notARepo(location: string, forge: Forge, why: string): InputError {
  const example =
    forge === 'gitlab'
      ? 'url:https://gitlab.example.com/group/sub/repo/-/tree/main/'
      : 'url:https://github.com/owner/repo/tree/main/';
  return new InputError(
    `sourceLocation '${location}' is not a ${forge} repo location (${why}); ` +
      `expected the entity's backstage.io/source-location, like ${example}`,
  );
}
