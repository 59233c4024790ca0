var express = require('express');
var passport = require('passport');
var LocalStrategy = require('passport-local');
var crypto = require('crypto');

// In memory instead of Passport's SQLite database, hashed the same way.
var users = [
  { id: 1, username: 'alice', role: 'host', password: 'alice-pass' },
  { id: 2, username: 'bob', role: 'guest', password: 'bob-pass' },
].map(function(user) {
  var salt = crypto.randomBytes(16);
  return { id: user.id, username: user.username, role: user.role, salt: salt, hashed_password: crypto.pbkdf2Sync(user.password, salt, 310000, 32, 'sha256') };
});

passport.use(new LocalStrategy(function verify(username, password, cb) {
  var row = users.find(function(user) { return user.username === username; });
  if (!row) { return cb(null, false, { message: 'Incorrect username or password.' }); }

  crypto.pbkdf2(password, row.salt, 310000, 32, 'sha256', function(err, hashedPassword) {
    if (err) { return cb(err); }
    if (!crypto.timingSafeEqual(row.hashed_password, hashedPassword)) {
      return cb(null, false, { message: 'Incorrect username or password.' });
    }
    return cb(null, row);
  });
}));

passport.serializeUser(function(user, cb) {
  process.nextTick(function() {
    cb(null, { id: user.id, username: user.username, role: user.role });
  });
});

passport.deserializeUser(function(user, cb) {
  process.nextTick(function() {
    return cb(null, user);
  });
});

var router = express.Router();

router.get('/login', function(req, res, next) {
  res.render('login');
});

router.post('/login/password', passport.authenticate('local', {
  successReturnToOrRedirect: '/',
  failureRedirect: '/login',
  failureMessage: true
}));

router.post('/logout', function(req, res, next) {
  req.logout(function(err) {
    if (err) { return next(err); }
    res.redirect('/');
  });
});

module.exports = router;
