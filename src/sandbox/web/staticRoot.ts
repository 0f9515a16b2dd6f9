// Finds the page's static files (HTML, browser JavaScript, CSS), which live in src/sandbox/web/static whether the sandbox runs from src/ or from dist/.
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function staticRoot(): Promise<string> {
  // tsc does not copy non-TypeScript files, so from dist/src/sandbox/web/ the files are found in the source tree.
  const candidates = [new URL('./static/', import.meta.url), new URL('../../../../src/sandbox/web/static/', import.meta.url)].map((u) => fileURLToPath(u));
  for (const dir of candidates) {
    try {
      await access(`${dir}index.html`);
      return dir;
    } catch {
      // try the next place
    }
  }
  throw new Error(`the sandbox page's files are missing (looked in ${candidates.join(', ')})`);
}
