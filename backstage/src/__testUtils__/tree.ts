import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * One entry of a directory tree. File contents are exact: text when the bytes
 * are valid UTF-8 that round-trips (so that jest diffs are readable), base64
 * otherwise.
 */
export type TreeEntry =
  | { type: 'file'; executable: boolean; content: string }
  | { type: 'symlink'; target: string }
  | { type: 'directory' };

/** A tree keyed by POSIX path relative to its root. */
export type Tree = Record<string, TreeEntry>;

export function fileContent(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : `base64:${bytes.toString('base64')}`;
}

/**
 * Every file, symlink and empty directory below `root` (a directory with
 * entries is implied by them), skipping entries named in `exclude` at any depth.
 */
export async function snapshotTree(root: string, exclude: string[] = ['.git']): Promise<Tree> {
  const tree: Tree = {};
  async function walk(rel: string) {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    const kept = entries.filter(entry => !exclude.includes(entry.name));
    if (rel && kept.length === 0) tree[rel] = { type: 'directory' };
    for (const entry of kept) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const abs = path.join(root, relPath);
      if (entry.isSymbolicLink()) {
        tree[relPath] = { type: 'symlink', target: await fs.readlink(abs) };
      } else if (entry.isDirectory()) {
        await walk(relPath);
      } else {
        const stat = await fs.stat(abs);
        tree[relPath] = {
          type: 'file',
          executable: (stat.mode & 0o111) !== 0,
          content: fileContent(await fs.readFile(abs)),
        };
      }
    }
  }
  await walk('');
  return tree;
}

/** Only the regular files of a tree (what a dry run's directoryContents can show). */
export function filesOnly(tree: Tree): Tree {
  return Object.fromEntries(Object.entries(tree).filter(([, entry]) => entry.type === 'file'));
}
