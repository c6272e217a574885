import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // The workspace packages compile to dist/ with tsc; Next consumes them as they are.
  poweredByHeader: false,
  // A second build folder lets two checkouts' tests (or two engineers) build side by side; the
  // same variable must be set for `next build` and for the server that serves the build.
  distDir: process.env.KEEPWATCH_NEXT_DIST_DIR ?? '.next',
};

export default nextConfig;
