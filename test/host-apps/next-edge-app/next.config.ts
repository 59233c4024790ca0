import type { NextConfig } from "next";

// create-next-app's config, without cacheComponents: Next refuses `export const runtime` with it
// ("Route segment config "runtime" is not compatible with `nextConfig.cacheComponents`").
const nextConfig: NextConfig = {
  /* config options here */
};

export default nextConfig;
