declare namespace App {
  interface Locals {
    /** The logged-in user, from the session cookie (src/middleware.ts). */
    user?: import('./lib/users').User;
  }
}
