// The message of a simulator action the server refused; on 401, a link to sign in.
import Link from 'next/link';
import type { ApiError } from '../api-client.ts';

export function ActionError({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert" data-testid="action-error">
      {error.message}
      {error.status === 401 && (
        <>
          {' '}
          <Link href="/signin?next=/simulator">Sign in</Link>
        </>
      )}
    </p>
  );
}
