import type { APIRoute } from 'astro';
import { logOut } from '../lib/users';

export const POST: APIRoute = ({ cookies, redirect }) => {
  logOut(cookies.get('session')?.value);
  cookies.delete('session', { path: '/' });
  return redirect('/', 303);
};
