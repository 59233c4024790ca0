/**
 * `@grantor/core/internal`: what grantor's own adapter packages share, and nothing an app should import.
 * It follows the adapters, not semver: any release may change or remove it. Apps use `@grantor/core`
 * (an unsupported framework: `createFetchHandler` or `createTokenHandler`) or an adapter package.
 * @packageDocumentation
 */
export { handleFetchRequest, queryOf, requireGetUser, textBody } from './fetch.js';
