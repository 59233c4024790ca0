// `EdgeRuntime` is a global only the Edge runtime defines (Next.js documents the check this way).
declare const EdgeRuntime: string | undefined;

export const currentRuntime = (): 'edge' | 'nodejs' => (typeof EdgeRuntime === 'string' ? 'edge' : 'nodejs');
