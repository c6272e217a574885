import { fileURLToPath } from 'node:url';

/** Path of a script in the package's `assets/` folder (the same from `src/` and `dist/`). */
export function assetPath(name: string): string {
  return fileURLToPath(new URL(`../assets/${name}`, import.meta.url));
}
