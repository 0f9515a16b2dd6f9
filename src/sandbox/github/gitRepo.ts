// A real bare git repository driven through the git CLI: the storage behind the GitHub fake.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';

export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601 */
  date: string;
}

export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
}

/** An annotated tag object (`git tag -a`): it names its target and carries a tagger and a message. */
export interface GitTagObject {
  sha: string;
  tag: string;
  object: { sha: string; type: string };
  tagger: GitPerson;
  message: string;
}

export interface CommitInput {
  branch: string;
  files: Record<string, string | Buffer | null>;
  message: string;
  author: { name: string; email: string };
  committer?: { name: string; email: string };
  /** the branch must still point here (compare-and-set); undefined: whatever it points at */
  expectedHead?: string | null;
}

/** Refs and paths git must not read as options or revision expressions. */
const SAFE_REF = /^(?!-)[A-Za-z0-9._/-]+$/;
const FIELD = '\x1f';
const RECORD = '\x1e';
const LOG_FORMAT = ['%H', '%T', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x1f') + '%x1e';

function run(cwd: string, args: string[], opts: { input?: Buffer | string; env?: Record<string, string> } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...opts.env } },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(new Error(`git ${args[0]} failed: ${stderr.toString().trim() || error.message}`), { code: (error as { code?: unknown }).code }));
        else resolve(stdout);
      },
    );
    // A git command that does not read its input may exit before we write it.
    child.stdin?.on('error', () => undefined);
    if (opts.input === undefined) child.stdin?.end();
    else child.stdin?.end(opts.input);
  });
}

async function runText(cwd: string, args: string[], opts?: { input?: Buffer | string; env?: Record<string, string> }): Promise<string> {
  return (await run(cwd, args, opts)).toString('utf8').trim();
}

function parseLog(out: string): GitCommit[] {
  return out
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.length > 0)
    .map((r) => {
      const [sha = '', tree = '', parents = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', ...rest] = r.split(FIELD);
      return {
        sha,
        tree,
        parents: parents ? parents.split(' ') : [],
        author: { name: an, email: ae, date: ad },
        committer: { name: cn, email: ce, date: cd },
        message: rest.join(FIELD).replace(/\n+$/, ''),
      };
    });
}

export class GitRepo {
  constructor(readonly dir: string) {}

  static async init(dir: string, branch: string): Promise<GitRepo> {
    await mkdir(dir, { recursive: true });
    await runText(dir, ['init', '--quiet', '--bare', `--initial-branch=${branch}`]);
    return new GitRepo(dir);
  }

