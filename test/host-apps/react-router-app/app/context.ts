import { createContext } from 'react-router';
import type { User } from './users.server';

/** The logged-in user, which the root middleware reads from the session cookie for every request. */
export const userContext = createContext<User | null>(null);
