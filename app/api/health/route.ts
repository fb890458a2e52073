// Liveness of the web process: answers as soon as Next can serve a request. Pipeline health
// (is the stream making progress?) lives in the workers' /metrics, not here.
export function GET() {
  return Response.json({ status: 'ok' });
}
