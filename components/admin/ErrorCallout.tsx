// A failed request, said plainly: the API's own message for an ApiError, else the error's text.
import { ApiError } from '../api-client.ts';

export function ErrorCallout({ error, testId }: { error: unknown; testId?: string }) {
  if (!error) return null;
  return (
    <div className="callout callout--bad" role="alert" data-testid={testId}>
      {error instanceof ApiError ? error.message : String(error)}
    </div>
  );
}
