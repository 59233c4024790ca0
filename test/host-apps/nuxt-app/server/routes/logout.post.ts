export default defineEventHandler((event) => {
  logOut(getCookie(event, 'session'));
  deleteCookie(event, 'session', { path: '/' });
  return sendRedirect(event, '/', 303);
});
