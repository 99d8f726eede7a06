/**
 * node-app's worker: answers on port 8080 with its task ARN, read from the task metadata
 * endpoint (ECS_CONTAINER_METADATA_URI_V4), as the app that calls it by private IP expects.
 */
import { createServer } from 'node:http';

const PORT = Number(process.env.PORT ?? '8080');

async function taskArn(): Promise<string> {
  const uri = process.env.ECS_CONTAINER_METADATA_URI_V4;
  if (!uri) return 'unknown task (no metadata endpoint)';
  const task = (await (await fetch(`${uri}/task`)).json()) as { TaskARN?: string };
  return task.TaskARN ?? 'unknown task';
}

createServer((req, res) => {
  taskArn()
    .then((arn) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`worker ${arn}\n`);
    })
    .catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`metadata failed: ${String(error)}\n`);
    });
}).listen(PORT, () => console.log(`node-worker listening on ${PORT}`));
