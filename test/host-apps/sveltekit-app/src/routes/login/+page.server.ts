import { fail, redirect } from '@sveltejs/kit';
import { logIn } from '$lib/server/users';
import type { Actions } from './$types';

export const actions = {
  default: async ({ request, cookies }) => {
    const form = await request.formData();
    const sessionId = logIn(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
    if (!sessionId) return fail(400, { incorrect: true });
    cookies.set('session', sessionId, { path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge: 60 * 60 * 8 });
    redirect(303, '/');
  },
} satisfies Actions;
