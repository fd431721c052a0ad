/** How the app is signed in, for views that act on it (a 401 mid-session shows the sign-in screen again). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError } from '../api.ts';

export interface AuthState {
  /** `session`: the cookie; `key`: a pasted key kept in memory. */
  via: 'session' | 'key';
  signOut(): void;
  /** The API answered 401: the session ended. */
  expired(): void;
}

export const AuthContext = createContext<AuthState>({ via: 'session', signOut: () => {}, expired: () => {} });
export const useAuth = (): AuthState => useContext(AuthContext);

/** Whether an error means "sign in (again)": the API's 401, or API Gateway's own 403 for a missing key (not the API's `forbidden`). */
export const needsSignIn = (e: unknown): boolean => e instanceof ApiError && (e.status === 401 || (e.status === 403 && e.code !== 'forbidden'));
