// `npm run demo`: the whole story on a local emulator, with the real CLI — release, a failing release
// caught, a panic rollback with cleanup, the history and the status. Needs `npm run build` first
// (the npm script does it) and Python 3 with moto. Exits 0 when every step ended as the story says.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { startEmulator, type Emulator } from "../test/emulator/index.js";
import { awsClients, emulatorEnv } from "../test/helpers/emulator.js";
import { putImage, putParameters, seedPlatform } from "../test/helpers/seed.js";

// The demo's own AWS SDK clients (seeding) run on this Node: its warning about future SDK releases is noise here.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

const BUNDLE = "dist/ecs-release.cjs";
/** Three commits on main, in order; the build job pushes each one's image just before it is released. */
const [A, B, C] = ["a3f9c2e1b4d5f60718293a4b5c6d7e8f90a1b2c3", "b7e1d4c3a2f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9", "c0ffee5d1e2a3b4c5d6e7f8091a2b3c4d5e6f7a8"] as const;
const bold = (text: string): string => (process.env["NO_COLOR"] || !process.stdout.isTTY ? text : `\u001b[1m${text}\u001b[0m`);

/** Runs the built CLI with the emulator's environment, streaming its output; resolves to its exit code. */
function ecsRelease(emulator: Emulator, args: string[]): Promise<number> {
  console.log(`\n$ ecs-release ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], {
      env: { ...emulatorEnv(emulator.url), PATH: process.env["PATH"], CIRCLE_USERNAME: "demo-user", NO_COLOR: process.env["NO_COLOR"] },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** One chapter of the story: a heading, a command, and the exit status the story expects. */
async function chapter(emulator: Emulator, title: string, args: string[], expected: number): Promise<void> {
  console.log(`\n${bold(`── ${title}`)}`);
  const code = await ecsRelease(emulator, args);
  if (code !== expected) throw new Error(`expected exit ${expected} from "ecs-release ${args[0]}", got ${code}`);
  console.log(bold(`   → exit ${code}, as expected`));
}

async function demo(): Promise<void> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  const emulator = await startEmulator();
  const stop = async (): Promise<void> => emulator.stop();
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    console.log(bold(`ecs-release demo — a local AWS emulator at ${emulator.url} (moto pid ${emulator.motoPid})`));
    const clients = awsClients(emulator);
    // The app containers log to CloudWatch Logs (awslogs): a failure shows what they said.
    const platform = await seedPlatform(clients, { awslogs: true });
    await putParameters(clients, platform.parameterPath, {
      "cache/REDIS_URL": "redis://cache.internal:6379/0",
      "cache/TTL_SECONDS": "300",
      "mail/SMTP_HOST": "smtp.internal",
      "mail/SMTP_USER": "platform",
      "database/PASSWORD": { value: "demo-database-password", secure: true },
      "mail/SMTP_PASSWORD": { value: "demo-smtp-password", secure: true },
      "payments/API_KEY": { value: "demo-payments-key", secure: true },
      "payments/WEBHOOK_URL": "https://platform.example.com/hooks/payments",
      "django/SECRET_KEY": { value: "demo-django-secret", secure: true },
      "django/ALLOWED_HOSTS": "platform.example.com",
      "django/DEBUG": "false",
      "sentry/DSN": "https://public@sentry.example.com/42",
      "sentry/ENVIRONMENT": "production",
      "celery/CONCURRENCY": "8",
      "storage/BUCKET": "platform-prod-media",
    });
    console.log(`seeded: cluster ${platform.cluster}, services web and worker (running an older commit, logging to /ecs/web and /ecs/worker), ECR repository ${platform.repository}, 20 SSM parameters under ${platform.parameterPath} (4 SecureStrings)`);
    // Commit C's containers will fail their health checks: ECS's circuit breaker rolls the deployment back.
    await emulator.addRule({ match: C, outcome: "fail", steps: 2 });

    const release = (sha: string): string[] => ["release", "--cluster", "prod", "--service", "web,worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", sha, "--poll-interval", "100ms"];
    const stories: Array<[string, string, number]> = [
      [A, `Release commit A (${A.slice(0, 7)}): one new revision per family, both services rolled out`, 0],
      [B, `Release commit B (${B.slice(0, 7)})`, 0],
      [C, `Release commit C (${C.slice(0, 7)}): its tasks fail, the circuit breaker rolls back, the release says so`, 1],
    ];
    for (const [sha, title, expected] of stories) {
      // The build job pushes the commit's image. ECR's pushedAt has whole seconds: step past the
      // previous release's second so that the image is plainly newer than what runs.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await putImage(clients, platform.repository, sha);
      await chapter(emulator, title, release(sha), expected);
    }
    await chapter(emulator, "B turns out to be bad in production: panic rollback to the last revision recorded as stable, then clean up", ["rollback", "--cluster", "prod", "--service", "web,worker", "--poll-interval", "100ms"], 0);
    await chapter(emulator, "What ran when", ["history", "--cluster", "prod", "--service", "web"], 0);
    await chapter(emulator, "What runs now", ["status", "--cluster", "prod", "--service", "web,worker"], 0);
    console.log(`\n${bold("The story is over: the emulator stops now.")}`);
  } finally {
    await stop();
  }
}

demo().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
