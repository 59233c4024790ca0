// The part of jose that grantor uses, as one module: core loads it (bundled into its own dist as a
// separate chunk) on the first bearer token, so processes that never verify one never parse it.
export { createLocalJWKSet, jwtVerify } from 'jose';
