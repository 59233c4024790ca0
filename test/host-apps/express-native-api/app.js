// An Express 5 API for an iOS/Android app, as `npm init` and Express's guide start one (ESM), with
// the docs' token route: `bearerUser` (the default), or Passport's passport-jwt + jwks-rsa with
// AUTH=passport. The docs' lines are pasted in as they are.
import express from 'express';
import { bearerUser, voiceIdentity } from '@grantor/core';
import { createTokenRoute } from '@grantor/express'; // or any adapter: getUser is the same
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import jwksRsa from 'jwks-rsa';

const app = express();
app.use(express.json());

const credentials = {
  accountSid: process.env.TWILIO_ACCOUNT_SID,
  keys: { sid: process.env.TWILIO_API_KEY_SID, secret: process.env.TWILIO_API_KEY_SECRET },
};
const policy = ({ user }) => ({ grants: { video: { room: `user-${user.id}` } } });

if (process.env.AUTH === 'passport') {
  passport.use(new JwtStrategy({
    jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
    // The provider's jwks_uri, e.g. https://example.eu.auth0.com/.well-known/jwks.json
    secretOrKeyProvider: jwksRsa.passportJwtSecret({ jwksUri: process.env.OIDC_JWKS_URI, cache: true, rateLimit: true }),
    issuer: process.env.OIDC_ISSUER,
    audience: process.env.OIDC_AUDIENCE,
    algorithms: ['RS256'],
  }, (claims, done) => done(null, { id: claims.sub })));

  app.use('/api/token', passport.authenticate('jwt', { session: false, failWithError: true }), createTokenRoute({ credentials, policy }));
} else {
  app.use(
    '/api/token',
    createTokenRoute({
      credentials,
      // e.g. OIDC_ISSUER=https://example.eu.auth0.com/ and OIDC_AUDIENCE=https://api.example.com (your API's identifier).
      // The user is { id: sub, claims }: the identity is the token's subject.
      getUser: bearerUser({ issuer: process.env.OIDC_ISSUER, audience: process.env.OIDC_AUDIENCE }),
      // Voice allows only [A-Za-z0-9_]: map subjects such as "auth0|64f1c2" (see below).
      identity: (user) => voiceIdentity(user.id),
      policy: () => ({ grants: { voice: { incomingAllow: true, outgoingApplicationSid: process.env.TWIML_APP_SID } } }),
    }),
  );
}

const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
