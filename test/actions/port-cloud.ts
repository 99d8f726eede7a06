/**
 * A test cloud on a fixed registry port. The port lies in the kernel's ephemeral range, so a
 * client socket of a parallel test may hold it for a moment: binding is retried briefly.
 */
import { startTestCloud, type TestCloud } from '../support/cloud.js';

export async function startCloudOnPort(port: number): Promise<TestCloud> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await startTestCloud({ port });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