  /** The full sha of the commit a ref (sha, short sha, branch, tag, heads/x, refs/tags/x) names, or null. */
  async resolve(ref: string): Promise<string | null> {
    if (!SAFE_REF.test(ref)) return null;
    try {
      return await runText(this.dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    } catch {
      return null;
    }
  }

  /** The sha a full ref name (refs/heads/main) points at, or null. */
  async refTarget(fullRef: string): Promise<string | null> {
    if (!SAFE_REF.test(fullRef) || !fullRef.startsWith('refs/')) return null;
    try {
      return await runText(this.dir, ['rev-parse', '--verify', '--quiet', fullRef]);
    } catch {
      return null;
    }
  }

  async branchHead(branch: string): Promise<string | null> {
    return this.refTarget(`refs/heads/${branch}`);
  }

  /** The object at a path of a commit: blob or tree, with its sha and size; null when absent. */
  async entry(commit: string, path: string): Promise<{ type: 'blob' | 'tree'; sha: string; size: number } | null> {
    if (path === '') {
      const tree = await runText(this.dir, ['rev-parse', `${commit}^{tree}`]);
      return { type: 'tree', sha: tree, size: 0 };
    }
    const out = await runText(this.dir, ['ls-tree', '--long', '--full-tree', commit, '--', path]);
    const m = /^\d+ (blob|tree|commit) ([0-9a-f]+)\s+(\S+)\t/.exec(out);
    if (!m || m[1] === 'commit') return null;
    return { type: m[1] as 'blob' | 'tree', sha: m[2] ?? '', size: m[3] === '-' ? 0 : Number(m[3]) };
  }

  async listTree(commit: string, path: string): Promise<Array<{ type: 'blob' | 'tree'; sha: string; size: number; path: string }>> {
    const spec = path === '' ? commit : `${commit}:${path}`;
    const out = await runText(this.dir, ['ls-tree', '--long', spec]);
    return out
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        const m = /^\d+ (blob|tree|commit) ([0-9a-f]+)\s+(\S+)\t(.*)$/.exec(line);
        if (!m || m[1] === 'commit') return [];
        return [{ type: m[1] as 'blob' | 'tree', sha: m[2] ?? '', size: m[3] === '-' ? 0 : Number(m[3]), path: path ? `${path}/${m[4]}` : (m[4] ?? '') }];
      });
  }

  async readBlob(sha: string): Promise<Buffer> {
    return run(this.dir, ['cat-file', 'blob', sha]);
  }

  async commitInfo(sha: string): Promise<GitCommit> {
    const [commit] = parseLog((await run(this.dir, ['log', '-1', `--format=${LOG_FORMAT}`, sha, '--'])).toString('utf8'));
    if (!commit) throw new Error(`no commit ${sha}`);
    return commit;
  }

  /** Commits reachable from `from` (newest first), optionally touching a path and excluding what `exclude` reaches. */
  async log(from: string, opts: { path?: string; exclude?: string; reverse?: boolean } = {}): Promise<GitCommit[]> {
    const args = ['log', `--format=${LOG_FORMAT}`];
    if (opts.reverse) args.push('--reverse');
    args.push(opts.exclude ? `${opts.exclude}..${from}` : from, '--');
    if (opts.path) args.push(opts.path);
    return parseLog((await run(this.dir, args)).toString('utf8'));
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    try {
      return await runText(this.dir, ['merge-base', a, b]);
    } catch {
      return null;
    }
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await run(this.dir, ['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch {
      return false;
    }
  }

  /** Points a ref at a sha; with `expected`, only while it still points there (null: must not exist). */
  async updateRef(fullRef: string, sha: string, expected?: string | null): Promise<void> {
    const args = ['update-ref', fullRef, sha];
    if (expected !== undefined) args.push(expected ?? '0'.repeat(40));
    await run(this.dir, args);
  }

  async deleteRef(fullRef: string): Promise<void> {
    await run(this.dir, ['update-ref', '-d', fullRef]);
  }

  /** The type of an object (commit, tag, tree, blob), or null when there is none with that sha. */
  async objectType(sha: string): Promise<string | null> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return null;
    try {
      return await runText(this.dir, ['cat-file', '-t', sha]);
    } catch {
      return null;
    }
  }

  /** Writes an annotated tag object for a commit and points refs/tags/<name> at it; returns the tag object's sha. */
  async annotatedTag(name: string, target: string, message: string, tagger: { name: string; email: string }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const ident = `${tagger.name.replace(/[<>\n]/g, '')} <${tagger.email.replace(/[<>\n]/g, '')}> ${now} +0000`;
    const body = `object ${target}\ntype commit\ntag ${name}\ntagger ${ident}\n\n${message.replace(/\n*$/, '\n')}`;
    const sha = await runText(this.dir, ['mktag'], { input: body });
    await this.updateRef(`refs/tags/${name}`, sha);
    return sha;
  }

  /** The annotated tag object with this sha, or null when the sha names no tag object. */
  async tagObject(sha: string): Promise<GitTagObject | null> {
    if ((await this.objectType(sha)) !== 'tag') return null;
    const raw = (await run(this.dir, ['cat-file', 'tag', sha])).toString('utf8');
    const split = raw.indexOf('\n\n');
    const header = split < 0 ? raw : raw.slice(0, split);
    const field = (key: string): string => new RegExp(`^${key} (.*)$`, 'm').exec(header)?.[1] ?? '';
    const who = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(field('tagger'));
    const date = who ? new Date(Number(who[3]) * 1000).toISOString().replace('.000Z', 'Z') : '';
    return {
      sha,
      tag: field('tag'),
      object: { sha: field('object'), type: field('type') },
      tagger: { name: who?.[1] ?? '', email: who?.[2] ?? '', date },
      message: split < 0 ? '' : raw.slice(split + 2),
    };
  }

  /** Writes one commit on top of the branch (or as its first commit) with the given file changes, in one git fast-import. */
  async commit(input: CommitInput): Promise<GitCommit> {
    const parent = await this.branchHead(input.branch);
    if (input.expectedHead !== undefined && input.expectedHead !== parent) throw new Error(`branch ${input.branch} moved`);
    const now = Math.floor(Date.now() / 1000);
    const ident = (p: { name: string; email: string }): string => `${p.name.replace(/[<>\n]/g, '')} <${p.email.replace(/[<>\n]/g, '')}> ${now} +0000`;
    const data = (bytes: Buffer): Buffer[] => [Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n')];
    const parts: Buffer[] = [
      Buffer.from(`commit refs/heads/${input.branch}\nauthor ${ident(input.author)}\ncommitter ${ident(input.committer ?? input.author)}\n`),
      ...data(Buffer.from(input.message, 'utf8')),
    ];
    if (parent) parts.push(Buffer.from(`from ${parent}\n`));
    for (const [raw, content] of Object.entries(input.files)) {
      const path = raw.replace(/^\/+/, '');
      if (!path || /[\n"]/.test(path)) throw new Error(`git fake: unsupported path ${JSON.stringify(raw)}`);
      if (content === null) parts.push(Buffer.from(`D ${path}\n`));
      else parts.push(Buffer.from(`M 100644 inline ${path}\n`), ...data(typeof content === 'string' ? Buffer.from(content, 'utf8') : content));
    }
    parts.push(Buffer.from('done\n'));
    // fast-import refuses a ref update that is not a fast-forward of what the branch points at now.
    await run(this.dir, ['fast-import', '--quiet', '--done'], { input: Buffer.concat(parts) });
    const head = await this.branchHead(input.branch);
    if (!head) throw new Error(`git fake: branch ${input.branch} missing after commit`);
    return this.commitInfo(head);
  }
}
