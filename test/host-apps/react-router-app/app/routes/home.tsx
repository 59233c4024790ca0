import { Form } from 'react-router';
import { userContext } from '~/context';
import type { Route } from './+types/home';

export function loader({ context }: Route.LoaderArgs) {
  return { username: context.get(userContext)?.username };
}

export default function Home({ loaderData }: Route.ComponentProps) {
  if (!loaderData.username) return <p>Hello stranger. <a href="/login">Sign in</a></p>;
  return (
    <>
      <p>Hello {loaderData.username}</p>
      <Form method="post" action="/logout">
        <button>Sign out</button>
      </Form>
    </>
  );
}
