/**
 * Vitest setup (vitest.config.ts `setupFiles`): the test process's own environment carries nothing of
 * the developer's or CI's AWS, CircleCI or ecs-release settings. The CLI runs in-process
 * (test/helpers/cli.ts) with the environment each test gives it, but the AWS SDK's default chains
 * still read a few things from `process.env` (profiles, shared files, instance metadata): these are
 * pinned so that a missing key in a test's environment never finds a real credential, file or
 * metadata endpoint on the machine.
 */
const KEEP = new Set(["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "ECS_RELEASE_EMULATOR_PYTHON"]);
for (const name of Object.keys(process.env)) {
  if (KEEP.has(name)) continue;
  if (name.startsWith("AWS_") || name.startsWith("CIRCLE_") || name.startsWith("ECS_RELEASE_")) delete process.env[name];
}
process.env["AWS_EC2_METADATA_DISABLED"] = "true";
process.env["AWS_CONFIG_FILE"] = "/nonexistent/ecs-release-test/config";
process.env["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/ecs-release-test/credentials";
