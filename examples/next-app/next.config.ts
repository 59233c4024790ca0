import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The demo kit ships TypeScript source; @grantor/next and @grantor/core resolve to their built dist.
  transpilePackages: ['@grantor/demo-kit'],
};

export default nextConfig;
