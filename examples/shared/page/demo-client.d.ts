export function call<T = any>(method: string, path: string, body?: unknown): Promise<T>;
export function decodeClaims(token: string): { grants?: Record<string, unknown>; [claim: string]: unknown };
export function formatDuration(seconds: number): string;
