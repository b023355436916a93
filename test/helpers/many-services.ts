/**
 * A cluster with more than one page of services: ListServices answers at most 100 a page (ECS's
 * maximum; the emulator pages as ECS does, test/emulator/api-limits.ts), so 100 services of a filler
 * family come first and the services under test after them, on the second page.
 */
import type { AwsClients } from "./emulator.js";
import { createCluster, createService, registerTaskDefinition } from "./seed.js";

/** Services before the ones that matter: one full page of ListServices at its maximum. */
export const FILLER_SERVICES = 100;

/**
 * Creates `cluster` (unless it exists) with {@link FILLER_SERVICES} idle services (desired 0) of the
 * family `filler`, then `services` (name → task definition), so that they are past the first page.
 */
export async function seedManyServices(clients: AwsClients, cluster: string, services: Readonly<Record<string, string>>, options: { createCluster?: boolean } = {}): Promise<void> {
  if (options.createCluster !== false) await createCluster(clients, cluster);
  const filler = await registerTaskDefinition(clients, { family: "filler", containerDefinitions: [{ name: "app", image: "public.ecr.aws/docker/library/busybox:1.36", essential: true, memory: 64 }] });
  const names = Array.from({ length: FILLER_SERVICES }, (_, i) => `filler-${String(i).padStart(3, "0")}`);
  // In groups: the services must be created in order (ListServices answers in creation order).
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(names.slice(i, i + 10).map((name) => createService(clients, { cluster, name, taskDefinition: filler, desiredCount: 0 })));
  }
  for (const [name, taskDefinition] of Object.entries(services)) await createService(clients, { cluster, name, taskDefinition, desiredCount: 1 });
}
