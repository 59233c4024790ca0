// The part of jose that grantor uses, as one module: JWKS key selection and import (kid, key type,
// curve, use and alg matched; public keys only). Core loads it (bundled into its own dist as a
// separate chunk) with a provider's first key set, so processes that never verify a token never parse it.
export { createLocalJWKSet } from 'jose';
