// Passport's todos-express-password app.js, with grantor's token route mounted as the docs say
// (after authentication) and an in-memory user store instead of SQLite.
var createError = require('http-errors');
var express = require('express');
var path = require('path');
var cookieParser = require('cookie-parser');
var session = require('express-session');
var passport = require('passport');
var logger = require('morgan');
var { createTokenRoute } = require('@grantor/express');

var indexRouter = require('./routes/index');
var authRouter = require('./routes/auth');

// The CSRF setup of this run (CSRF=...): `csurf` app-wide as in Passport's example (default),
// `csurf-exempt` (the token route exempted, grantor's allowedOrigins defending it instead), or
// `csrf-csrf` app-wide (csurf's maintained successor).
var CSRF = process.env.CSRF || 'csurf';
var csrfProtection;
var csrfToken;
if (CSRF === 'csrf-csrf') {
  var { doubleCsrf } = require('csrf-csrf');
  var doubleCsrfUtilities = doubleCsrf({
    getSecret: () => 'keyboard cat',
    getSessionIdentifier: (req) => req.session.id,
    cookieName: 'x-csrf-token',
    cookieOptions: { secure: false }, // plain http in development
    getCsrfTokenFromRequest: (req) => req.headers['x-csrf-token'] || (req.body && req.body._csrf),
  });
  csrfProtection = doubleCsrfUtilities.doubleCsrfProtection;
  csrfToken = (req, res) => doubleCsrfUtilities.generateCsrfToken(req, res);
} else {
  csrfProtection = require('csurf')();
  csrfToken = (req) => req.csrfToken();
}

var app = express();

// view engine setup
app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'ejs');

app.use(logger('dev'));
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.use(cookieParser());
app.use(express.static(path.join(__dirname, 'public')));
app.use(session({
  secret: 'keyboard cat',
  resave: false, // don't save session if unmodified
  // csrf-csrf binds its token to the session id, so the session must exist before login.
  saveUninitialized: CSRF === 'csrf-csrf',
}));
if (CSRF === 'csurf-exempt') {
  // The docs' exemption: grantor's allowedOrigins check defends the token route instead.
  app.use((req, res, next) => (req.path === '/api/token' ? next() : csrfProtection(req, res, next)));
} else {
  app.use(csrfProtection);
}
app.use(passport.authenticate('session'));

// Twilio Access Tokens for the logged-in user: after authentication, as the docs say.
app.use(
  '/api/token',
  createTokenRoute({
    credentials: {
      accountSid: process.env.TWILIO_ACCOUNT_SID,
      keys: { sid: process.env.TWILIO_API_KEY_SID, secret: process.env.TWILIO_API_KEY_SECRET },
    },
    allowedOrigins: [process.env.APP_ORIGIN || 'http://localhost:3000'],
    policy: ({ user, params }) => {
      if (user.role === 'host') return { grants: { video: { room: params.room }, chat: {} } };
      if (params.room !== 'lobby') return { deny: 'Guests may only join the lobby.' };
      return { grants: { video: { room: 'lobby' } }, ttl: 600 };
    },
  }),
);

app.use(function(req, res, next) {
  var msgs = req.session.messages || [];
  res.locals.messages = msgs;
  res.locals.hasMessages = !! msgs.length;
  req.session.messages = [];
  next();
});
app.use(function(req, res, next) {
  res.locals.csrfToken = csrfToken(req, res);
  next();
});

app.use('/', indexRouter);
app.use('/', authRouter);

// catch 404 and forward to error handler
app.use(function(req, res, next) {
  next(createError(404));
});

// error handler
app.use(function(err, req, res, next) {
  // set locals, only providing error in development
  res.locals.message = err.message;
  res.locals.error = req.app.get('env') === 'development' ? err : {};

  // render the error page
  res.status(err.status || 500);
  res.render('error');
});

module.exports = app;
