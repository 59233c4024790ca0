// Runs once when `next start` boots: says which rate limiter the token route uses, as the Express and Koa demos do.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { demoServerConfig, describeRateLimit } = await import('@grantor/demo-kit');
  console.log(describeRateLimit(demoServerConfig().rateLimit));
}
