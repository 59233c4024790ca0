import { AccessTokenError } from '../errors.js';

/** The methods the route may accept; everything else is 405 with `Allow`. */
export function checkMethodsOption(methods: readonly string[]): readonly string[] {
  if (!Array.isArray(methods) || methods.length === 0 || methods.some((method) => method !== 'POST' && method !== 'GET')) {
    throw new AccessTokenError('INVALID_OPTIONS', `methods may hold only "POST" and "GET" (got ${JSON.stringify(methods)}).`);
  }
  return methods;
}

export function checkMethod(method: string, methods: readonly string[]): void {
  if (!methods.includes(method)) {
    throw new AccessTokenError('METHOD_NOT_ALLOWED', `Use ${methods.join(' or ')} to get a token.`, { headers: { allow: methods.join(', ') } });
  }
}
