import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // The workspace packages compile to dist/ with tsc; Next consumes them as they are.
  poweredByHeader: false,
};

export default nextConfig;
