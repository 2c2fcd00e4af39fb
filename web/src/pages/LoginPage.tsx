import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { login } from '../auth';
import { Icon } from '../icons';
import { ThemeToggle } from '../layout';

export function LoginPage(props: { expired?: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(props.expired ? 'Your session has ended. Please sign in again.' : null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (err) {
      const ae = err instanceof ApiError ? err : null;
      if (ae?.status === 429) setError('Too many sign-in attempts. Wait a minute and try again.');
      else if (ae && (ae.status === 400 || ae.status === 401 || ae.status === 403)) setError(ae.message || 'Invalid username or password.');
      else setError((err as Error).message);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <div class="login-theme">
        <ThemeToggle />
      </div>
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true">
            <Icon name="ca" size={26} />
          </span>
          <span>certkeeper</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        <p class="muted">TLS certificate inventory</p>
        {error && (
          <div class="alert alert-error" role="alert">
            <Icon name="alert" />
            <span>{error}</span>
          </div>
        )}
        <div class="field">
          <label for="login-username">Username</label>
          <input id="login-username" name="username" type="text" autoComplete="username" autoFocus required value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input id="login-password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy || !username || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
