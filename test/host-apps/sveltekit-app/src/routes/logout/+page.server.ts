import { redirect } from '@sveltejs/kit';
import { logOut } from '$lib/server/users';
import type { Actions } from './$types';

export const actions = {
  default: async ({ cookies }) => {
    logOut(cookies.get('session'));
    cookies.delete('session', { path: '/' });
    redirect(303, '/');
  },
} satisfies Actions;
