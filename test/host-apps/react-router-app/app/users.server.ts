// Users in memory: a real app keeps password hashes in its database.
import { timingSafeEqual } from 'node:crypto';

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

const samePassword = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const withoutPassword = ({ id, username, role }: User): User => ({ id, username, role });

export function verifyLogin(username: string, password: string): User | undefined {
  const found = users.find((user) => user.username === username && samePassword(user.password, password));
  return found && withoutPassword(found);
}

export function userById(id: string | undefined): User | undefined {
  const found = users.find((user) => user.id === id);
  return found && withoutPassword(found);
}
