/**
 * A local OCI registry for push tests: Debian's `docker-registry` (distribution 2.x) on a free
 * loopback port, plain HTTP, no auth, with its config and storage in a temp dir removed on stop.
 *
 * With `ecr` (an ECR client for the emulator) a small front stands before it and does what ECR's
 * registry does with a pushed manifest: it calls PutImage ("When an image is pushed and all new image
 * layers have been uploaded, the PutImage API is called once to create or update the image manifest",
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html), so the emulated ECR
 * knows every tag pushed and its immutable tags are refused as ECR's registry refuses them
 * (400 TAG_INVALID, "… cannot be overwritten because the repository is immutable", as docker and
 * buildx report it from ECR: moby/buildkit#3776). docker-registry alone cannot refuse a tag.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { PutImageCommand, type ECRClient } from "@aws-sdk/client-ecr";
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

/** Options for {@link startRegistry}. */
export interface RegistryOptions {
  /** Mirror every manifest pushed by tag into this (emulated) ECR with PutImage, as ECR's registry does. */
  readonly ecr?: ECRClient;
}

/** Starts the registry on 127.0.0.1 with a port the kernel picks, and waits until /v2/ answers. */
export async function startRegistry(options: RegistryOptions = {}): Promise<LocalRegistry> {
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
  const front = options.ecr ? await startEcrFront(port, options.ecr) : undefined;
  const host = `127.0.0.1:${front ? (front.address() as { port: number }).port : port}`;
  const url = `http://127.0.0.1:${port}`;
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
      if (front) await new Promise((resolve) => front.close(resolve));
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

/** The front: forwards every request to the registry on `port`; a manifest PUT by tag goes through ECR's PutImage first. */
async function startEcrFront(port: number, ecr: ECRClient): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const manifest = /^\/v2\/(.+)\/manifests\/([^/?]+)$/.exec((req.url ?? "").split("?")[0] ?? "");
      if (req.method === "PUT" && manifest && !manifest[2]?.includes(":")) {
        const [, repository, tag] = manifest as unknown as [string, string, string];
        const refused = await putImage(ecr, repository, tag, body.toString("utf8"), String(req.headers["content-type"] ?? ""));
        if (refused) {
          const payload = Buffer.from(JSON.stringify({ errors: [refused.error] }));
          res.writeHead(refused.status, { "content-type": "application/json", "content-length": payload.length });
          res.end(payload);
          return;
        }
      }
      const upstream = httpRequest({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** ECR's PutImage for a pushed manifest; the registry error to answer instead, or undefined to store it. */
async function putImage(ecr: ECRClient, repository: string, tag: string, manifest: string, mediaType: string): Promise<{ status: number; error: { code: string; message: string } } | undefined> {
  try {
    await ecr.send(new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: manifest, ...(mediaType ? { imageManifestMediaType: mediaType } : {}) }));
    return undefined;
  } catch (error) {
    const name = (error as { name?: string }).name;
    const message = (error as { message?: string }).message ?? String(error);
    if (name === "ImageAlreadyExistsException") return undefined; // the same manifest under the same tag again: nothing changes
    if (name === "ImageTagAlreadyExistsException") return { status: 400, error: { code: "TAG_INVALID", message } };
    if (name === "RepositoryNotFoundException") return { status: 404, error: { code: "NAME_UNKNOWN", message } };
    return { status: 500, error: { code: "UNKNOWN", message } };
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}
