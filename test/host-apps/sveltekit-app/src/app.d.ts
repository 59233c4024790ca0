// See https://svelte.dev/docs/kit/types#app.d.ts
// for information about these interfaces
import type { User } from '$lib/server/users';

declare global {
  namespace App {
    // interface Error {}
    interface Locals {
      /** The logged-in user, set by hooks.server.ts from the session cookie. */
      user?: User;
    }
    // interface PageData {}
    // interface PageState {}
    // interface Platform {}
  }
}

export {};
