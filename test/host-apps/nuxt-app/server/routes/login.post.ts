// The app's own form login: a session cookie for the right username and password.
export default defineEventHandler(async (event) => {
  const form = await readBody<{ username?: string; password?: string }>(event);
  const session = logIn(String(form?.username ?? ''), String(form?.password ?? ''));
  if (!session) throw createError({ statusCode: 401, statusMessage: 'Wrong username or password' });
  setCookie(event, 'session', session, { path: '/', httpOnly: true, sameSite: 'lax' });
  return sendRedirect(event, '/', 303);
});
