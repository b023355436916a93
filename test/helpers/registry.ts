/**
 * A local OCI registry for push tests: Debian's `docker-registry` (distribution 2.x) on a free
 * loopback port, plain HTTP, no auth, with its config and storage in a temp dir removed on stop.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The registry binary Debian installs. */
export const REGISTRY_BINARY = "/usr/bin/docker-registry";

/** A running local registry. */
export interface LocalRegistry {
  /** `127.0.0.1:<port>`: the host part of image references. */
  readonly host: string;
  readonly url: string;
  /** A registries.conf marking this registry as plain HTTP, for podman (CONTAINERS_REGISTRIES_CONF). */
  readonly registriesConf: string;
  /** The manifest digest the registry serves for `repository:reference` (Docker-Content-Digest), or undefined on 404. */
  manifestDigest(repository: string, reference: string): Promise<string | undefined>;
  /** The image config's labels for `repository:reference`. */
  imageLabels(repository: string, reference: string): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

const ACCEPT = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

/** Starts the registry on 127.0.0.1 with a port the kernel picks, and waits until /v2/ answers. */
export async function startRegistry(): Promise<LocalRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "ecs-release-registry-"));
  const config = join(dir, "config.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: info",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "data")}`,
      "  delete:",
      "    enabled: true",
      "http:",
      "  addr: 127.0.0.1:0",
      "",
    ].join("\n"),
  );
  const child = spawn(REGISTRY_BINARY, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  let port: number;
  try {
    port = await listeningPort(child);
  } catch (error) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const registriesConf = join(dir, "registries.conf");
  await writeFile(registriesConf, `[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
  const manifest = async (repository: string, reference: string): Promise<Response> =>
    fetch(`${url}/v2/${repository}/manifests/${reference}`, { headers: { Accept: ACCEPT } });

  return {
    host,
    url,
    registriesConf,
    async manifestDigest(repository, reference) {
      const response = await manifest(repository, reference);
      await response.arrayBuffer();
      return response.ok ? (response.headers.get("docker-content-digest") ?? undefined) : undefined;
    },
    async imageLabels(repository, reference) {
      const response = await manifest(repository, reference);
      if (!response.ok) throw new Error(`no manifest for ${repository}:${reference}: ${response.status}`);
      const body = (await response.json()) as { config: { digest: string } };
      const blob = await fetch(`${url}/v2/${repository}/blobs/${body.config.digest}`);
      const image = (await blob.json()) as { config?: { Labels?: Record<string, string> } };
      return image.config?.Labels ?? {};
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise((resolve) => child.once("close", resolve));
        child.kill("SIGTERM");
        await closed;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Reads `listening on 127.0.0.1:PORT` from the registry's log. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`docker-registry did not start within 10s:\n${log}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        child.stderr?.off("data", onData);
        child.stdout?.off("data", onData);
        child.stderr?.resume();
        child.stdout?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`docker-registry exited (${code}) before listening:\n${log}`));
    });
  });
}
