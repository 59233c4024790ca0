// Users and sessions in memory: a real app keeps password hashes and sessions in its database.
import { randomUUID, timingSafeEqual } from 'node:crypto';

export interface User {
  id: string;
  username: string;
  role: 'host' | 'guest';
}

const users: Array<User & { password: string }> = [
  { id: '1', username: 'alice', role: 'host', password: 'alice-pass' },
  { id: '2', username: 'bob', role: 'guest', password: 'bob-pass' },
  { id: '3', username: 'carol', role: 'host', password: 'carol-pass' },
];
const sessions = new Map<string, User>();

const samePassword = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A new session id for the user with this username and password, or undefined. */
export function logIn(username: string, password: string): string | undefined {
  const found = users.find((user) => user.username === username && samePassword(user.password, password));
  if (!found) return undefined;
  const id = randomUUID();
  sessions.set(id, { id: found.id, username: found.username, role: found.role });
  return id;
}

export const userOfSession = (sessionId: string | undefined): User | undefined => (sessionId ? sessions.get(sessionId) : undefined);

export const logOut = (sessionId: string | undefined) => sessionId && sessions.delete(sessionId);
