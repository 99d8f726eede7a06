/**
 * Task-level CPU and memory: the forms RegisterTaskDefinition accepts ("256", "1 vCPU",
 * "512", "1GB", "1 GB") normalised to CPU units and MiB, and the Fargate table of allowed
 * combinations (docs/reference/ecs.md §6; the 8192 and 16384 rows need platform 1.4.0+,
 * which is the only platform dockyard runs).
 */

/** CPU units from "256" or "0.25 vCPU"; undefined when unparseable. */
export function parseCpu(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(text);
  if (!match?.[1]) return undefined;
  const value = match[2] ? Number(match[1]) * 1024 : Number(match[1]);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** MiB from "512", "512MB", "1GB" or "1 GB"; undefined when unparseable. */
export function parseMemory(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)?\s*$/i.exec(text);
  if (!match?.[1]) return undefined;
  const unit = match[2]?.toLowerCase();
  const value = unit === 'gb' || unit === 'gib' ? Number(match[1]) * 1024 : Number(match[1]);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** Allowed memory (MiB) per Fargate CPU value. */
const FARGATE_MEMORY: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** True when Fargate offers this CPU/memory combination. */
export function isFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_MEMORY.get(cpu)?.includes(memory) ?? false;
}
