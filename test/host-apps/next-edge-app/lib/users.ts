// In-memory users for the test; a real app looks them up in its database and compares password hashes.
const users = [
  { id: 'u2001', name: 'Alice', email: 'alice@example.com', password: 'alice-pass' },
  { id: 'u2002', name: 'Bob', email: 'bob@example.com', password: 'bob-pass' },
];

export function findUser(email: unknown, password: unknown): { id: string; name: string } | undefined {
  const user = users.find((candidate) => candidate.email === email && candidate.password === password);
  return user && { id: user.id, name: user.name };
}
