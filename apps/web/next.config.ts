import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // The workspace packages compile to dist/ with tsc; Next consumes them as they are.
  poweredByHeader: false,
  // A second build folder lets two checkouts' tests (or two engineers) build side by side; the
  // same variable must be set for `next build` and for the server that serves the build.
  distDir: process.env.KEEPWATCH_NEXT_DIST_DIR ?? '.next',
  // `tsc -p tsconfig.json --noEmit` (the typecheck task, beside the build in `npm test`) checks
  // this same project; Next's second pass over it cost ~30 s of CI's two cores.
  typescript: { ignoreBuildErrors: true },
  // A build on a fresh clone has nothing to reuse, and writing the cache cost ~14 s.
  experimental: { turbopackFileSystemCacheForBuild: false },
};

export default nextConfig;
