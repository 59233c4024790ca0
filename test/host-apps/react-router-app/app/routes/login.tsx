import { data, Form, redirect } from 'react-router';
import { commitSession, getSession } from '~/sessions.server';
import { verifyLogin } from '~/users.server';
import type { Route } from './+types/login';

export async function action({ request }: Route.ActionArgs) {
  const form = await request.formData();
  const user = verifyLogin(String(form.get('username') ?? ''), String(form.get('password') ?? ''));
  if (!user) return data({ error: 'Wrong username or password.' }, { status: 400 });
  const session = await getSession(request.headers.get('Cookie'));
  session.set('userId', user.id);
  return redirect('/', { headers: { 'Set-Cookie': await commitSession(session) } });
}

export default function Login({ actionData }: Route.ComponentProps) {
  return (
    <Form method="post">
      <input name="username" autoComplete="username" />
      <input name="password" type="password" autoComplete="current-password" />
      <button>Sign in</button>
      {actionData?.error && <p>{actionData.error}</p>}
    </Form>
  );
}
